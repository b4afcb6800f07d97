package protocol

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/smbfs/smbfs/protocol/smbcrypto"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Session is an authenticated SMB2 session on a connection (MS-SMB2 3.2.1.3).
type Session struct {
	conn  *Conn
	id    uint64
	flags wire.SessionFlags

	// signer is nil for guest and anonymous sessions, which cannot sign.
	signer          smbcrypto.Signer
	signingRequired bool
	encryptData     bool
	encryptor       cipher.AEAD
	decryptor       cipher.AEAD
	nonces          *smbcrypto.NonceSource
	applicationKey  []byte

	logoffOnce sync.Once
	logoffErr  error
}

// maxSessionSetupRounds bounds the authentication exchange so that a
// confused server cannot keep the client answering forever.
const maxSessionSetupRounds = 8

// SessionSetup authenticates on c with auth and returns the new session
// (MS-SMB2 3.2.4.2.3, 3.2.5.3). A server refusing the credentials yields a
// *StatusError such as STATUS_LOGON_FAILURE.
func (c *Conn) SessionSetup(ctx context.Context, auth Authenticator) (*Session, error) {
	if auth.Anonymous() && (c.cfg.Signing == PolicyRequired || c.cfg.Encryption == PolicyRequired) {
		return nil, fmt.Errorf("smb2 session setup: %w: an anonymous session can neither sign nor encrypt", ErrSecurityPolicy)
	}
	if _, ok := ctx.Deadline(); !ok {
		// Set-up is bounded like NEGOTIATE: a request lost right after
		// the handshake (Samba can lose one while it hands a connection
		// to another smbd process) must not hold Dial for RequestTimeout.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.HandshakeTimeout)
		defer cancel()
	}
	preauth := c.preauth // per-session copy (MS-SMB2 3.2.5.3.1)
	hashing := c.dialect == wire.Dialect311
	token, err := auth.InitialToken(c.negToken)
	if err != nil {
		return nil, fmt.Errorf("smb2 session setup: %w: %w", ErrAuthentication, err)
	}
	secMode := wire.SigningEnabled
	if c.cfg.Signing == PolicyRequired {
		secMode |= wire.SigningRequired
	}
	var sid uint64
	var final *Response
	var body wire.SessionSetupResponse
	for round := 0; final == nil; round++ {
		if round == maxSessionSetupRounds {
			return nil, fmt.Errorf("smb2 session setup: %w: no result after %d rounds", ErrAuthentication, round)
		}
		req := &Request{
			Body:      &wire.SessionSetupRequest{SecurityMode: secMode, Capabilities: wire.CapDFS, SecurityBuffer: token},
			sessionID: sid,
		}
		if hashing {
			req.onEncoded = func(msg []byte) { preauth.Update(msg) }
		}
		resps, err := c.Send(ctx, req)
		if err != nil {
			return nil, err
		}
		r := resps[0]
		sid = r.Header.SessionID
		switch r.Header.Status {
		case wire.StatusMoreProcessingRequired:
			if hashing {
				preauth.Update(r.Msg)
			}
			if err := body.Decode(r.Msg); err != nil {
				return nil, &ConnectionError{Op: "decode SESSION_SETUP response", Err: err}
			}
			if token, err = auth.Continue(body.SecurityBuffer); err != nil {
				return nil, fmt.Errorf("smb2 session setup: %w: %w", ErrAuthentication, err)
			}
		case wire.StatusSuccess:
			// The final response is not part of the pre-auth hash
			// (MS-SMB2 3.2.5.3.1): the keys derive from what precedes it.
			if err := r.Decode(&body); err != nil {
				return nil, err
			}
			final = r
		default:
			return nil, r.Err()
		}
	}
	if err := auth.Complete(body.SecurityBuffer); err != nil {
		return nil, fmt.Errorf("smb2 session setup: %w: %w", ErrAuthentication, err)
	}

	s := &Session{conn: c, id: sid, flags: body.SessionFlags}
	if err := s.establishKeys(auth, preauth, final); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.sessions[sid] = s
	c.mu.Unlock()
	return s, nil
}

// establishKeys derives signing and encryption keys, applies the security
// policy and checks the signature of the final response.
func (s *Session) establishKeys(auth Authenticator, preauth smbcrypto.PreauthHash, final *Response) error {
	c := s.conn
	unauthenticated := auth.Anonymous() || s.flags&(wire.SessionIsGuest|wire.SessionIsNull) != 0
	key := auth.SessionKey()
	if unauthenticated || len(key) == 0 {
		// Guest and anonymous sessions have no usable key: they never
		// sign and cannot be encrypted (Samba: "reject guest as
		// encryption is required").
		if c.cfg.Signing == PolicyRequired || c.cfg.Encryption == PolicyRequired {
			return fmt.Errorf("smb2 session setup: %w: the server admitted this session as guest or anonymous, which can neither sign nor encrypt", ErrSecurityPolicy)
		}
		if s.flags&wire.SessionEncryptData != 0 {
			return fmt.Errorf("smb2 session setup: %w: the server requires encryption of a guest or anonymous session", ErrSecurityPolicy)
		}
		return nil
	}
	keys, err := smbcrypto.DeriveKeys(uint16(c.dialect), key, preauth[:], c.cipher)
	if err != nil {
		return fmt.Errorf("smb2 session setup: %w", err)
	}
	signer, err := smbcrypto.NewSigner(c.signingAlg, keys.Signing)
	if err != nil {
		return fmt.Errorf("smb2 session setup: %w", err)
	}
	s.signer = signer
	s.applicationKey = keys.Application
	// Policy off never signs: a server that requires signing will refuse
	// the session's requests, which is what "off" asked for.
	s.signingRequired = c.cfg.Signing != PolicyOff && (c.serverSecMode&wire.SigningRequired != 0 || c.cfg.Signing == PolicyRequired)

	// The final response proves the server derived the same keys over the
	// same (pre-auth hashed) exchange; 3.1.1 servers always sign it for an
	// authenticated user (MS-SMB2 3.3.5.5.3).
	signed := final.Header.Flags&wire.FlagSigned != 0
	if signed && !smbcrypto.Verify(signer, final.Msg) {
		return &ConnectionError{Op: "verify SESSION_SETUP response", Err: ErrBadSignature}
	}
	if !signed && (c.dialect == wire.Dialect311 || s.signingRequired) {
		return &ConnectionError{Op: "verify SESSION_SETUP response", Err: ErrUnsigned}
	}

	s.encryptData = s.flags&wire.SessionEncryptData != 0
	if c.cfg.Encryption == PolicyRequired {
		s.encryptData = true
	}
	if c.cfg.Encryption == PolicyOff && s.flags&wire.SessionEncryptData != 0 {
		return fmt.Errorf("smb2 session setup: %w: the server requires encryption and the policy forbids it", ErrSecurityPolicy)
	}
	if c.dialect.Is3x() && c.cipher != 0 {
		if s.encryptor, err = smbcrypto.NewAEAD(c.cipher, keys.Encrypt); err != nil {
			return fmt.Errorf("smb2 session setup: %w", err)
		}
		if s.decryptor, err = smbcrypto.NewAEAD(c.cipher, keys.Decrypt); err != nil {
			return fmt.Errorf("smb2 session setup: %w", err)
		}
		if s.nonces, err = smbcrypto.NewNonceSource(s.encryptor.NonceSize(), rand.Reader); err != nil {
			return fmt.Errorf("smb2 session setup: %w", err)
		}
	} else if s.encryptData {
		return fmt.Errorf("smb2 session setup: %w: encryption required but dialect %v negotiated no cipher", ErrSecurityPolicy, c.dialect)
	}
	return nil
}

// ID returns the SessionId the server assigned.
func (s *Session) ID() uint64 { return s.id }

// Conn returns the connection the session lives on.
func (s *Session) Conn() *Conn { return s.conn }

// IsGuest reports a session the server admitted as guest.
func (s *Session) IsGuest() bool { return s.flags&wire.SessionIsGuest != 0 }

// IsAnonymous reports a null session.
func (s *Session) IsAnonymous() bool {
	return s.flags&wire.SessionIsNull != 0 || s.signer == nil && !s.IsGuest()
}

// Signing reports whether the session signs its requests.
func (s *Session) Signing() bool { return s.signer != nil && s.signingRequired }

// Encrypted reports whether every message of the session is encrypted.
func (s *Session) Encrypted() bool { return s.encryptData }

// CanEncrypt reports whether the session has encryption keys (a share that
// demands encryption can be used).
func (s *Session) CanEncrypt() bool { return s.encryptor != nil }

// ApplicationKey returns the key MS-SMB2 3.2.5.3.1 derives for upper-layer
// protocols (e.g. DCE/RPC over named pipes); nil for guest sessions.
func (s *Session) ApplicationKey() []byte { return s.applicationKey }

// shouldSign decides whether a request of this session is signed
// (MS-SMB2 3.2.4.1.1). Encrypted requests are never signed: the AEAD tag is
// their integrity.
func (s *Session) shouldSign(cmd wire.Command) bool {
	if s.signer == nil || s.conn.cfg.Signing == PolicyOff {
		return false
	}
	if s.signingRequired {
		return true
	}
	// 3.1.1 requires a signed TREE_CONNECT even when signing is optional,
	// so the server can validate the negotiation (MS-SMB2 3.2.4.1.1).
	return cmd == wire.CommandTreeConnect && s.conn.dialect == wire.Dialect311
}

// Request wraps body into a request of this session (no tree).
func (s *Session) Request(body wire.Request) *Request {
	return &Request{Body: body, Session: s, Encrypt: s.encryptData}
}

// Logoff ends the session (MS-SMB2 3.2.4.3). It is safe to call more than
// once; later calls return the first result.
func (s *Session) Logoff(ctx context.Context) error {
	s.logoffOnce.Do(func() {
		resps, err := s.conn.Send(ctx, s.Request(&wire.LogoffRequest{}))
		if err == nil {
			err = resps[0].Err()
			// Forget the keys only once the server has answered: a late
			// (encrypted) answer to an abandoned request must still find
			// its session.
			s.conn.mu.Lock()
			delete(s.conn.sessions, s.id)
			s.conn.mu.Unlock()
		}
		var st wire.Status
		if errors.As(err, &st) && st == wire.StatusUserSessionDeleted {
			err = nil
		}
		s.logoffErr = err
	})
	return s.logoffErr
}
