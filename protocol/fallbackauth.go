package protocol

import "fmt"

// fallbackAuthenticator runs a preferred mechanism and switches to another
// one when the preferred one cannot even start.
type fallbackAuthenticator struct {
	active     Authenticator
	fallback   func() Authenticator
	onFallback func(err error)
}

// NewFallbackAuthenticator returns an Authenticator that runs primary and,
// when primary fails to produce its initial token (for Kerberos: no
// ticket can be had, or the server does not offer the mechanism), runs the
// Authenticator fallback returns instead, within the same session setup.
// onFallback, if not nil, learns why. Once primary's first token has been
// sent, the server's verdict on it stands: a rejected ticket is not
// retried with the other mechanism, so a server (or an attacker) cannot
// talk the client down to a weaker one after the fact.
func NewFallbackAuthenticator(primary Authenticator, fallback func() Authenticator, onFallback func(err error)) Authenticator {
	return &fallbackAuthenticator{active: primary, fallback: fallback, onFallback: onFallback}
}

// InitialToken asks primary for its token and falls back on failure.
func (a *fallbackAuthenticator) InitialToken(hint []byte) ([]byte, error) {
	tok, err := a.active.InitialToken(hint)
	if err == nil || a.fallback == nil {
		return tok, err
	}
	if a.onFallback != nil {
		a.onFallback(err)
	}
	a.active = a.fallback()
	a.fallback = nil
	tok, ferr := a.active.InitialToken(hint)
	if ferr != nil {
		return nil, fmt.Errorf("%w (after the preferred mechanism failed: %v)", ferr, err)
	}
	return tok, nil
}

// Continue delegates to the mechanism in use.
func (a *fallbackAuthenticator) Continue(serverToken []byte) ([]byte, error) {
	return a.active.Continue(serverToken)
}

// Complete delegates to the mechanism in use.
func (a *fallbackAuthenticator) Complete(serverToken []byte) error {
	return a.active.Complete(serverToken)
}

// SessionKey delegates to the mechanism in use.
func (a *fallbackAuthenticator) SessionKey() []byte { return a.active.SessionKey() }

// Anonymous delegates to the mechanism in use.
func (a *fallbackAuthenticator) Anonymous() bool { return a.active.Anonymous() }
