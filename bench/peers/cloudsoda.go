package peers

import (
	"context"
	"fmt"
	"io"

	cs "github.com/cloudsoda/go-smb2"
)

// Cloudsoda is a session of github.com/cloudsoda/go-smb2 (the maintained
// fork of hirochachacha/go-smb2) used as its documentation shows:
// Share.WriteFile, ReadFile, Remove, ReadDir, and io.Copy through
// Open/OpenFile for streams. Parallel > 1 fans each multi-file step out
// over that many goroutines sharing the one session.
type Cloudsoda struct {
	goFamily
	sess  *cs.Session
	share *cs.Share
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
	c := &Cloudsoda{sess: sess, share: share}
	c.goFamily = goFamily{parallel: parallel, share: func(ctx context.Context) familyShare {
		return csShare{share.WithContext(ctx)}
	}}
	return c, nil
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

// csShare adapts a cloudsoda Share to familyShare.
type csShare struct{ *cs.Share }

func (s csShare) openRead(name string) (io.ReadCloser, error) { return s.Open(name) }

func (s csShare) openWrite(name string) (io.WriteCloser, error) {
	return s.OpenFile(name, streamFlags, 0o644)
}
