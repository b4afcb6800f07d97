package peers

import (
	"context"
	"fmt"
	"io"
	"net"

	hiro "github.com/hirochachacha/go-smb2"
)

// GoSMB2 is a session of github.com/hirochachacha/go-smb2 v1.1.0 used as
// its documentation shows: Share.WriteFile, ReadFile, Remove, ReadDir, and
// io.Copy through Open/Create for streams. Parallel > 1 fans each
// multi-file step out over that many goroutines sharing the one session.
type GoSMB2 struct {
	goFamily
	conn  net.Conn
	sess  *hiro.Session
	share *hiro.Share
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
	g := &GoSMB2{conn: conn, sess: sess, share: share}
	g.goFamily = goFamily{parallel: parallel, share: func(ctx context.Context) familyShare {
		return hiroShare{share.WithContext(ctx)}
	}}
	return g, nil
}

// Close unmounts, logs off and closes the connection.
func (g *GoSMB2) Close() error {
	g.share.Umount()
	err := g.sess.Logoff()
	g.conn.Close()
	return err
}

// hiroShare adapts a go-smb2 Share to familyShare.
type hiroShare struct{ *hiro.Share }

func (s hiroShare) openRead(name string) (io.ReadCloser, error) { return s.Open(name) }

func (s hiroShare) openWrite(name string) (io.WriteCloser, error) {
	return s.OpenFile(name, streamFlags, 0o644)
}
