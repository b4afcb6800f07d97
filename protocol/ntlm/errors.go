package ntlm

import "errors"

// Sentinel errors; the errors returned by this package wrap one of these so
// callers can tell them apart with errors.Is.
var (
	// ErrMalformed reports a CHALLENGE_MESSAGE or AV_PAIR list that does not
	// follow MS-NLMP 2.2 (bad signature or type, fields out of bounds, ...).
	ErrMalformed = errors.New("ntlm: malformed message")

	// ErrUnsupported reports a server choice this client cannot work with,
	// such as a CHALLENGE_MESSAGE without NTLMSSP_NEGOTIATE_UNICODE.
	ErrUnsupported = errors.New("ntlm: unsupported by this client")

	// ErrState reports a Client method called out of order (Authenticate
	// before Negotiate, a second Authenticate, Sign before Authenticate).
	ErrState = errors.New("ntlm: call out of order")

	// ErrNoSessionKey reports Sign or Verify on a context without a session
	// key: anonymous authentication has none.
	ErrNoSessionKey = errors.New("ntlm: no session key")

	// ErrNoSessionSecurity reports Sign or Verify when the server did not
	// agree to NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY; the older
	// signature algorithms are not implemented.
	ErrNoSessionSecurity = errors.New("ntlm: extended session security not negotiated")

	// ErrBadSignature reports a server signature that does not verify.
	ErrBadSignature = errors.New("ntlm: message signature mismatch")
)
