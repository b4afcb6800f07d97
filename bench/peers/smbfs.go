package peers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"

	"github.com/smbfs/smbfs"
)

// SmbfsStyle is the way a Smbfs session uses the library.
type SmbfsStyle int

// The styles, each the way ordinary Go code would use a filesystem.
const (
	// Whole uses the whole-file calls: WriteFile, ReadFile, Remove in a
	// loop, ReadDir. With Parallel > 1 the loops fan out over goroutines.
	Whole SmbfsStyle = iota
	// OpenWrite uses handles: OpenFile + one Write + Close to upload,
	// Open + io.Copy + Close to download, and io.Copy for the download
	// stream.
	OpenWrite
	// Copy uploads with OpenFile + io.Copy from a plain io.Reader + Close
	// (what copying a local file or a socket to the share does), also for
	// the upload stream.
	Copy
	// Batch sends each multi-file step through the batch API and streams
	// through the upload/download helpers (see smbfs_hooks.go).
	Batch
)

// Smbfs is a session of this project's client.
type Smbfs struct {
	fsys     *smbfs.FS
	style    SmbfsStyle
	parallel int
}

// DialSmbfs connects to t with smbfs.Dial and the policy t.Security asks
// for.
func DialSmbfs(ctx context.Context, t Target, style SmbfsStyle, parallel int) (*Smbfs, error) {
	u := url.URL{Scheme: "smb", Host: t.Addr, Path: "/" + t.Share, User: url.UserPassword(t.User, t.Password)}
	var opts []smbfs.Option
	switch t.Security {
	case Signed:
		opts = append(opts, smbfs.WithSigning(smbfs.Required))
	case Encrypted:
		opts = append(opts, smbfs.WithEncryption(smbfs.Required))
	}
	fsys, err := smbfs.Dial(ctx, u.String(), opts...)
	if err != nil {
		return nil, fmt.Errorf("smbfs: %w", err)
	}
	return &Smbfs{fsys: fsys, style: style, parallel: parallel}, nil
}

// FS returns the session's filesystem, for hooks and checks.
func (s *Smbfs) FS() *smbfs.FS { return s.fsys }

// Upload writes every file: WriteFile (Whole), OpenFile+Write+Close
// (OpenWrite), OpenFile+io.Copy+Close (Copy) or the batch API.
func (s *Smbfs) Upload(ctx context.Context, dir string, ds *Dataset) error {
	fsys := s.fsys.WithContext(ctx)
	switch s.style {
	case Batch:
		return batchUpload(ctx, fsys, dir, ds)
	case OpenWrite:
		return forEach(ctx, s.parallel, len(ds.Files), func(ctx context.Context, i int) error {
			f := ds.Files[i]
			h, err := fsys.OpenFile(join(dir, f.Name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = h.(io.Writer).Write(f.Data)
			return closeKeep(h, err)
		})
	case Copy:
		return forEach(ctx, s.parallel, len(ds.Files), func(ctx context.Context, i int) error {
			f := ds.Files[i]
			return copyUp(fsys, join(dir, f.Name), OnlyReader(bytes.NewReader(f.Data)))
		})
	}
	return forEach(ctx, s.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		f := ds.Files[i]
		return fsys.WriteFile(join(dir, f.Name), f.Data, 0o644)
	})
}

// List is ReadDir (Whole) or the batch API.
func (s *Smbfs) List(ctx context.Context, dir string) (int, error) {
	fsys := s.fsys.WithContext(ctx)
	switch {
	case s.style == Batch:
		return batchList(ctx, fsys, dir)
	case s.style != Whole || s.parallel > 1:
		return 0, ErrNotMeasured
	}
	ents, err := fs.ReadDir(fsys, dir)
	return len(ents), err
}

// Download reads every file: fs.ReadFile (Whole), Open+io.Copy+Close
// (OpenWrite) or the batch API.
func (s *Smbfs) Download(ctx context.Context, dir string, ds *Dataset) (int64, error) {
	fsys := s.fsys.WithContext(ctx)
	var total countBytes
	var err error
	switch s.style {
	case Batch:
		return batchDownload(ctx, fsys, dir, ds)
	case Copy:
		return 0, ErrNotMeasured
	case OpenWrite:
		err = forEach(ctx, s.parallel, len(ds.Files), func(ctx context.Context, i int) error {
			f := ds.Files[i]
			n, err := copyDown(fsys, join(dir, f.Name), &Sink{})
			total.add(n)
			if err != nil {
				return err
			}
			return checkSize(f.Name, n, int64(len(f.Data)))
		})
	default:
		err = forEach(ctx, s.parallel, len(ds.Files), func(ctx context.Context, i int) error {
			f := ds.Files[i]
			data, err := fs.ReadFile(fsys, join(dir, f.Name))
			total.add(int64(len(data)))
			if err != nil {
				return err
			}
			return checkSize(f.Name, int64(len(data)), int64(len(f.Data)))
		})
	}
	return total.n, err
}

// Delete is Remove in a loop (Whole) or the batch API.
func (s *Smbfs) Delete(ctx context.Context, dir string, ds *Dataset) error {
	fsys := s.fsys.WithContext(ctx)
	switch s.style {
	case Batch:
		return batchDelete(ctx, fsys, dir, ds)
	case Whole:
		return forEach(ctx, s.parallel, len(ds.Files), func(ctx context.Context, i int) error {
			return fsys.Remove(join(dir, ds.Files[i].Name))
		})
	}
	return ErrNotMeasured
}

// StreamDownload is Open + io.Copy + Close (OpenWrite) or the download
// helper (Batch).
func (s *Smbfs) StreamDownload(ctx context.Context, name string, w io.Writer) (int64, error) {
	fsys := s.fsys.WithContext(ctx)
	switch {
	case s.parallel > 1:
		return 0, ErrNotMeasured
	case s.style == Batch:
		return helperDownload(ctx, fsys, name, w)
	case s.style == OpenWrite:
		return copyDown(fsys, name, w)
	}
	return 0, ErrNotMeasured
}

// StreamUpload is OpenFile + io.Copy + Close (Copy) or the upload helper
// (Batch).
func (s *Smbfs) StreamUpload(ctx context.Context, name string, src Source) error {
	fsys := s.fsys.WithContext(ctx)
	switch {
	case s.parallel > 1:
		return ErrNotMeasured
	case s.style == Batch:
		return helperUpload(ctx, fsys, name, src)
	case s.style == Copy:
		return copyUp(fsys, name, src.Open())
	}
	return ErrNotMeasured
}

// Close closes the filesystem and its connection.
func (s *Smbfs) Close() error { return s.fsys.Close() }

// copyDown is Open + io.Copy + Close.
func copyDown(fsys *smbfs.FS, name string, w io.Writer) (int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, f)
	return n, closeKeep(f, err)
}

// copyUp is OpenFile + io.Copy + Close.
func copyUp(fsys *smbfs.FS, name string, r io.Reader) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f.(io.Writer), r)
	return closeKeep(f, err)
}

// closeKeep closes c and returns err, or Close's error if err is nil.
func closeKeep(c io.Closer, err error) error {
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}
