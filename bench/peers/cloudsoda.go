package peers

import (
	"context"
	"fmt"
	"io"
	"os"

	cs "github.com/cloudsoda/go-smb2"
)

// Cloudsoda is a session of github.com/cloudsoda/go-smb2 (the maintained
// fork of hirochachacha/go-smb2) used as its documentation shows:
// Share.WriteFile, ReadFile, Remove, ReadDir, and io.Copy through
// Open/OpenFile for streams. Parallel > 1 fans each multi-file step out
// over that many goroutines sharing the one session.
type Cloudsoda struct {
	sess     *cs.Session
	share    *cs.Share
	parallel int
}

// DialCloudsoda connects, authenticates and mounts t's share.
func DialCloudsoda(ctx context.Context, t Target, parallel int) (*Cloudsoda, error) {
	dialer := &cs.Dialer{
		Negotiator: cs.Negotiator{RequireMessageSigning: t.Security == Signed},
		Initiator:  &cs.NTLMInitiator{User: t.User, Password: t.Password},
	}
	sess, err := dialer.Dial(ctx, t.Addr)
	if err != nil {
		return nil, fmt.Errorf("cloudsoda: session: %w", err)
	}
	share, err := sess.Mount(t.unc())
	if err != nil {
		sess.Logoff()
		return nil, fmt.Errorf("cloudsoda: mount: %w", err)
	}
	return &Cloudsoda{sess: sess, share: share, parallel: parallel}, nil
}

// Upload writes each file with Share.WriteFile.
func (c *Cloudsoda) Upload(ctx context.Context, dir string, ds *Dataset) error {
	return forEach(ctx, c.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		f := ds.Files[i]
		return c.share.WithContext(ctx).WriteFile(join(dir, f.Name), f.Data, 0o644)
	})
}

// List reads dir with Share.ReadDir.
func (c *Cloudsoda) List(ctx context.Context, dir string) (int, error) {
	if c.parallel > 1 {
		return 0, ErrNotMeasured
	}
	ents, err := c.share.WithContext(ctx).ReadDir(dir)
	return len(ents), err
}

// Download reads each file with Share.ReadFile.
func (c *Cloudsoda) Download(ctx context.Context, dir string, ds *Dataset) (int64, error) {
	var total countBytes
	err := forEach(ctx, c.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		f := ds.Files[i]
		data, err := c.share.WithContext(ctx).ReadFile(join(dir, f.Name))
		if err != nil {
			return err
		}
		total.add(int64(len(data)))
		return checkSize(f.Name, int64(len(data)), int64(len(f.Data)))
	})
	return total.n, err
}

// Delete removes each file with Share.Remove.
func (c *Cloudsoda) Delete(ctx context.Context, dir string, ds *Dataset) error {
	return forEach(ctx, c.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		return c.share.WithContext(ctx).Remove(join(dir, ds.Files[i].Name))
	})
}

// StreamDownload is Open + io.Copy + Close (File.WriteTo does the copy).
func (c *Cloudsoda) StreamDownload(ctx context.Context, name string, w io.Writer) (int64, error) {
	if c.parallel > 1 {
		return 0, ErrNotMeasured
	}
	f, err := c.share.WithContext(ctx).Open(name)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// StreamUpload is OpenFile + io.Copy + Close (File.ReadFrom does the copy).
func (c *Cloudsoda) StreamUpload(ctx context.Context, name string, src Source) error {
	if c.parallel > 1 {
		return ErrNotMeasured
	}
	f, err := c.share.WithContext(ctx).OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, src.Open())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close unmounts and logs off, which closes the connection.
func (c *Cloudsoda) Close() error {
	c.share.Umount()
	return c.sess.Logoff()
}

// The methods below serve the benchmark's helper session, which sets up
// and checks each step outside the timed part. cloudsoda is the helper
// because it copes with everything Samba sends (go-smb2 v1.1.0 rejects
// the unsigned interim responses of a signing-mandatory server).

// Mkdir creates dir.
func (c *Cloudsoda) Mkdir(ctx context.Context, dir string) error {
	return c.share.WithContext(ctx).Mkdir(dir, 0o755)
}

// RemoveAll removes dir and everything in it.
func (c *Cloudsoda) RemoveAll(ctx context.Context, dir string) error {
	return c.share.WithContext(ctx).RemoveAll(dir)
}

// Remove removes one file or empty directory.
func (c *Cloudsoda) Remove(ctx context.Context, name string) error {
	return c.share.WithContext(ctx).Remove(name)
}

// Sizes returns the size of every entry of dir by name.
func (c *Cloudsoda) Sizes(ctx context.Context, dir string) (map[string]int64, error) {
	ents, err := c.share.WithContext(ctx).ReadDir(dir)
	if err != nil {
		return nil, err
	}
	m := make(map[string]int64, len(ents))
	for _, e := range ents {
		m[e.Name()] = e.Size()
	}
	return m, nil
}

// ReadFile returns the content of name.
func (c *Cloudsoda) ReadFile(ctx context.Context, name string) ([]byte, error) {
	return c.share.WithContext(ctx).ReadFile(name)
}
