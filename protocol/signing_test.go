package protocol

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smbfs/smbfs/protocol/smbcrypto"
	"github.com/smbfs/smbfs/protocol/wire"
)

// signingNeg returns a NEGOTIATE response for d whose server requires
// signing, with signAlg chosen for 3.1.1.
func signingNeg(d wire.Dialect, signAlg uint16) negResp {
	n := defaultNeg(d)
	n.secMode |= wire.SigningRequired
	if d == wire.Dialect311 {
		n = n.with311Contexts(wire.CipherAES128GCM, signAlg)
	}
	return n
}

// wantSigned checks that m carries a valid signature under the session's
// signing key (MS-SMB2 3.1.4.1) and none under another key.
func wantSigned(t *testing.T, p *peer, m inMsg) {
	t.Helper()
	if m.Flags&wire.FlagSigned == 0 {
		t.Fatalf("%v (id %d) not flagged signed", m.Command, m.MessageID)
	}
	if !smbcrypto.Verify(p.sess.signer, m.msg) {
		t.Fatalf("%v (id %d) signature does not verify", m.Command, m.MessageID)
	}
	other, _ := smbcrypto.NewSigner(p.signAlg, bytes.Repeat([]byte{7}, 16))
	if smbcrypto.Verify(other, m.msg) {
		t.Fatalf("%v signature verifies under an unrelated key", m.Command)
	}
}

var signingCases = []struct {
	name    string
	dialect wire.Dialect
	alg     uint16
}{
	{"2.1 HMAC-SHA256", wire.Dialect210, wire.SigningHMACSHA256},
	{"3.0 AES-CMAC", wire.Dialect300, wire.SigningAESCMAC},
	{"3.0.2 AES-CMAC", wire.Dialect302, wire.SigningAESCMAC},
	{"3.1.1 AES-CMAC", wire.Dialect311, wire.SigningAESCMAC},
	{"3.1.1 AES-GMAC", wire.Dialect311, wire.SigningAESGMAC},
}

// TestSigning sets up a session on a server that requires signing and
// checks that requests, CANCELs included, carry valid signatures and that
// signed responses are accepted. For 3.1.1 the peer derives the keys from
// its own pre-authentication hash, which leaves out the final SESSION_SETUP
// response, so agreement also checks the client's hash.
func TestSigning(t *testing.T) {
	for _, tc := range signingCases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, signingNeg(tc.dialect, tc.alg))
				if c.SigningAlgorithm() != tc.alg {
					t.Fatalf("signing algorithm %#x, want %#x", c.SigningAlgorithm(), tc.alg)
				}
				s := p.session(c, sessOpts{})
				if !s.Signing() || s.Encrypted() || s.IsGuest() || s.IsAnonymous() || s.ID() != testSessionID {
					t.Errorf("session signing %v encrypted %v guest %v anonymous %v id %#x",
						s.Signing(), s.Encrypted(), s.IsGuest(), s.IsAnonymous(), s.ID())
				}
				if !bytes.Equal(s.ApplicationKey(), p.sess.keys.Application) {
					t.Errorf("application key % X, want % X", s.ApplicationKey(), p.sess.keys.Application)
				}

				call := goSend(t.Context(), c, s.Request(&wire.EchoRequest{}))
				m := p.wantMsg(wire.CommandEcho)
				if m.SessionID != testSessionID {
					t.Errorf("SessionId %#x", m.SessionID)
				}
				wantSigned(t, p, m)
				p.send(respTo(m, 0, 1, emptyBody()).signed())
				if _, err := call.wait(t); err != nil {
					t.Fatal(err)
				}

				ctx, cancel := context.WithCancel(t.Context())
				call = goSend(ctx, c, &Request{Body: &wire.ChangeNotifyRequest{OutputBufferLength: 100}, Session: s, TreeID: 1})
				m = p.wantMsg(wire.CommandChangeNotify)
				wantSigned(t, p, m)
				p.send(interim(m, 5, 1))
				call.wantBlocked(t) // the AsyncId is known before the abandon
				cancel()
				call.wait(t)
				cm := p.wantMsg(wire.CommandCancel)
				wantSigned(t, p, cm)
				p.send(respTo(m, wire.StatusCancelled, 1, errorBody()).async(5).signed())
				synctest.Wait()
				if err := c.Err(); err != nil {
					t.Fatalf("connection failed: %v", err)
				}
			})
		})
	}
}

// TestSigningOptional covers a 3.1.1 session whose signing is optional:
// requests go unsigned except TREE_CONNECT (MS-SMB2 3.2.4.1.1), and
// unsigned responses are accepted.
func TestSigningOptional(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
		s := p.session(c, sessOpts{})
		if s.Signing() {
			t.Error("session signs although neither side requires it")
		}
		call := goSend(t.Context(), c, s.Request(&wire.EchoRequest{}))
		m := p.wantMsg(wire.CommandEcho)
		if m.Flags&wire.FlagSigned != 0 {
			t.Error("ECHO signed on a session that does not require signing")
		}
		p.send(respTo(m, 0, 1, emptyBody()))
		if _, err := call.wait(t); err != nil {
			t.Fatal(err)
		}

		tc := goAsync(func() (*Tree, error) { return s.TreeConnect(t.Context(), "share") })
		m = p.wantMsg(wire.CommandTreeConnect)
		wantSigned(t, p, m)
		r := respTo(m, 0, 1, treeConnectBody(0))
		r.h.TreeID = 9
		p.send(r.signed())
		tree, err := tc.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		if tree.ID() != 9 || tree.Encrypted() {
			t.Errorf("tree id %d encrypted %v", tree.ID(), tree.Encrypted())
		}
	})
}

// TestSigningCompound checks that each part of a compound chain is signed
// on its own, over its padded bytes (MS-SMB2 3.2.4.1.4), and that a signed
// compound response verifies part by part.
func TestSigningCompound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, signingNeg(wire.Dialect311, wire.SigningAESGMAC))
		s := p.session(c, sessOpts{})
		call := goSend(t.Context(), c, compoundReqs(s, 3)...)
		f := p.wantFrame()
		checkCompound(t, f, wire.CommandCreate, wire.CommandRead, wire.CommandClose)
		for _, m := range f.msgs {
			wantSigned(t, p, m)
		}
		// The CREATE body is 56 bytes plus an 18-byte name: 138 bytes
		// padded to 144. The signature covers the padding too.
		first := f.msgs[0]
		if len(first.msg) != 144 {
			t.Fatalf("first part is %d bytes, want 144", len(first.msg))
		}
		if smbcrypto.Verify(p.sess.signer, first.msg[:138]) {
			t.Error("first part verifies without its padding")
		}
		p.send(respTo(f.msgs[0], 0, 1, errorBody()).signed(),
			respTo(f.msgs[1], 0, 1, readBody([]byte("abc"))).signed(),
			respTo(f.msgs[2], 0, 1, errorBody()).signed())
		resps, err := call.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		if readData(t, resps[1]) != "abc" {
			t.Error("wrong READ data")
		}
	})
}

// TestSigningViolations checks that a response with a bad signature, or an
// unsigned response to a signed request on a signing-required session,
// fails the connection (MS-SMB2 3.2.5.1.3).
func TestSigningViolations(t *testing.T) {
	tests := []struct {
		name     string
		compound bool
		respond  func(p *peer, f *inFrame)
		want     error
	}{
		{"bad signature", false, func(p *peer, f *inFrame) {
			b := p.chain(respTo(f.msgs[0], 0, 1, emptyBody()).signed())
			b[len(b)-1] ^= 0x80 // a body byte: the signature no longer matches
			p.writeFrame(b)
		}, ErrBadSignature},
		{"bad signature on a compound's second part", true, func(p *peer, f *inFrame) {
			b := p.chain(respTo(f.msgs[0], 0, 1, errorBody()).signed(),
				respTo(f.msgs[1], 0, 1, readBody([]byte("x"))).signed(),
				respTo(f.msgs[2], 0, 1, errorBody()).signed())
			next := le32(b[20:])
			wire.Signature(b[next:])[3] ^= 1
			p.writeFrame(b)
		}, ErrBadSignature},
		{"unsigned response", false, func(p *peer, f *inFrame) {
			p.send(respTo(f.msgs[0], 0, 1, emptyBody()))
		}, ErrUnsigned},
		{"unsigned error response", false, func(p *peer, f *inFrame) {
			p.send(respTo(f.msgs[0], wire.StatusAccessDenied, 1, errorBody()))
		}, ErrUnsigned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, signingNeg(wire.Dialect311, wire.SigningAESGMAC))
				s := p.session(c, sessOpts{})
				other := goSend(t.Context(), c, echo())
				p.wantMsg(wire.CommandEcho)
				reqs := []*Request{s.Request(&wire.EchoRequest{})}
				if tc.compound {
					reqs = compoundReqs(s, 3)
				}
				call := goSend(t.Context(), c, reqs...)
				tc.respond(p, p.wantFrame())
				_, err := call.wait(t)
				wantConnError(t, err, tc.want)
				_, err = other.wait(t)
				wantConnError(t, err, tc.want)
				_, err = c.Send(t.Context(), s.Request(&wire.EchoRequest{}))
				wantConnError(t, err, tc.want)
				p.wantHangup()
			})
		})
	}
}

// TestSessionSetupVerification checks the final SESSION_SETUP response:
// for 3.1.1 it must be signed with the key derived from the pre-auth hash
// of exactly the preceding messages (MS-SMB2 3.2.5.3.1).
func TestSessionSetupVerification(t *testing.T) {
	tests := []struct {
		name    string
		neg     negResp
		opts    sessOpts
		want    error // nil: success
		signing bool
	}{
		{"3.1.1 unsigned final response", defaultNeg(wire.Dialect311), sessOpts{unsignedFinal: true}, ErrUnsigned, false},
		{"3.1.1 bad signature", defaultNeg(wire.Dialect311), sessOpts{corruptFinal: true}, ErrBadSignature, false},
		{"3.1.1 hash over different bytes", defaultNeg(wire.Dialect311), sessOpts{skipHashResp1: true}, ErrBadSignature, false},
		{"3.0 signing required, unsigned", signingNeg(wire.Dialect300, 0), sessOpts{unsignedFinal: true}, ErrUnsigned, true},
		{"3.0 signing optional, unsigned", defaultNeg(wire.Dialect300), sessOpts{unsignedFinal: true}, nil, false},
		{"2.1 signed", signingNeg(wire.Dialect210, 0), sessOpts{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, tc.neg)
				s, err := p.acceptSession(c, tc.opts)
				if tc.want == nil {
					if err != nil {
						t.Fatalf("SessionSetup: %v", err)
					}
					if s.Signing() != tc.signing {
						t.Errorf("Signing %v, want %v", s.Signing(), tc.signing)
					}
					return
				}
				wantConnError(t, err, tc.want)
				if s != nil {
					t.Error("session returned with the error")
				}
			})
		})
	}
}

// TestSessionSetupRefused checks that a refused logon is a StatusError and
// leaves the connection usable.
func TestSessionSetupRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
		res := goAsync(func() (*Session, error) { return c.SessionSetup(t.Context(), &fakeAuth{key: testSessionKey}) })
		m := p.wantMsg(wire.CommandSessionSetup)
		p.send(respTo(m, wire.StatusLogonFailure, 1, errorBody()))
		_, err := res.wait(t)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != wire.StatusLogonFailure {
			t.Fatalf("error %v, want STATUS_LOGON_FAILURE", err)
		}
		if c.Err() != nil {
			t.Errorf("connection failed: %v", c.Err())
		}
	})
}

// TestSessionSetupLostRequest: a SESSION_SETUP the server never answers
// (Samba can lose one while handing a new connection to another smbd
// process) fails after HandshakeTimeout when the caller set no deadline,
// instead of waiting for RequestTimeout.
func TestSessionSetupLostRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 5 * time.Second
		c, p := handshake(t, &Config{HandshakeTimeout: limit}, defaultNeg(wire.Dialect311))
		start := time.Now()
		res := goAsync(func() (*Session, error) { return c.SessionSetup(t.Context(), &fakeAuth{key: testSessionKey}) })
		m1 := p.wantMsg(wire.CommandSessionSetup)
		r1 := respTo(m1, wire.StatusMoreProcessingRequired, 8, sessionSetupBody(0, []byte("challenge")))
		r1.h.SessionID = testSessionID
		p.send(r1)
		p.wantMsg(wire.CommandSessionSetup) // lost: never answered
		time.Sleep(limit - time.Since(start) - time.Nanosecond)
		res.wantBlocked(t)
		time.Sleep(time.Nanosecond)
		if _, err := res.wait(t); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want context.DeadlineExceeded", err)
		}
		if got := time.Since(start); got != limit {
			t.Errorf("failed after %v, want %v", got, limit)
		}
	})
}
