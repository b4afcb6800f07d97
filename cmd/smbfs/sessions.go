package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"time"

	"github.com/smbfs/smbfs"
)

// connectTimeout bounds connecting and logging in to one server.
const connectTimeout = 30 * time.Second

// errLogin marks a failed log-in, so that its message is kept as written.
var errLogin = errors.New("login failed")

// sessions holds the connections and mounts one run opened: every target
// on the same server and user shares a connection, every target on the
// same share a mount.
type sessions struct {
	a       *app
	clients map[string]*smbfs.Client
	mounts  map[string]*smbfs.FS
	order   []*smbfs.Client // to close in opening order
}

func newSessions(a *app) *sessions {
	return &sessions{a: a, clients: map[string]*smbfs.Client{}, mounts: map[string]*smbfs.FS{}}
}

// client returns the connection for r's server, connecting and logging
// in on first use.
func (s *sessions) client(ctx context.Context, r *remote) (*smbfs.Client, error) {
	key := r.serverKey()
	if c := s.clients[key]; c != nil {
		return c, nil
	}
	if (s.a.kerberos || r.kerberos()) && s.a.serverName == "" && net.ParseIP(r.host) != nil {
		// Kerberos asks the KDC for a ticket to cifs/<host name>; an
		// address cannot name that principal.
		return nil, fmt.Errorf("%w: Kerberos needs the server's host name, and the URL names it by address %s: add --server-name HOST", errLogin, r.host)
	}
	opts := s.a.clientOptions()
	if !r.hasPassword && r.user != "" && !r.kerberos() && !s.a.kerberos {
		pw, err := s.a.creds.password(ctx, r)
		if err != nil {
			return nil, err
		}
		opts = append(opts, smbfs.WithPassword(pw))
	}
	url := r.connectURL()
	if r.hasPassword {
		s.a.creds.warnURLPassword(r)
		opts = append(opts, smbfs.WithPassword(r.password))
	}
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	c, err := smbfs.Connect(cctx, url, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if s.a.kerberos || r.kerberos() {
			// The Kerberos error says what went wrong (no ticket, an
			// unknown principal, a clock skew) better than a guess.
			return nil, fmt.Errorf("%w with Kerberos: %v", errLogin, err)
		}
		if errors.Is(err, fs.ErrPermission) {
			who := "guest"
			if r.user != "" {
				who = fmt.Sprintf("%q", r.user)
			}
			return nil, fmt.Errorf("%w as %s: wrong user name or password, or the account may not log in", errLogin, who)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("connect %s:%s: no answer within %v", r.host, r.port, connectTimeout)
		}
		return nil, err
	}
	s.clients[key] = c
	s.order = append(s.order, c)
	return c, nil
}

// fs returns the mounted share r names (its root: r.path is used by the
// caller), connecting on first use. The FS uses ctx.
func (s *sessions) fs(ctx context.Context, r *remote) (*smbfs.FS, error) {
	if r.share == "" {
		return nil, failf("mount", r, errors.New("the URL names no share (want smb://host/share/path)"))
	}
	key := r.shareKey()
	if m := s.mounts[key]; m != nil {
		return m.WithContext(ctx), nil
	}
	c, err := s.client(ctx, r)
	if err != nil {
		return nil, failf("connect", r.at(".").serverOnly(), err)
	}
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	m, err := c.Mount(cctx, r.share)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			err = errors.New("no such share")
		case errors.Is(err, fs.ErrPermission):
			err = errors.New("access to the share denied")
		}
		return nil, failf("mount", r.at("."), err)
	}
	s.mounts[key] = m
	return m.WithContext(ctx), nil
}

// closeAll disconnects everything, politely but without waiting long.
func (s *sessions) closeAll() {
	for _, m := range s.mounts {
		m.Close()
	}
	for _, c := range s.order {
		c.Close()
	}
	clear(s.mounts)
	clear(s.clients)
	s.order = nil
}

// serverOnly is r without its share, for messages about the server.
func (r *remote) serverOnly() *remote {
	c := *r
	c.share, c.path = "", "."
	return &c
}

// debugLogger logs the client's records to w, for --debug.
func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// eachTarget runs fn on every URL of args with the FS of its share, as the
// commands that take several URLs do: a failure — to connect, or fn's,
// reported as op on that URL — is printed and the next URL is tried; an
// interrupt stops the loop. i is the URL's position in args.
func (a *app) eachTarget(ctx context.Context, args []string, op string, fn func(i int, r *remote, fsys *smbfs.FS) error) error {
	targets, err := parseRemotes(args)
	if err != nil {
		return err
	}
	for i, r := range targets {
		fsys, err := a.sessions.fs(ctx, r)
		if err == nil {
			err = failf(op, r, fn(i, r, fsys))
		}
		a.report(err)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}
