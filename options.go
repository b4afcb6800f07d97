package smbfs

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Option configures Connect and Dial.
type Option func(*options)

type options struct {
	user, domain, password string
	hasUser, hasPassword   bool
	anonymous              bool
	proto                  protocol.Config
	pipe                   pipeline.Config
	noNameMapping          bool
	reconnectBudget        time.Duration
	reconnectSet           bool
	reconnectHook          func(ReconnectEvent)
	kerberos               *KerberosConfig // nil: NTLM (unless the URL says auth=krb5)
	// hostMap gives the address to dial for a host DFS referrals name
	// (WithHostMap, dfs.go).
	hostMap func(host string) (addr string, ok bool)
}

// Policy says how much the client insists on signing or encryption.
type Policy = protocol.Policy

// Policies for WithSigning and WithEncryption.
const (
	// Auto protects messages when the server or share asks for it.
	Auto = protocol.PolicyAuto
	// Required refuses to move data without the protection.
	Required = protocol.PolicyRequired
	// Off never asks for the protection.
	Off = protocol.PolicyOff
)

// Dialect is an SMB dialect revision.
type Dialect = wire.Dialect

// The SMB dialects this client speaks.
const (
	SMB202 = wire.Dialect202
	SMB21  = wire.Dialect210
	SMB30  = wire.Dialect300
	SMB302 = wire.Dialect302
	SMB311 = wire.Dialect311
)

// WithCredentials sets the user, domain and password, overriding any in the
// URL, so that secrets need not appear in a URL.
func WithCredentials(domain, user, password string) Option {
	return func(o *options) {
		o.domain, o.user, o.password = domain, user, password
		o.hasUser, o.hasPassword = true, true
	}
}

// WithPassword sets the password for the user named in the URL.
func WithPassword(password string) Option {
	return func(o *options) { o.password, o.hasPassword = password, true }
}

// WithGuest logs in as the guest account ("guest", no password), which
// servers map to their guest user. Guest sessions can neither sign nor
// encrypt.
func WithGuest() Option {
	return func(o *options) {
		o.user, o.password, o.domain = "guest", "", ""
		o.hasUser, o.hasPassword, o.anonymous = true, true, false
	}
}

// WithAnonymous logs in with no credentials (a null session). Servers give
// such sessions very few rights; a URL without a user logs in as guest.
func WithAnonymous() Option {
	return func(o *options) { o.anonymous = true }
}

// WithDialects limits the dialects offered to [min, max].
func WithDialects(min, max Dialect) Option {
	return func(o *options) { o.proto.MinDialect, o.proto.MaxDialect = min, max }
}

// WithSigning sets the signing policy (default Auto).
func WithSigning(p Policy) Option {
	return func(o *options) { o.proto.Signing = p }
}

// WithEncryption sets the encryption policy (default Auto: encrypt when the
// server or the share requires it).
func WithEncryption(p Policy) Option {
	return func(o *options) { o.proto.Encryption = p }
}

// WithRequestTimeout bounds how long any single request may wait for the
// server's answer (default 60 s). Requests the server acknowledged as
// pending (e.g. change notifications) are exempt.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *options) { o.proto.RequestTimeout = d }
}

// WithHandshakeTimeout bounds each step of connection set-up (NEGOTIATE,
// SESSION_SETUP) when the context has no deadline (default 20 s).
func WithHandshakeTimeout(d time.Duration) Option {
	return func(o *options) { o.proto.HandshakeTimeout = d }
}

// WithLogger sends the client's debug and warning records to l. By default
// nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.proto.Logger = l }
}

// WithDialer replaces the function that opens the TCP connection (to go
// through a proxy, a tunnel or a test harness).
func WithDialer(dial func(ctx context.Context, network, address string) (net.Conn, error)) Option {
	return func(o *options) { o.proto.Dial = dial }
}

// WithServerName sets the host name used in tree paths and the 3.1.1 netname
// context, when the URL names an address the server does not know itself by.
func WithServerName(name string) Option {
	return func(o *options) { o.proto.ServerName = name }
}

// WithNameMapping turns the mapping of SMB-forbidden characters on (the
// default) or off. With it off, names containing `" * : < > ? \ |`, control
// characters or a trailing space or period fail with fs.ErrInvalid.
func WithNameMapping(on bool) Option {
	return func(o *options) { o.noNameMapping = !on }
}

// WithWindow sets how many chunks of one large read or write may be in
// flight at once (default 8).
func WithWindow(n int) Option {
	return func(o *options) { o.pipe.Window = n }
}

// WithChunkSizes sets the size of one READ and one WRITE in large
// transfers (defaults: the server's limits, at most 1 MiB each).
func WithChunkSizes(read, write int) Option {
	return func(o *options) { o.pipe.ReadChunk, o.pipe.WriteChunk = read, write }
}

// closeTimeout bounds the polite goodbye (LOGOFF, TREE_DISCONNECT) in Close.
func (o *options) closeTimeout() time.Duration { return 5 * time.Second }
