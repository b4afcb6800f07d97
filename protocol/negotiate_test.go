package protocol

import (
	"bytes"
	"context"
	"crypto/sha512"
	"errors"
	"net"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smbfs/smbfs/protocol/smbcrypto"
	"github.com/smbfs/smbfs/protocol/wire"
)

var allDialects = []wire.Dialect{wire.Dialect202, wire.Dialect210, wire.Dialect300, wire.Dialect302, wire.Dialect311}

// TestNegotiateRequest checks what the client offers (MS-SMB2 3.2.4.2.2).
func TestNegotiateRequest(t *testing.T) {
	guid := [16]byte{0xC1, 0x1E, 0x47, 15: 0x99}
	tests := []struct {
		name        string
		cfg         Config
		dialects    []wire.Dialect
		secMode     wire.SecurityMode
		caps        wire.Capabilities
		contexts    bool     // 3.1.1 contexts expected
		ciphers     []uint16 // nil: no encryption context
		signingAlgs []uint16
	}{
		{
			name:        "defaults",
			cfg:         Config{ClientGUID: guid, ServerName: "fs1.example"},
			dialects:    allDialects,
			secMode:     wire.SigningEnabled,
			caps:        wire.CapDFS | wire.CapLargeMTU | wire.CapEncryption,
			contexts:    true,
			ciphers:     []uint16{wire.CipherAES128GCM, wire.CipherAES256GCM, wire.CipherAES128CCM, wire.CipherAES256CCM},
			signingAlgs: []uint16{wire.SigningAESGMAC, wire.SigningAESCMAC, wire.SigningHMACSHA256},
		},
		{
			name: "signing required, chosen algorithms",
			cfg: Config{ClientGUID: guid, ServerName: "fs1.example", Signing: PolicyRequired,
				Ciphers: []uint16{wire.CipherAES256CCM}, SigningAlgorithms: []uint16{wire.SigningAESCMAC}},
			dialects:    allDialects,
			secMode:     wire.SigningEnabled | wire.SigningRequired,
			caps:        wire.CapDFS | wire.CapLargeMTU | wire.CapEncryption,
			contexts:    true,
			ciphers:     []uint16{wire.CipherAES256CCM},
			signingAlgs: []uint16{wire.SigningAESCMAC},
		},
		{
			name:        "encryption off",
			cfg:         Config{ClientGUID: guid, ServerName: "fs1.example", Encryption: PolicyOff},
			dialects:    allDialects,
			secMode:     wire.SigningEnabled,
			caps:        wire.CapDFS | wire.CapLargeMTU,
			contexts:    true,
			signingAlgs: []uint16{wire.SigningAESGMAC, wire.SigningAESCMAC, wire.SigningHMACSHA256},
		},
		{
			name:     "up to 3.0.2: no contexts",
			cfg:      Config{ClientGUID: guid, ServerName: "fs1.example", MaxDialect: wire.Dialect302},
			dialects: allDialects[:4],
			secMode:  wire.SigningEnabled,
			caps:     wire.CapDFS | wire.CapLargeMTU | wire.CapEncryption,
		},
		{
			name:        "3.1.1 only",
			cfg:         Config{ClientGUID: guid, ServerName: "fs1.example", MinDialect: wire.Dialect311},
			dialects:    []wire.Dialect{wire.Dialect311},
			secMode:     wire.SigningEnabled,
			caps:        wire.CapDFS | wire.CapLargeMTU | wire.CapEncryption,
			contexts:    true,
			ciphers:     []uint16{wire.CipherAES128GCM, wire.CipherAES256GCM, wire.CipherAES128CCM, wire.CipherAES256CCM},
			signingAlgs: []uint16{wire.SigningAESGMAC, wire.SigningAESCMAC, wire.SigningHMACSHA256},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cli, p := newPeer(t)
				res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, &tc.cfg) })
				m := p.wantMsg(wire.CommandNegotiate)
				if m.MessageID != 0 || m.SessionID != 0 || m.CreditCharge != 0 {
					t.Errorf("header MessageId %d SessionId %d CreditCharge %d, want all 0", m.MessageID, m.SessionID, m.CreditCharge)
				}
				if m.Credits != 512 {
					t.Errorf("CreditRequest %d, want the default CreditTarget 512", m.Credits)
				}
				r := parseNegReq(t, m.msg)
				if !slices.Equal(r.dialects, tc.dialects) {
					t.Errorf("dialects %v, want %v", r.dialects, tc.dialects)
				}
				if r.secMode != tc.secMode {
					t.Errorf("SecurityMode %#x, want %#x", r.secMode, tc.secMode)
				}
				if r.caps != tc.caps {
					t.Errorf("Capabilities %#x, want %#x", r.caps, tc.caps)
				}
				if r.guid != guid {
					t.Errorf("ClientGuid % X, want % X", r.guid, guid)
				}
				if !tc.contexts {
					if r.ctxOffset != 0 || len(r.contexts) != 0 {
						t.Errorf("contexts at %d (%d of them) offered without 3.1.1", r.ctxOffset, len(r.contexts))
					}
				} else {
					checkOfferedContexts(t, r, tc.ciphers, tc.signingAlgs, "fs1.example")
				}
				answer := defaultNeg(tc.dialects[len(tc.dialects)-1])
				if tc.contexts {
					cipherID := uint16(0xFFFF)
					if tc.ciphers != nil {
						cipherID = tc.ciphers[0]
					}
					answer = answer.with311Contexts(cipherID, tc.signingAlgs[0])
				}
				p.answerNegotiate(m, answer)
				c, err := res.wait(t)
				if err != nil {
					t.Fatalf("NewConn: %v", err)
				}
				c.Close()
			})
		})
	}
}

// checkOfferedContexts checks the 3.1.1 negotiate contexts of r
// (MS-SMB2 2.2.3.1).
func checkOfferedContexts(t *testing.T, r negReq, ciphers, signing []uint16, netname string) {
	t.Helper()
	if r.ctxOffset%8 != 0 {
		t.Errorf("NegotiateContextOffset %d not 8-aligned", r.ctxOffset)
	}
	data, ok := r.context(wire.ContextPreauthIntegrity)
	if !ok {
		t.Fatal("no preauth integrity context")
	}
	hashes, salt, err := wire.ParsePreauthIntegrity(data)
	if err != nil || !slices.Equal(hashes, []uint16{wire.HashSHA512}) || len(salt) != 32 || bytes.Equal(salt, make([]byte, 32)) {
		t.Errorf("preauth context: hashes %v salt % X err %v; want SHA-512 and 32 random bytes", hashes, salt, err)
	}
	if r.contexts[0].Type != wire.ContextPreauthIntegrity {
		t.Errorf("first context is %v, want preauth integrity", r.contexts[0].Type)
	}
	data, ok = r.context(wire.ContextEncryption)
	if ciphers == nil {
		if ok {
			t.Errorf("encryption context offered with encryption off")
		}
	} else {
		got, err := wire.ParseEncryption(data)
		if !ok || err != nil || !slices.Equal(got, ciphers) {
			t.Errorf("encryption context %v (present %v, err %v), want %v", got, ok, err, ciphers)
		}
	}
	data, ok = r.context(wire.ContextSigning)
	got, err := wire.ParseSigning(data)
	if !ok || err != nil || !slices.Equal(got, signing) {
		t.Errorf("signing context %v (present %v, err %v), want %v", got, ok, err, signing)
	}
	data, ok = r.context(wire.ContextNetname)
	if name, err := wire.DecodeUTF16(data); !ok || err != nil || name != netname {
		t.Errorf("netname context %q (present %v, err %v), want %q", name, ok, err, netname)
	}
}

// TestNegotiateSaltIsFresh checks that every connection hashes with a new
// random salt.
func TestNegotiateSaltIsFresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var salts [][]byte
		for range 2 {
			cli, p := newPeer(t)
			res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, nil) })
			m := p.wantMsg(wire.CommandNegotiate)
			data, _ := parseNegReq(t, m.msg).context(wire.ContextPreauthIntegrity)
			_, salt, _ := wire.ParsePreauthIntegrity(data)
			salts = append(salts, salt)
			p.answerNegotiate(m, defaultNeg(wire.Dialect311))
			c, err := res.wait(t)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
		}
		if bytes.Equal(salts[0], salts[1]) {
			t.Errorf("two connections used the same salt % X", salts[0])
		}
	})
}

// TestNegotiateResponse checks what the client records from a successful
// NEGOTIATE (MS-SMB2 3.2.5.2).
func TestNegotiateResponse(t *testing.T) {
	big := func(n negResp) negResp {
		n.maxRead, n.maxWrite, n.maxTransact = 1<<20, 2<<20, 512<<10
		return n
	}
	tests := []struct {
		name                    string
		cfg                     Config
		resp                    negResp
		cipher, signAlg         uint16
		maxRead, maxWrite, maxT uint32
		signingRequired         bool
	}{
		{
			name: "3.1.1 AES-256-GCM AES-CMAC",
			resp: func() negResp {
				n := big(defaultNeg(wire.Dialect311)).with311Contexts(wire.CipherAES256GCM, wire.SigningAESCMAC)
				n.secMode |= wire.SigningRequired
				return n
			}(),
			cipher: wire.CipherAES256GCM, signAlg: wire.SigningAESCMAC,
			maxRead: 1 << 20, maxWrite: 2 << 20, maxT: 512 << 10, signingRequired: true,
		},
		{
			name:   "3.1.1 default contexts",
			resp:   defaultNeg(wire.Dialect311),
			cipher: wire.CipherAES128GCM, signAlg: wire.SigningAESGMAC,
			maxRead: 8 << 20, maxWrite: 8 << 20, maxT: 8 << 20,
		},
		{
			name:   "3.1.1 no signing context, no common cipher",
			resp:   defaultNeg(wire.Dialect311).with311Contexts(0, 0xFFFF),
			cipher: 0, signAlg: wire.SigningAESCMAC,
			maxRead: 8 << 20, maxWrite: 8 << 20, maxT: 8 << 20,
		},
		{
			name:   "3.1.1 encryption off ignores the server's cipher",
			cfg:    Config{Encryption: PolicyOff},
			resp:   defaultNeg(wire.Dialect311).with311Contexts(0xFFFF, wire.SigningAESGMAC),
			cipher: 0, signAlg: wire.SigningAESGMAC,
			maxRead: 8 << 20, maxWrite: 8 << 20, maxT: 8 << 20,
		},
		{
			name:   "3.0.2 with encryption",
			resp:   big(defaultNeg(wire.Dialect302)),
			cipher: wire.CipherAES128CCM, signAlg: wire.SigningAESCMAC,
			maxRead: 1 << 20, maxWrite: 2 << 20, maxT: 512 << 10,
		},
		{
			name: "3.0 without encryption",
			resp: func() negResp {
				n := defaultNeg(wire.Dialect300)
				n.caps &^= wire.CapEncryption
				return n
			}(),
			cipher: 0, signAlg: wire.SigningAESCMAC,
			maxRead: 8 << 20, maxWrite: 8 << 20, maxT: 8 << 20,
		},
		{
			name:    "2.1 large MTU",
			resp:    defaultNeg(wire.Dialect210),
			signAlg: wire.SigningHMACSHA256,
			maxRead: 8 << 20, maxWrite: 8 << 20, maxT: 8 << 20,
		},
		{
			name: "2.1 without large MTU is held to 64 KiB",
			resp: func() negResp {
				n := defaultNeg(wire.Dialect210)
				n.caps = 0
				return n
			}(),
			signAlg: wire.SigningHMACSHA256,
			maxRead: 65536, maxWrite: 65536, maxT: 65536,
		},
		{
			name:    "2.0.2 ignores LARGE_MTU and is held to 64 KiB",
			resp:    func() negResp { n := defaultNeg(wire.Dialect202); n.caps = wire.CapLargeMTU; return n }(),
			signAlg: wire.SigningHMACSHA256,
			maxRead: 65536, maxWrite: 65536, maxT: 65536,
		},
		{
			name: "limits beyond what a frame can carry are clamped",
			resp: func() negResp {
				n := defaultNeg(wire.Dialect311)
				n.maxRead, n.maxWrite, n.maxTransact = 0xFFFFFFFF, 64<<20, 16<<20
				return n
			}(),
			cipher: wire.CipherAES128GCM, signAlg: wire.SigningAESGMAC,
			maxRead: 8 << 20, maxWrite: 8 << 20, maxT: 8 << 20,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, &tc.cfg, tc.resp)
				if c.Dialect() != tc.resp.dialect {
					t.Errorf("Dialect %v, want %v", c.Dialect(), tc.resp.dialect)
				}
				if c.Cipher() != tc.cipher || c.SigningAlgorithm() != tc.signAlg {
					t.Errorf("cipher %#x signing %#x, want %#x %#x", c.Cipher(), c.SigningAlgorithm(), tc.cipher, tc.signAlg)
				}
				if c.MaxReadSize() != tc.maxRead || c.MaxWriteSize() != tc.maxWrite || c.MaxTransactSize() != tc.maxT {
					t.Errorf("limits read %d write %d transact %d, want %d %d %d",
						c.MaxReadSize(), c.MaxWriteSize(), c.MaxTransactSize(), tc.maxRead, tc.maxWrite, tc.maxT)
				}
				if want := int64(max(tc.maxRead, tc.maxWrite, tc.maxT)) + 1<<16; c.frameLimit.Load() != want {
					t.Errorf("frame limit %d, want %d", c.frameLimit.Load(), want)
				}
				if c.ServerGUID() != testServerGUID || c.ServerCapabilities() != tc.resp.caps {
					t.Errorf("GUID % X caps %#x, want % X %#x", c.ServerGUID(), c.ServerCapabilities(), testServerGUID, tc.resp.caps)
				}
				if c.ServerSigningRequired() != tc.signingRequired {
					t.Errorf("ServerSigningRequired %v, want %v", c.ServerSigningRequired(), tc.signingRequired)
				}
				if string(c.negToken) != "spnego-hint" {
					t.Errorf("SPNEGO hint %q", c.negToken)
				}
				// The client's hash covers the exact bytes of both messages.
				if tc.resp.dialect == wire.Dialect311 && c.preauth != p.preauth {
					t.Errorf("pre-auth hash\n% X\nwant\n% X", c.preauth, p.preauth)
				}
				if tc.resp.dialect != wire.Dialect311 && c.preauth != (smbcrypto.PreauthHash{}) {
					t.Errorf("pre-auth hash set for dialect %v", tc.resp.dialect)
				}
				if c.Err() != nil {
					t.Errorf("Err() = %v on a healthy connection", c.Err())
				}
			})
		})
	}
}

// TestNegotiatePreauthHash recomputes the 3.1.1 connection hash with
// crypto/sha512 directly: H1 = SHA-512(0^64 || request), H2 =
// SHA-512(H1 || response) (MS-SMB2 3.2.5.2).
func TestNegotiatePreauthHash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cli, p := newPeer(t)
		res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, nil) })
		m := p.wantMsg(wire.CommandNegotiate)
		n := defaultNeg(wire.Dialect311)
		resp := p.chain(respTo(m, 0, 1, n.body()))
		p.writeFrame(resp)
		c, err := res.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		h1 := sha512.Sum512(append(make([]byte, 64), m.msg...))
		h2 := sha512.Sum512(append(h1[:], resp...))
		if c.preauth != smbcrypto.PreauthHash(h2) {
			t.Errorf("pre-auth hash\n% X\nwant\n% X", c.preauth, h2)
		}
	})
}

// TestNegotiateFailures checks that servers that cannot or will not speak
// SMB2 are reported promptly with a clear error, and that the client hangs
// up on them.
func TestNegotiateFailures(t *testing.T) {
	smb1 := append([]byte{0xFF, 'S', 'M', 'B', 0x72}, make([]byte, 35)...)
	tests := []struct {
		name   string
		cfg    Config
		script func(p *peer, m inMsg)
		want   error // errors.Is target
		conn   bool  // a *ConnectionError is expected
		after  time.Duration
	}{
		{
			name:   "SMB1 reply",
			script: func(p *peer, m inMsg) { p.writeFrame(smb1) },
			want:   ErrNotSMB2, conn: true,
		},
		{
			name:   "closed after reading the request",
			script: func(p *peer, m inMsg) { p.nc.Close() },
			want:   ErrNotSMB2, conn: true,
		},
		{
			name:   "HTTP reply",
			script: func(p *peer, m inMsg) { p.writeRaw([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")) },
			want:   ErrNotSMB2, conn: true,
		},
		{
			name: "unknown protocol id",
			script: func(p *peer, m inMsg) {
				p.writeFrame([]byte("\x7fSMB garbage garbage garbage garbage garbage garbage garbage garbage"))
			},
			want: ErrNotSMB2, conn: true,
		},
		{
			name: "dialect not offered",
			cfg:  Config{MaxDialect: wire.Dialect302},
			script: func(p *peer, m inMsg) {
				p.send(respTo(m, 0, 1, defaultNeg(wire.Dialect311).body()))
			},
			want: ErrNotSMB2, conn: true,
		},
		{
			name: "wildcard dialect",
			script: func(p *peer, m inMsg) {
				p.send(respTo(m, 0, 1, defaultNeg(wire.DialectWildcard).body()))
			},
			want: ErrNotSMB2, conn: true,
		},
		{
			name: "3.1.1 without preauth context",
			script: func(p *peer, m inMsg) {
				n := defaultNeg(wire.Dialect311)
				n.contexts = n.contexts[1:]
				p.send(respTo(m, 0, 1, n.body()))
			},
			want: wire.ErrMalformed, conn: true,
		},
		{
			name: "cipher not offered",
			script: func(p *peer, m inMsg) {
				p.send(respTo(m, 0, 1, defaultNeg(wire.Dialect311).with311Contexts(0x0007, wire.SigningAESGMAC).body()))
			},
			want: wire.ErrMalformed, conn: true,
		},
		{
			name: "signing algorithm not offered",
			cfg:  Config{SigningAlgorithms: []uint16{wire.SigningAESCMAC}},
			script: func(p *peer, m inMsg) {
				p.send(respTo(m, 0, 1, defaultNeg(wire.Dialect311).body())) // offers GMAC
			},
			want: wire.ErrMalformed, conn: true,
		},
		{
			name: "unusably small limits",
			script: func(p *peer, m inMsg) {
				n := defaultNeg(wire.Dialect311)
				n.maxRead = 1024
				p.send(respTo(m, 0, 1, n.body()))
			},
			want: wire.ErrMalformed, conn: true,
		},
		{
			name: "truncated response body",
			script: func(p *peer, m inMsg) {
				p.send(respTo(m, 0, 1, defaultNeg(wire.Dialect311).body()[:40]))
			},
			want: ErrNotSMB2, conn: true,
		},
		{
			name: "error status",
			script: func(p *peer, m inMsg) {
				p.send(respTo(m, wire.StatusNotSupported, 1, errorBody()))
			},
			want: wire.StatusNotSupported,
		},
		{
			name:   "silent server",
			cfg:    Config{HandshakeTimeout: 7 * time.Second},
			script: func(p *peer, m inMsg) {},
			want:   context.DeadlineExceeded,
			after:  7 * time.Second,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				cli, p := newPeer(t)
				res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, &tc.cfg) })
				m := p.wantMsg(wire.CommandNegotiate)
				tc.script(p, m)
				if tc.after > 0 {
					time.Sleep(tc.after - time.Nanosecond)
					res.wantBlocked(t)
					time.Sleep(time.Nanosecond)
				}
				c, err := res.wait(t)
				if err == nil {
					c.Close()
					t.Fatal("NewConn succeeded")
				}
				if !errors.Is(err, tc.want) {
					t.Errorf("error %v, want one wrapping %v", err, tc.want)
				}
				var ce *ConnectionError
				if tc.conn && !errors.As(err, &ce) {
					t.Errorf("error %v is not a *ConnectionError", err)
				}
				if got := time.Since(start); got != tc.after {
					t.Errorf("failed after %v, want %v", got, tc.after)
				}
				p.wantHangup()
			})
		})
	}
}

// TestNegotiateCloseBeforeRead covers a server that hangs up without even
// reading the request: whether the client's write or its read notices
// first, the caller learns the server does not speak SMB2.
func TestNegotiateCloseBeforeRead(t *testing.T) {
	for range 20 {
		synctest.Test(t, func(t *testing.T) {
			cli, srv := net.Pipe()
			srv.Close()
			_, err := NewConn(context.Background(), cli, nil)
			if !errors.Is(err, ErrNotSMB2) {
				t.Fatalf("error %v, want ErrNotSMB2", err)
			}
		})
	}
}
