package peers

import (
	"context"
	"io"
	"os"
)

// goFamily holds what go-smb2 and its fork cloudsoda have in common: the
// same Share API (under different types), used the same way, so the two
// peers are measured by one piece of code.
type goFamily struct {
	share    func(ctx context.Context) familyShare
	parallel int
}

// familyShare is the part of a go-smb2-style Share the steps use, bound to
// one context. Each library's adapter supplies openRead and openWrite, the
// two calls whose results have library-specific types.
type familyShare interface {
	WriteFile(name string, data []byte, perm os.FileMode) error
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]os.FileInfo, error)
	Remove(name string) error
	openRead(name string) (io.ReadCloser, error)
	openWrite(name string) (io.WriteCloser, error)
}

// streamFlags are the flags of the streamed upload's OpenFile.
const streamFlags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC

// Upload writes each file with Share.WriteFile.
func (p *goFamily) Upload(ctx context.Context, dir string, ds *Dataset) error {
	return forEach(ctx, p.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		f := ds.Files[i]
		return p.share(ctx).WriteFile(join(dir, f.Name), f.Data, 0o644)
	})
}

// List reads dir with Share.ReadDir.
func (p *goFamily) List(ctx context.Context, dir string) (int, error) {
	if p.parallel > 1 {
		return 0, ErrNotMeasured
	}
	ents, err := p.share(ctx).ReadDir(dir)
	return len(ents), err
}

// Download reads each file with Share.ReadFile.
func (p *goFamily) Download(ctx context.Context, dir string, ds *Dataset) (int64, error) {
	var total countBytes
	err := forEach(ctx, p.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		f := ds.Files[i]
		data, err := p.share(ctx).ReadFile(join(dir, f.Name))
		if err != nil {
			return err
		}
		total.add(int64(len(data)))
		return checkSize(f.Name, int64(len(data)), int64(len(f.Data)))
	})
	return total.n, err
}

// Delete removes each file with Share.Remove.
func (p *goFamily) Delete(ctx context.Context, dir string, ds *Dataset) error {
	return forEach(ctx, p.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		return p.share(ctx).Remove(join(dir, ds.Files[i].Name))
	})
}

// StreamDownload is Open + io.Copy + Close (the library's File.WriteTo does the copy).
func (p *goFamily) StreamDownload(ctx context.Context, name string, w io.Writer) (int64, error) {
	if p.parallel > 1 {
		return 0, ErrNotMeasured
	}
	f, err := p.share(ctx).openRead(name)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// StreamUpload is OpenFile + io.Copy + Close (the library's File.ReadFrom does the copy).
func (p *goFamily) StreamUpload(ctx context.Context, name string, src Source) error {
	if p.parallel > 1 {
		return ErrNotMeasured
	}
	f, err := p.share(ctx).openWrite(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, src.Open())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
