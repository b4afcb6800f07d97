package protocol

// Authenticator runs one GSS-API authentication exchange inside SESSION_SETUP
// (MS-SMB2 3.2.4.2.3). Implementations wrap their mechanism tokens in SPNEGO
// as the server expects. An Authenticator is used for a single session
// setup; make a new one per session.
type Authenticator interface {
	// InitialToken returns the security buffer of the first SESSION_SETUP
	// request. hint is the security buffer of the NEGOTIATE response (a
	// SPNEGO NegTokenInit listing the server's mechanisms), possibly empty.
	InitialToken(hint []byte) ([]byte, error)
	// Continue consumes the server's token from a
	// STATUS_MORE_PROCESSING_REQUIRED response and returns the next token.
	Continue(serverToken []byte) ([]byte, error)
	// Complete consumes the token of the final, successful response (often
	// empty or an SPNEGO accept-completed with a mechListMIC) and verifies
	// whatever it must.
	Complete(serverToken []byte) error
	// SessionKey returns the key the exchange established (nil for an
	// anonymous exchange). Signing and encryption keys derive from it.
	SessionKey() []byte
	// Anonymous reports an exchange with no credentials (a null session),
	// which can neither sign nor encrypt.
	Anonymous() bool
}
