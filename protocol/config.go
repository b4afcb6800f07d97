package protocol

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// Policy says how much the client insists on a protection (signing or
// encryption).
type Policy int

const (
	// PolicyAuto uses the protection when the server requires it, or the
	// share asks for it, and otherwise does without.
	PolicyAuto Policy = iota
	// PolicyRequired refuses to move any data without the protection: a
	// server that cannot provide it yields ErrSecurityPolicy.
	PolicyRequired
	// PolicyOff never asks for the protection; a server that requires it
	// will refuse the session.
	PolicyOff
)

// String returns "auto", "required" or "off".
func (p Policy) String() string {
	switch p {
	case PolicyAuto:
		return "auto"
	case PolicyRequired:
		return "required"
	case PolicyOff:
		return "off"
	}
	return "Policy(?)"
}

// CompressionMode says how a connection uses SMB2 compression.
type CompressionMode int

const (
	// CompressAuto offers LZ4 and Pattern_V1 (chained) in NEGOTIATE,
	// accepts compressed responses, and compresses WRITEs and asks for
	// compressed READs on shares that request it
	// (SMB2_SHAREFLAG_COMPRESS_DATA).
	CompressAuto CompressionMode = iota
	// CompressAlways also compresses every WRITE that shrinks and asks
	// for compressed READs on every share.
	CompressAlways
	// CompressOff does not offer compression.
	CompressOff
)

// Config tunes a connection. The zero value is ready to use: every field has
// a documented default.
type Config struct {
	// MinDialect and MaxDialect bound the dialects offered in NEGOTIATE.
	// Defaults: 2.0.2 and 3.1.1.
	MinDialect, MaxDialect wire.Dialect

	// Signing and Encryption are the protection policies. Default: auto.
	Signing, Encryption Policy

	// Compression says whether to negotiate LZ4 compression (3.1.1) and
	// when to use it. Default: CompressAuto.
	Compression CompressionMode

	// Ciphers lists the encryption ciphers offered for 3.1.1, most
	// preferred first. Default: AES-128-GCM, AES-256-GCM, AES-128-CCM,
	// AES-256-CCM — GCM first because it is parallel and, with AES-NI,
	// several times faster than CCM (which is serial); all four are safe.
	Ciphers []uint16

	// SigningAlgorithms lists the 3.1.1 signing algorithms offered, most
	// preferred first. Default: AES-GMAC, AES-CMAC, HMAC-SHA256.
	SigningAlgorithms []uint16

	// ClientGUID identifies this client to the server. The zero value means
	// a random GUID fixed for the life of the process: durable handles can
	// only be reclaimed by the client GUID that opened them
	// (MS-SMB2 3.3.5.9.12), so it must not change across reconnects.
	ClientGUID [16]byte

	// ServerName is the host name the client believes it talks to, sent in
	// the 3.1.1 netname context and used in tree paths. Default: the host
	// part of the dialled address.
	ServerName string

	// CreditTarget is how many credits the client asks the server to keep
	// available (granted but unused plus in flight). A deep pipeline needs
	// hundreds; a NAS that was asked for few grants few. Default 512.
	CreditTarget int

	// CreditWait bounds how long a request waits for credits before
	// failing with ErrNoCredits. Default 60 s.
	CreditWait time.Duration

	// ProbeAfter is how long the server may be silent, while requests are
	// outstanding, before the client sends an ECHO to see whether it is
	// alive. Default 10 s.
	ProbeAfter time.Duration

	// DeadAfter is how long the server may be silent, while requests are
	// outstanding (and after an ECHO), before the connection is declared
	// dead: every waiter then fails with a ConnectionError wrapping
	// ErrTimeout. Time the client process itself was frozen does not
	// count. Default 30 s.
	DeadAfter time.Duration

	// RequestTimeout bounds how long one request waits for its response
	// while the server keeps answering others (it lost this one): the
	// request then fails alone with ErrTimeout and the server is sent
	// CANCEL. A request the server acknowledged with an interim
	// STATUS_PENDING is not timed, nor is time the client was frozen.
	// Default 120 s. A silent server is caught sooner, by DeadAfter.
	RequestTimeout time.Duration

	// HandshakeTimeout bounds NEGOTIATE, and SESSION_SETUP, when the
	// caller's context has no deadline, so a server that accepts TCP and
	// then stays silent is reported promptly. Default 20 s.
	HandshakeTimeout time.Duration

	// WriteTimeout bounds how long one frame may take to reach the socket.
	// A peer that stops reading past it breaks the connection. Default 60 s.
	WriteTimeout time.Duration

	// Dial opens the TCP connection. Default: a net.Dialer.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)

	// Logger receives debug and warning records. Default: discard.
	Logger *slog.Logger
}

// processClientGUID is the GUID used when Config.ClientGUID is zero. It is
// created once and never changes: a per-process identity, not mutable state.
var processClientGUID = sync.OnceValue(func() (g [16]byte) {
	_, _ = rand.Read(g[:])
	g[7] = g[7]&0x0F | 0x40 // version 4
	g[8] = g[8]&0x3F | 0x80 // RFC 4122 variant
	return g
})

// withDefaults returns a copy of c with every zero field set to its default.
func (c *Config) withDefaults() Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.MinDialect == 0 {
		out.MinDialect = wire.Dialect202
	}
	if out.MaxDialect == 0 {
		out.MaxDialect = wire.Dialect311
	}
	if len(out.Ciphers) == 0 {
		out.Ciphers = []uint16{wire.CipherAES128GCM, wire.CipherAES256GCM, wire.CipherAES128CCM, wire.CipherAES256CCM}
	}
	if len(out.SigningAlgorithms) == 0 {
		out.SigningAlgorithms = []uint16{wire.SigningAESGMAC, wire.SigningAESCMAC, wire.SigningHMACSHA256}
	}
	if out.ClientGUID == ([16]byte{}) {
		out.ClientGUID = processClientGUID()
	}
	if out.CreditTarget <= 0 {
		out.CreditTarget = 512
	}
	if out.CreditWait <= 0 {
		out.CreditWait = 60 * time.Second
	}
	if out.ProbeAfter <= 0 {
		out.ProbeAfter = 10 * time.Second
	}
	if out.DeadAfter <= 0 {
		out.DeadAfter = 30 * time.Second
	}
	if out.DeadAfter <= out.ProbeAfter {
		out.DeadAfter = out.ProbeAfter + livenessTick
	}
	if out.RequestTimeout <= 0 {
		out.RequestTimeout = 120 * time.Second
	}
	if out.HandshakeTimeout <= 0 {
		out.HandshakeTimeout = 20 * time.Second
	}
	if out.WriteTimeout <= 0 {
		out.WriteTimeout = 60 * time.Second
	}
	if out.Dial == nil {
		var d net.Dialer
		out.Dial = d.DialContext
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}

// dialects returns the dialects to offer, lowest first.
func (c *Config) dialects() []wire.Dialect {
	var out []wire.Dialect
	for _, d := range []wire.Dialect{wire.Dialect202, wire.Dialect210, wire.Dialect300, wire.Dialect302, wire.Dialect311} {
		if d >= c.MinDialect && d <= c.MaxDialect {
			out = append(out, d)
		}
	}
	return out
}
