package peers

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"

	hiro "github.com/hirochachacha/go-smb2"
)

// GoSMB2 is a session of github.com/hirochachacha/go-smb2 v1.1.0 used as
// its documentation shows: Share.WriteFile, ReadFile, Remove, ReadDir, and
// io.Copy through Open/Create for streams. Parallel > 1 fans each
// multi-file step out over that many goroutines sharing the one session.
type GoSMB2 struct {
	conn     net.Conn
	sess     *hiro.Session
	share    *hiro.Share
	parallel int
}

// DialGoSMB2 connects, authenticates and mounts t's share.
func DialGoSMB2(ctx context.Context, t Target, parallel int) (*GoSMB2, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return nil, fmt.Errorf("go-smb2: %w", err)
	}
	dialer := &hiro.Dialer{
		Negotiator: hiro.Negotiator{RequireMessageSigning: t.Security == Signed},
		Initiator:  &hiro.NTLMInitiator{User: t.User, Password: t.Password},
	}
	sess, err := dialer.DialContext(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("go-smb2: session: %w", err)
	}
	share, err := sess.Mount(t.unc())
	if err != nil {
		sess.Logoff()
		conn.Close()
		return nil, fmt.Errorf("go-smb2: mount: %w", err)
	}
	return &GoSMB2{conn: conn, sess: sess, share: share, parallel: parallel}, nil
}

// Upload writes each file with Share.WriteFile.
func (g *GoSMB2) Upload(ctx context.Context, dir string, ds *Dataset) error {
	return forEach(ctx, g.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		f := ds.Files[i]
		return g.share.WithContext(ctx).WriteFile(join(dir, f.Name), f.Data, 0o644)
	})
}

// List reads dir with Share.ReadDir.
func (g *GoSMB2) List(ctx context.Context, dir string) (int, error) {
	if g.parallel > 1 {
		return 0, ErrNotMeasured
	}
	ents, err := g.share.WithContext(ctx).ReadDir(dir)
	return len(ents), err
}

// Download reads each file with Share.ReadFile.
func (g *GoSMB2) Download(ctx context.Context, dir string, ds *Dataset) (int64, error) {
	var total countBytes
	err := forEach(ctx, g.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		f := ds.Files[i]
		data, err := g.share.WithContext(ctx).ReadFile(join(dir, f.Name))
		if err != nil {
			return err
		}
		total.add(int64(len(data)))
		return checkSize(f.Name, int64(len(data)), int64(len(f.Data)))
	})
	return total.n, err
}

// Delete removes each file with Share.Remove.
func (g *GoSMB2) Delete(ctx context.Context, dir string, ds *Dataset) error {
	return forEach(ctx, g.parallel, len(ds.Files), func(ctx context.Context, i int) error {
		return g.share.WithContext(ctx).Remove(join(dir, ds.Files[i].Name))
	})
}

// StreamDownload is Open + io.Copy + Close (File.WriteTo does the copy).
func (g *GoSMB2) StreamDownload(ctx context.Context, name string, w io.Writer) (int64, error) {
	if g.parallel > 1 {
		return 0, ErrNotMeasured
	}
	f, err := g.share.WithContext(ctx).Open(name)
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
func (g *GoSMB2) StreamUpload(ctx context.Context, name string, src Source) error {
	if g.parallel > 1 {
		return ErrNotMeasured
	}
	f, err := g.share.WithContext(ctx).OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, src.Open())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close unmounts, logs off and closes the connection.
func (g *GoSMB2) Close() error {
	g.share.Umount()
	err := g.sess.Logoff()
	g.conn.Close()
	return err
}
