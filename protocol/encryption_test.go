package protocol

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/smbfs/smbfs/protocol/wire"
)

// encryptedSession negotiates dialect d with cipherID and sets up a session
// the server flags SMB2_SESSION_FLAG_ENCRYPT_DATA.
func encryptedSession(t *testing.T, d wire.Dialect, cipherID uint16) (*Conn, *peer, *Session) {
	t.Helper()
	n := defaultNeg(d)
	n.secMode |= wire.SigningRequired // encryption must still win over signing
	if d == wire.Dialect311 {
		n = n.with311Contexts(cipherID, wire.SigningAESGMAC)
	}
	c, p := handshake(t, &Config{Ciphers: []uint16{cipherID}}, n)
	if c.Cipher() != cipherID {
		t.Fatalf("cipher %#x, want %#x", c.Cipher(), cipherID)
	}
	s := p.session(c, sessOpts{flags: wire.SessionEncryptData})
	if !s.Encrypted() || !s.CanEncrypt() || !s.Signing() {
		t.Fatalf("session encrypted %v can encrypt %v signing %v", s.Encrypted(), s.CanEncrypt(), s.Signing())
	}
	return c, p, s
}

// wantSealed checks an encrypted request frame: a TRANSFORM_HEADER for the
// session, messages inside unsigned (the AEAD tag protects them,
// MS-SMB2 3.2.4.1.1).
func wantSealed(t *testing.T, f *inFrame, sid uint64) {
	t.Helper()
	if !f.encrypted {
		t.Fatalf("frame not encrypted: % X", f.raw[:min(16, len(f.raw))])
	}
	if f.tfSession != sid {
		t.Errorf("TRANSFORM_HEADER SessionId %#x, want %#x", f.tfSession, sid)
	}
	for _, m := range f.msgs {
		if m.Flags&wire.FlagSigned != 0 {
			t.Errorf("encrypted %v is also signed", m.Command)
		}
		if m.SessionID != sid {
			t.Errorf("%v SessionId %#x inside the frame", m.Command, m.SessionID)
		}
	}
}

// TestEncryption checks that every request of an encrypted session is
// sealed with the client-to-server key (MS-SMB2 3.1.4.3), with a fresh
// nonce each time, and that sealed responses are opened.
func TestEncryption(t *testing.T) {
	tests := []struct {
		name    string
		dialect wire.Dialect
		cipher  uint16
	}{
		{"3.1.1 AES-128-GCM", wire.Dialect311, wire.CipherAES128GCM},
		{"3.1.1 AES-256-GCM", wire.Dialect311, wire.CipherAES256GCM},
		{"3.1.1 AES-128-CCM", wire.Dialect311, wire.CipherAES128CCM},
		{"3.1.1 AES-256-CCM", wire.Dialect311, wire.CipherAES256CCM},
		{"3.0.2 AES-128-CCM", wire.Dialect302, wire.CipherAES128CCM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p, s := encryptedSession(t, tc.dialect, tc.cipher)
				var nonces [][]byte
				for i := range 3 {
					call := goSend(t.Context(), c, s.Request(&wire.EchoRequest{}))
					f := p.wantFrame()
					wantSealed(t, f, s.ID())
					nonces = append(nonces, f.raw[20:36])
					p.sendSealed(respTo(f.msgs[0], 0, 1, emptyBody()))
					resps, err := call.wait(t)
					if err != nil {
						t.Fatalf("echo %d: %v", i, err)
					}
					if !resps[0].Encrypted {
						t.Error("response not marked Encrypted")
					}
				}
				if bytes.Equal(nonces[0], nonces[1]) || bytes.Equal(nonces[1], nonces[2]) {
					t.Errorf("nonce reused: % X", nonces)
				}
			})
		})
	}
}

// TestEncryptionCompound checks that a compound chain is sealed as one
// unit, and that its CANCELs are sealed too.
func TestEncryptionCompound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p, s := encryptedSession(t, wire.Dialect311, wire.CipherAES128GCM)
		ctx, cancel := context.WithCancel(t.Context())
		call := goSend(ctx, c, compoundReqs(s, 4)...)
		f := p.wantFrame()
		wantSealed(t, f, s.ID())
		checkCompound(t, f, wire.CommandCreate, wire.CommandRead, wire.CommandClose)
		p.sendSealed(respTo(f.msgs[0], 0, 1, errorBody()))
		call.wantBlocked(t) // the first part's answer is in before the abandon
		cancel()
		call.wait(t)
		cancels := p.drain()
		if len(cancels) != 2 {
			t.Fatalf("%d CANCEL frames, want 2", len(cancels))
		}
		for _, cf := range cancels {
			wantSealed(t, cf, s.ID())
			if cf.msgs[0].Command != wire.CommandCancel {
				t.Errorf("sent %v, want CANCEL", cf.msgs[0].Command)
			}
		}
		p.sendSealed(respTo(f.msgs[1], wire.StatusCancelled, 1, errorBody()), respTo(f.msgs[2], wire.StatusCancelled, 1, errorBody()))
		synctest.Wait()
		if err := c.Err(); err != nil {
			t.Fatalf("connection failed: %v", err)
		}
	})
}

// TestShareEncryption checks that a share flagged ENCRYPT_DATA encrypts the
// requests of its tree even when the session does not (MS-SMB2 3.2.5.5).
func TestShareEncryption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
		s := p.session(c, sessOpts{})
		if s.Encrypted() {
			t.Fatal("session encrypted without the flag")
		}
		tc := goAsync(func() (*Tree, error) { return s.TreeConnect(t.Context(), "secret") })
		m := p.wantMsg(wire.CommandTreeConnect)
		r := respTo(m, 0, 1, treeConnectBody(wire.ShareFlagEncryptData))
		r.h.TreeID = 3
		p.send(r.signed())
		tree, err := tc.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		if !tree.Encrypted() {
			t.Fatal("tree not encrypted")
		}
		call := goAsync(func() (*Response, error) { return tree.Do(t.Context(), &wire.FlushRequest{}) })
		f := p.wantFrame()
		wantSealed(t, f, s.ID())
		if f.msgs[0].TreeID != 3 {
			t.Errorf("TreeId %d, want 3", f.msgs[0].TreeID)
		}
		p.sendSealed(respTo(f.msgs[0], 0, 1, emptyBody()))
		if _, err := call.wait(t); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEncryptionViolations checks that a clear-text response to an
// encrypted request, a tampered frame and a frame for an unknown session
// fail the connection (MS-SMB2 3.2.5.1.1).
func TestEncryptionViolations(t *testing.T) {
	tests := []struct {
		name    string
		respond func(p *peer, m inMsg)
		want    error
	}{
		{"clear-text response", func(p *peer, m inMsg) {
			p.send(respTo(m, 0, 1, emptyBody()).signed())
		}, ErrUnencrypted},
		{"tampered ciphertext", func(p *peer, m inMsg) {
			frame := p.seal(p.chain(respTo(m, 0, 1, emptyBody())))
			frame[len(frame)-1] ^= 0x01
			p.writeFrame(frame)
		}, ErrDecrypt},
		{"tampered header", func(p *peer, m inMsg) {
			frame := p.seal(p.chain(respTo(m, 0, 1, emptyBody())))
			frame[20] ^= 0x01 // nonce: part of the authenticated data
			p.writeFrame(frame)
		}, ErrDecrypt},
		{"unknown session", func(p *peer, m inMsg) {
			p.sess.id++
			frame := p.seal(p.chain(respTo(m, 0, 1, emptyBody())))
			p.writeFrame(frame)
		}, ErrDecrypt},
		{"sealed with the wrong key", func(p *peer, m inMsg) {
			p.sess.seal, p.sess.open = p.sess.open, p.sess.seal // the client-to-server key
			p.writeFrame(p.seal(p.chain(respTo(m, 0, 1, emptyBody()))))
		}, ErrDecrypt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p, s := encryptedSession(t, wire.Dialect311, wire.CipherAES128GCM)
				call := goSend(t.Context(), c, s.Request(&wire.EchoRequest{}))
				m := p.wantFrame().msgs[0]
				tc.respond(p, m)
				_, err := call.wait(t)
				wantConnError(t, err, tc.want)
				wantConnError(t, c.Err(), tc.want)
				p.wantHangup()
			})
		})
	}
}

// TestEncryptRequiresKeys checks that a request asking for encryption
// without session keys is refused before it takes a MessageId.
func TestEncryptRequiresKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, defaultNeg(wire.Dialect210))
		s := p.session(c, sessOpts{})
		if s.CanEncrypt() {
			t.Fatal("2.1 session can encrypt")
		}
		_, err := c.Send(t.Context(), &Request{Body: &wire.EchoRequest{}, Session: s, Encrypt: true})
		if !errors.Is(err, ErrSecurityPolicy) {
			t.Fatalf("error %v, want ErrSecurityPolicy", err)
		}
		p.wantNoFrame()
	})
}

// TestEncryptionCrossSession checks that a response to one session's
// request sealed with another session's key is refused (MS-SMB2
// 3.2.5.1.1: the frame's SessionId must be the request's).
func TestEncryptionCrossSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p, s1 := encryptedSession(t, wire.Dialect311, wire.CipherAES128GCM)
		keys1 := p.sess
		s2 := p.session(c, sessOpts{id: testSessionID + 1, flags: wire.SessionEncryptData})
		keys2 := p.sess

		// Each session's own traffic works.
		for _, tc := range []struct {
			s    *Session
			keys *peerSession
		}{{s1, keys1}, {s2, keys2}} {
			p.sess = tc.keys
			call := goSend(t.Context(), c, tc.s.Request(&wire.EchoRequest{}))
			f := p.wantFrame()
			wantSealed(t, f, tc.s.ID())
			p.sendSealed(respTo(f.msgs[0], 0, 1, emptyBody()))
			if _, err := call.wait(t); err != nil {
				t.Fatal(err)
			}
		}

		p.sess = keys1
		call := goSend(t.Context(), c, s1.Request(&wire.EchoRequest{}))
		m := p.wantFrame().msgs[0]
		p.sess = keys2
		p.sendSealed(respTo(m, 0, 1, emptyBody()))
		_, err := call.wait(t)
		wantConnError(t, err, ErrDecrypt)
	})
}
