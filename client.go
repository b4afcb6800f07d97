package smbfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol"
)

// DefaultPort is the SMB Direct TCP port.
const DefaultPort = 445

// Client is an authenticated session with one SMB server, over one
// connection that any number of goroutines may use at once. Mount a share to
// get an FS.
type Client struct {
	conn *protocol.Conn
	sess *protocol.Session
	opts options
	host string
	// newAuth makes an Authenticator for a new session setup.
	newAuth func() (protocol.Authenticator, error)

	reconnects reconnectCounter

	// Reconnect state (reconnect.go): conn and sess are replaced under
	// stateMu; reconnectMu serializes reconnects.
	addr        string
	stateMu     sync.RWMutex
	reconnectMu sync.Mutex
	mounts      []*mount
	closed      bool

	// DFS: the referral cache and the target connections (dfs.go).
	dfsOnce sync.Once
	dfs     *dfsPool

	closeOnce sync.Once
	closeErr  error
}

// target is what a smb:// URL names.
type target struct {
	host, port       string
	domain, user     string
	password         string
	hasUser, hasPass bool
	share, dir       string
	auth             string // the URL's auth parameter: "", "krb5" or "ntlm"
}

// parseURL parses smb://[domain;]user[:password]@host[:port]/share[/dir][?auth=krb5|ntlm].
func parseURL(raw string) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "smb" {
		return nil, fmt.Errorf("URL scheme %q: want smb://", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, errors.New("URL has no host: want smb://[domain;]user[:password]@host[:port]/share[/dir]")
	}
	if u.Fragment != "" {
		return nil, errors.New("URL must not have a fragment")
	}
	auth, err := parseURLQuery(u.RawQuery)
	if err != nil {
		return nil, err
	}
	t := &target{host: u.Hostname(), port: u.Port(), auth: auth}
	if t.port == "" {
		t.port = strconv.Itoa(DefaultPort)
	} else if p, err := strconv.Atoi(t.port); err != nil || p <= 0 || p > 65535 {
		return nil, fmt.Errorf("URL port %q is invalid", t.port)
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.password, t.hasPass = u.User.Password()
		t.hasUser = t.user != ""
		if d, user, ok := strings.Cut(t.user, ";"); ok {
			t.domain, t.user = d, user
		}
	}
	p := strings.Trim(u.Path, "/")
	t.share, t.dir, _ = strings.Cut(p, "/")
	return t, nil
}

// Connect dials the server a smb:// URL names, negotiates and authenticates.
// The URL is smb://[domain;]user[:password]@host[:port] (any share or path
// in it is ignored here; see Dial). Options override what the URL says;
// WithCredentials keeps a password out of the URL. A URL without a user
// logs in as guest.
func Connect(ctx context.Context, rawURL string, opts ...Option) (*Client, error) {
	t, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smbfs: %w", err)
	}
	return connect(ctx, t, opts)
}

func connect(ctx context.Context, t *target, opts []Option) (*Client, error) {
	var o options
	o.user, o.domain, o.password = t.user, t.domain, t.password
	o.hasUser, o.hasPassword = t.hasUser, t.hasPass
	for _, opt := range opts {
		opt(&o)
	}
	if o.proto.ServerName == "" {
		o.proto.ServerName = t.host
	}
	addr := net.JoinHostPort(t.host, t.port)
	newAuth, err := o.authFactory(t)
	if err != nil {
		return nil, fmt.Errorf("smbfs: log in to %s: %w", addr, err)
	}
	conn, err := protocol.Dial(ctx, addr, &o.proto)
	if err != nil {
		return nil, fmt.Errorf("smbfs: connect %s: %w", addr, err)
	}
	auth, err := newAuth()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("smbfs: log in to %s: %w", addr, err)
	}
	sess, err := conn.SessionSetup(ctx, auth)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("smbfs: log in to %s as %q: %w", addr, o.user, classify(err))
	}
	c := &Client{conn: conn, sess: sess, opts: o, host: t.host, addr: addr, newAuth: newAuth}
	c.dfs = newDFSPool(c, t, nil)
	c.installBreakHandler(conn)
	return c, nil
}

// authFactory returns a constructor of the session's Authenticator, kept
// so that a later session setup (a reconnect) can authenticate afresh.
func (o *options) authFactory(t *target) (func() (protocol.Authenticator, error), error) {
	if o.kerberos != nil || t.auth == urlAuthKerberos {
		return o.kerberosFactory(t)
	}
	return func() (protocol.Authenticator, error) { return o.authenticator(), nil }, nil
}

// authenticator picks the authentication mechanism for the options.
func (o *options) authenticator() protocol.Authenticator {
	if o.anonymous {
		return protocol.NewNTLMAuthenticator("", "", "")
	}
	if !o.hasUser {
		// No user named: log in as guest. A null session would also get
		// in, but servers give it an anonymous token that may not even
		// own the files it creates (Samba: ACCESS_DENIED inside a
		// directory the same session just made).
		return protocol.NewNTLMAuthenticator("", "guest", "")
	}
	return protocol.NewNTLMAuthenticator(o.domain, o.user, o.password)
}

// Mount connects to share and returns a file system rooted at its top.
func (c *Client) Mount(ctx context.Context, share string) (*FS, error) {
	tree, err := c.Session().TreeConnect(ctx, share)
	if err != nil {
		return nil, &fs.PathError{Op: "mount", Path: share, Err: classify(err)}
	}
	cfg := c.opts.pipe
	cfg.Logger = c.opts.proto.Logger
	m := &mount{client: c, tree: tree, share: pipeline.NewShare(tree, cfg)}
	c.addMount(m, share)
	return &FS{m: m, mapping: !c.opts.noNameMapping}, nil
}

// Conn returns the connection in use, for the low-level API. After a
// reconnect it is a new one.
func (c *Client) Conn() *protocol.Conn {
	conn, _ := c.current()
	return conn
}

// Session returns the session in use, for the low-level API. After a
// reconnect it is a new one.
func (c *Client) Session() *protocol.Session {
	_, sess := c.current()
	return sess
}

// Close logs off and closes the connection. Every FS mounted from the client
// stops working. Close is safe to call more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.dfsPool().close() // the DFS targets' connections first
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.closeTimeout())
		defer cancel()
		conn, sess := c.shutdown()
		err := sess.Logoff(ctx)
		conn.Close()
		var ce *protocol.ConnectionError
		if errors.As(err, &ce) {
			err = nil // the connection was already gone: nothing left to log off
		}
		c.closeErr = err
	})
	return c.closeErr
}

// Dial connects and mounts in one step: the URL is
// smb://[domain;]user[:password]@host[:port]/share[/dir], and the returned
// FS is rooted at dir. Closing the FS closes the connection.
func Dial(ctx context.Context, rawURL string, opts ...Option) (*FS, error) {
	t, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smbfs: %w", err)
	}
	if t.share == "" {
		return nil, fmt.Errorf("smbfs: URL %q names no share", redact(rawURL))
	}
	c, err := connect(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	fsys, err := c.Mount(ctx, t.share)
	if err != nil {
		c.Close()
		return nil, err
	}
	fsys.m.ownsClient = true
	if t.dir != "" {
		sub, err := fsys.Sub(t.dir)
		if err != nil {
			fsys.Close()
			return nil, err
		}
		return sub.(*FS), nil
	}
	return fsys, nil
}

// redact removes a password from a URL for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "smb://…"
	}
	return u.Redacted()
}
