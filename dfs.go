package smbfs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// DFS namespaces (MS-DFSC), as a client follows them.
//
// A share whose tree connect says it is in a DFS namespace (a DFS root,
// such as a Samba share with "msdfs root = yes") may hold links: names
// that really live on another share, on this server or another one. Opening
// a name below a link fails with STATUS_PATH_NOT_COVERED; the client then
// asks the server (FSCTL_DFS_GET_REFERRALS on IPC$) where that prefix
// lives, caches the answer for the referral's TTL (protocol.ReferralCache:
// longest prefix, case-insensitive), mounts the first target that answers
// — a connection per target server, with the client's credentials and
// options, pooled in the Client and closed by Client.Close — and runs the
// operation again there. Later names under a cached prefix go straight to
// the target. FS users see none of this: every FS method resolves its
// names through FS.at.
//
// Referrals name hosts, never ports. A host is dialed at the address
// WithHostMap or WithHostMapFunc gives for it; otherwise at the host name
// itself and the port of the client's own server. A host whose address is
// the client's own server reuses the client's connection.

// maxReferralHops bounds how many referrals one name may go through (a
// link to a link…): a namespace that refers in a circle fails rather than
// spins.
const maxReferralHops = 8

// minReferralTTL is the shortest time a referral is cached: a server that
// sends a TTL of 0 would otherwise make every name cost a referral.
const minReferralTTL = time.Second

// WithHostMap maps host names that DFS referrals name to the address to
// dial, "host:port" or "host" (then the port of the client's own server):
// referrals carry no port, and a server behind NAT or a port forward names
// hosts the client cannot reach as they are. Keys match without regard to
// case. Hosts not in the map are dialed as named.
//
//	smbfs.WithHostMap(map[string]string{"fs2": "127.0.0.1:20445"})
func WithHostMap(hosts map[string]string) Option {
	m := make(map[string]string, len(hosts))
	for k, v := range hosts {
		m[strings.ToLower(k)] = v
	}
	return WithHostMapFunc(func(host string) (string, bool) {
		addr, ok := m[strings.ToLower(host)]
		return addr, ok
	})
}

// WithHostMapFunc is WithHostMap with a function: lookup returns the
// address to dial for a host a DFS referral names ("host:port" or "host"),
// or ok false to dial the host as named.
func WithHostMapFunc(lookup func(host string) (addr string, ok bool)) Option {
	return func(o *options) { o.hostMap = lookup }
}

// DFSError reports that no target of a DFS referral could be used: each
// target's error, in the order they were tried. errors.Is and errors.As
// look into all of them.
type DFSError struct {
	// Path is the DFS path the referral covers, `\server\share\link`.
	Path string
	// Targets are the targets tried, `\server\share[\path]`.
	Targets []string
	// Errs are the targets' errors, one per target.
	Errs []error
}

// Error lists every target with its error.
func (e *DFSError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "DFS %s: no target could be reached", e.Path)
	for i, t := range e.Targets {
		fmt.Fprintf(&b, "; %s: %v", t, e.Errs[i])
	}
	return b.String()
}

// Unwrap returns the targets' errors.
func (e *DFSError) Unwrap() []error { return e.Errs }

// errCrossTarget is the error of a rename between names on two different
// shares (through DFS links), which SMB cannot do.
var errCrossTarget = errors.New("rename between different DFS targets (different shares)")

// errDFSLinkRemove is the error of removing a DFS link itself: the link is
// the server's configuration, and removing the top of its target would
// mean removing a share's root.
var errDFSLinkRemove = errors.New("cannot remove a DFS link")

// location is where a name lives: the mounted share holding it and the SMB
// path inside that share (relative to its root; on a DFS share the
// protocol layer adds the DFS prefix).
type location struct {
	m    *mount
	path string
}

// at checks and maps name, then runs fn where the name lives: on this
// mount, unless the share is in a DFS namespace and the name is below a
// link, whose target share fn then runs on. When the server answers
// STATUS_PATH_NOT_COVERED, at follows the referral and runs fn again, so
// fn must do nothing before its first CREATE that it cannot do twice.
// Errors of fn are returned as they are; errors of the name or the DFS
// resolution are *fs.PathError.
func (fsys *FS) at(op, name string, fn func(l location) error) error {
	_, wp, err := fsys.resolve(op, name)
	if err != nil {
		return err
	}
	err = fsys.atWire(wp, fn)
	var re *resolveError
	if errors.As(err, &re) {
		return pathErr(op, name, re.err)
	}
	return err
}

// resolveError marks errors of the DFS resolution itself (not of fn).
type resolveError struct{ err error }

func (e *resolveError) Error() string { return e.err.Error() }
func (e *resolveError) Unwrap() error { return e.err }

// atWire is at for an already mapped SMB path.
func (fsys *FS) atWire(wp string, fn func(l location) error) error {
	home := fsys.m
	if !home.share.Tree().IsDFS() {
		return fn(location{home, wp})
	}
	p := home.client.dfsPool()
	ctx := fsys.context()
	for range maxReferralHops {
		l, err := p.locate(ctx, home, wp)
		if err != nil {
			return &resolveError{err}
		}
		err = fn(l)
		if !isStatus(err, wire.StatusPathNotCovered) {
			return err
		}
		if rerr := p.refer(ctx, l); rerr != nil {
			return &resolveError{fmt.Errorf("%w (after %w)", rerr, err)}
		}
	}
	return &resolveError{fmt.Errorf("DFS: more than %d referrals for %s", maxReferralHops, dfsJoin(home.share.Tree().DFSPrefix(), wp))}
}

// at2 resolves two names (for Rename and Copy) and runs fn with both
// locations. A name that resolves onto another share than the first one
// may still be below a link the cache does not know yet, so a name whose
// location looks like the first's home is confirmed by resolving its
// parent directory on the server (one Stat) before fn runs.
func (fsys *FS) at2(op, first, second string, fn func(a, b location) error) error {
	_, wpB, err := fsys.resolve(op, second)
	if err != nil {
		return err
	}
	return fsys.at(op, first, func(a location) error {
		b, err := fsys.locateConfirmed(wpB)
		if err != nil {
			return err
		}
		return fn(a, b)
	})
}

// locateConfirmed returns the location of wp, an SMB path on the FS's
// share, making sure that a DFS link above it is known to the cache.
func (fsys *FS) locateConfirmed(wp string) (location, error) {
	home := fsys.m
	if !home.share.Tree().IsDFS() {
		return location{home, wp}, nil
	}
	parent := ""
	if i := strings.LastIndexByte(wp, '\\'); i >= 0 {
		parent = wp[:i]
	}
	if parent != "" {
		// A Stat of the parent meets STATUS_PATH_NOT_COVERED if a link is
		// above it, and so fills the cache; its own result does not
		// matter here (the operation reports what is wrong with name).
		_ = fsys.atWire(parent, func(l location) error {
			_, err := l.m.share.Stat(fsys.context(), l.path, false)
			return err
		})
	}
	l, err := home.client.dfsPool().locate(fsys.context(), home, wp)
	if err != nil {
		return location{}, &resolveError{err}
	}
	return l, nil
}

// isLinkRoot reports whether l is the top of a DFS link's target rather
// than a name inside the FS's own share: removing or renaming it would act
// on the target share's root.
func (fsys *FS) isLinkRoot(l location) bool { return l.m != fsys.m && l.path == "" }

// dfsJoin joins a DFS prefix (`server\share`, as Tree.DFSPrefix gives it)
// and a share-relative path into the path a referral request names,
// `\server\share[\path]`.
func dfsJoin(prefix, path string) string {
	if path == "" {
		return `\` + prefix
	}
	return `\` + prefix + `\` + path
}

// dfsPool is a Client's DFS state: the referral cache, and the clients and
// mounts of the targets it has followed.
type dfsPool struct {
	home  *Client
	port  string // the port of home's URL: unmapped hosts are dialed there
	auth  string // home's URL auth parameter, for target connections
	cache *protocol.ReferralCache

	// referrals counts referral requests sent (for tests).
	referrals atomic.Int64

	mu      sync.Mutex
	closed  bool
	clients map[string]*pending[*Client] // by dial address; home is not in it
	mounts  map[string]*pending[*mount]  // by dial address + `\` + upper-case share
	ipc     map[*Client]*ipcTree
}

// ipcTree is a client's IPC$ tree connect, which referral requests go to,
// with the session it belongs to (a reconnect makes a new one).
type ipcTree struct {
	sess *protocol.Session
	tree *protocol.Tree
}

// pending is a value being made by one goroutine while others wait for it.
type pending[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// newDFSPool returns the DFS state of home, connected as t says.
func newDFSPool(home *Client, t *target, now func() time.Time) *dfsPool {
	return &dfsPool{
		home:    home,
		port:    t.port,
		auth:    t.auth,
		cache:   protocol.NewReferralCache(now),
		clients: make(map[string]*pending[*Client]),
		mounts:  make(map[string]*pending[*mount]),
		ipc:     make(map[*Client]*ipcTree),
	}
}

// dfsPool returns the client's DFS state.
func (c *Client) dfsPool() *dfsPool {
	c.dfsOnce.Do(func() {
		if c.dfs == nil {
			c.dfs = newDFSPool(c, &target{port: portOf(c.addr)}, nil)
		}
	})
	return c.dfs
}

// portOf returns the port of a host:port address ("" if it has none).
func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return port
}

// locate returns where wp (a path on home's share) lives according to the
// referral cache, mounting the target a cached referral points to; a
// target that is itself a DFS share is looked up again.
func (p *dfsPool) locate(ctx context.Context, home *mount, wp string) (location, error) {
	cur, path := home, wp
	for range maxReferralHops {
		ref, rest, ok := p.cache.Lookup(dfsJoin(cur.share.Tree().DFSPrefix(), path))
		if !ok {
			return location{cur, path}, nil
		}
		m, target, err := p.mountTarget(ctx, ref)
		if err != nil {
			return location{}, err
		}
		cur, path = m, target.Join(rest)
		if !m.share.Tree().IsDFS() {
			break
		}
	}
	return location{cur, path}, nil
}

// refer asks the server that holds l for the referral of l's path and
// caches it.
func (p *dfsPool) refer(ctx context.Context, l location) error {
	own := dfsJoin(l.m.share.Tree().DFSPrefix(), "")
	path := dfsJoin(l.m.share.Tree().DFSPrefix(), l.path)
	resp, err := p.referral(ctx, l.m.client, path)
	if err != nil {
		return err
	}
	ref, err := protocol.NewReferral(path, resp)
	if err != nil {
		return err
	}
	if strings.EqualFold(ref.Prefix, own) {
		// A referral for the share itself (a root referral) would send
		// the name back where it came from.
		return fmt.Errorf("DFS: the server reports %s as not covered, but refers to the share itself", path)
	}
	ref.TTL = max(ref.TTL, minReferralTTL)
	p.cache.Add(ref)
	return nil
}

// referral sends one referral request for path to c's server, over its
// IPC$ tree, connecting that tree first if needed (or again, after a
// reconnect or a failure).
func (p *dfsPool) referral(ctx context.Context, c *Client, path string) (*wire.DFSReferralResponse, error) {
	for attempt := 0; ; attempt++ {
		tree, err := p.ipcTree(ctx, c)
		if err != nil {
			return nil, err
		}
		p.referrals.Add(1)
		resp, err := tree.DFSReferral(ctx, path)
		var ce *protocol.ConnectionError
		if attempt == 0 && (errors.As(err, &ce) || isStatus(err, wire.StatusNetworkNameDeleted)) {
			p.dropIPC(c, tree)
			continue
		}
		return resp, err
	}
}

// ipcTree returns c's IPC$ tree on its current session.
func (p *dfsPool) ipcTree(ctx context.Context, c *Client) (*protocol.Tree, error) {
	sess := c.Session()
	p.mu.Lock()
	it := p.ipc[c]
	p.mu.Unlock()
	if it != nil && it.sess == sess {
		return it.tree, nil
	}
	tree, err := sess.TreeConnect(ctx, "IPC$")
	if err != nil {
		return nil, fmt.Errorf("DFS: connect IPC$ for a referral: %w", err)
	}
	p.mu.Lock()
	p.ipc[c] = &ipcTree{sess: sess, tree: tree}
	p.mu.Unlock()
	return tree, nil
}

// dropIPC forgets c's IPC$ tree if it is still tree.
func (p *dfsPool) dropIPC(c *Client, tree *protocol.Tree) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if it := p.ipc[c]; it != nil && it.tree == tree {
		delete(p.ipc, c)
	}
}

// mountTarget returns a mount of the first of ref's targets that can be
// mounted, trying them in order, and records a target other than the
// first that worked as the one to try first next time. When none works,
// the error is a *DFSError with every target's error.
func (p *dfsPool) mountTarget(ctx context.Context, ref *protocol.Referral) (*mount, protocol.ReferralTarget, error) {
	derr := &DFSError{Path: ref.Prefix}
	for i, t := range ref.Targets {
		m, err := p.mount(ctx, t.Server, t.Share)
		if err == nil {
			if i > 0 {
				p.cache.Prefer(ref.Prefix, t)
			}
			return m, t, nil
		}
		if ctx.Err() != nil {
			return nil, t, err
		}
		derr.Targets = append(derr.Targets, t.String())
		derr.Errs = append(derr.Errs, err)
	}
	return nil, protocol.ReferralTarget{}, derr
}

// address returns the address to dial for a host a referral names.
func (p *dfsPool) address(host string) string {
	addr := host
	if lookup := p.home.opts.hostMap; lookup != nil {
		if a, ok := lookup(host); ok && a != "" {
			addr = a
		}
	}
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	port := p.port
	if port == "" {
		port = fmt.Sprint(DefaultPort)
	}
	return net.JoinHostPort(strings.Trim(addr, "[]"), port)
}

// isHome reports whether host, dialed at addr, is the client's own
// server.
func (p *dfsPool) isHome(host, addr string) bool {
	if addr == p.home.addr {
		return true
	}
	if p.home.opts.hostMap != nil {
		if _, mapped := p.home.opts.hostMap(host); mapped {
			return false // the map sends it elsewhere
		}
	}
	return strings.EqualFold(host, p.home.host) ||
		p.home.opts.proto.ServerName != "" && strings.EqualFold(host, p.home.opts.proto.ServerName)
}

// mount returns the mount of share on host, mounting it (and connecting
// to host) the first time.
func (p *dfsPool) mount(ctx context.Context, host, share string) (*mount, error) {
	addr := p.address(host)
	key := addr + `\` + strings.ToUpper(share)
	return getOrMake(ctx, p, p.mounts, key, func() (*mount, error) {
		c, err := p.client(ctx, host, addr)
		if err != nil {
			return nil, err
		}
		fsys, err := c.Mount(ctx, share)
		if err != nil {
			return nil, err
		}
		return fsys.m, nil
	})
}

// client returns the client for host at addr: the home client for its own
// server, else a pooled connection made with the home client's options
// and credentials.
func (p *dfsPool) client(ctx context.Context, host, addr string) (*Client, error) {
	if p.isHome(host, addr) {
		return p.home, nil
	}
	return getOrMake(ctx, p, p.clients, addr, func() (*Client, error) {
		h, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		c, err := connect(ctx, &target{host: h, port: port, auth: p.auth}, []Option{p.inherit(host)})
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		closed := p.closed
		p.mu.Unlock()
		if closed {
			c.Close()
			return nil, &protocol.ConnectionError{Op: "DFS connect", Err: protocol.ErrClosed}
		}
		return c, nil
	})
}

// inherit is the Option that gives a target connection the home client's
// options, with the host the referral names as the server's name (for the
// DFS prefix, the 3.1.1 netname context and Kerberos' cifs/<host>).
func (p *dfsPool) inherit(host string) Option {
	o := p.home.opts
	o.proto.ServerName = host
	if o.kerberos != nil && o.kerberos.SPN != "" {
		k := *o.kerberos
		k.SPN = "" // an explicit SPN names the home server, not this one
		o.kerberos = &k
	}
	return func(dst *options) { *dst = o }
}

// getOrMake returns m[key], making it with build the first time; others
// asking meanwhile wait for the same result (or until their ctx ends). A failure is not kept: the
// next caller tries again.
func getOrMake[T any](ctx context.Context, p *dfsPool, m map[string]*pending[T], key string, build func() (T, error)) (T, error) {
	var zero T
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return zero, &protocol.ConnectionError{Op: "DFS", Err: protocol.ErrClosed}
	}
	if e, ok := m[key]; ok {
		p.mu.Unlock()
		select {
		case <-e.done:
			return e.v, e.err
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
	e := &pending[T]{done: make(chan struct{})}
	m[key] = e
	p.mu.Unlock()
	e.v, e.err = build()
	if e.err != nil {
		p.mu.Lock()
		if m[key] == e {
			delete(m, key)
		}
		p.mu.Unlock()
	}
	close(e.done)
	return e.v, e.err
}

// close closes every target connection the pool made (the home client's
// own mounts go with its connection). Called by Client.Close.
func (p *dfsPool) close() {
	p.mu.Lock()
	p.closed = true
	clients := p.clients
	p.clients = make(map[string]*pending[*Client])
	p.mu.Unlock()
	for _, e := range clients {
		<-e.done
		if e.err == nil {
			e.v.Close()
		}
	}
}

// crossTarget is the error of an operation on two names on different
// shares.
func crossTarget() error { return &Error{Kind: syscall.EXDEV, Err: errCrossTarget} }
