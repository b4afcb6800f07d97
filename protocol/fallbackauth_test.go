package protocol

import (
	"errors"
	"testing"
)

// scriptedAuth is an Authenticator whose answers are fixed, recording the
// calls it gets.
type scriptedAuth struct {
	name       string
	initialErr error
	key        []byte
	calls      []string
}

func (a *scriptedAuth) InitialToken(hint []byte) ([]byte, error) {
	a.calls = append(a.calls, "InitialToken")
	if a.initialErr != nil {
		return nil, a.initialErr
	}
	return []byte(a.name + "-init"), nil
}

func (a *scriptedAuth) Continue(tok []byte) ([]byte, error) {
	a.calls = append(a.calls, "Continue")
	return []byte(a.name + "-next"), nil
}

func (a *scriptedAuth) Complete(tok []byte) error {
	a.calls = append(a.calls, "Complete")
	if string(tok) == "refused" {
		return errors.New(a.name + " refused")
	}
	return nil
}

func (a *scriptedAuth) SessionKey() []byte { return a.key }
func (a *scriptedAuth) Anonymous() bool    { return false }

func TestFallbackAuthenticator(t *testing.T) {
	t.Run("primary works", func(t *testing.T) {
		primary := &scriptedAuth{name: "krb", key: []byte("k1")}
		fallbackMade := false
		a := NewFallbackAuthenticator(primary, func() Authenticator { fallbackMade = true; return &scriptedAuth{name: "ntlm"} }, nil)
		tok, err := a.InitialToken(nil)
		if err != nil || string(tok) != "krb-init" {
			t.Fatalf("InitialToken %q, %v", tok, err)
		}
		if err := a.Complete(nil); err != nil {
			t.Fatal(err)
		}
		if fallbackMade || string(a.SessionKey()) != "k1" {
			t.Fatalf("fallback made %v, key %q", fallbackMade, a.SessionKey())
		}
	})
	t.Run("primary cannot start", func(t *testing.T) {
		cause := errors.New("no KDC")
		primary := &scriptedAuth{name: "krb", initialErr: cause}
		ntlm := &scriptedAuth{name: "ntlm", key: []byte("k2")}
		var reported error
		a := NewFallbackAuthenticator(primary, func() Authenticator { return ntlm }, func(err error) { reported = err })
		tok, err := a.InitialToken([]byte("hint"))
		if err != nil || string(tok) != "ntlm-init" {
			t.Fatalf("InitialToken %q, %v", tok, err)
		}
		if reported != cause {
			t.Errorf("onFallback got %v, want %v", reported, cause)
		}
		if next, err := a.Continue([]byte("challenge")); err != nil || string(next) != "ntlm-next" {
			t.Fatalf("Continue %q, %v", next, err)
		}
		if err := a.Complete(nil); err != nil || string(a.SessionKey()) != "k2" {
			t.Fatalf("Complete %v, key %q", err, a.SessionKey())
		}
		if len(primary.calls) != 1 {
			t.Errorf("primary got %v after failing", primary.calls)
		}
	})
	t.Run("refusal after the first token stands", func(t *testing.T) {
		primary := &scriptedAuth{name: "krb"}
		fallbackMade := false
		a := NewFallbackAuthenticator(primary, func() Authenticator { fallbackMade = true; return &scriptedAuth{name: "ntlm"} }, nil)
		if _, err := a.InitialToken(nil); err != nil {
			t.Fatal(err)
		}
		if err := a.Complete([]byte("refused")); err == nil || err.Error() != "krb refused" {
			t.Fatalf("Complete: %v, want the primary's refusal", err)
		}
		if fallbackMade {
			t.Fatal("fell back after the server judged the primary's token")
		}
	})
	t.Run("both fail", func(t *testing.T) {
		primary := &scriptedAuth{name: "krb", initialErr: errors.New("no KDC")}
		ntlm := &scriptedAuth{name: "ntlm", initialErr: errors.New("no password")}
		a := NewFallbackAuthenticator(primary, func() Authenticator { return ntlm }, nil)
		_, err := a.InitialToken(nil)
		if !errors.Is(err, ntlm.initialErr) || err.Error() != "no password (after the preferred mechanism failed: no KDC)" {
			t.Fatalf("InitialToken: %v, want both errors", err)
		}
	})
	t.Run("no fallback", func(t *testing.T) {
		cause := errors.New("no KDC")
		a := NewFallbackAuthenticator(&scriptedAuth{name: "krb", initialErr: cause}, nil, nil)
		if _, err := a.InitialToken(nil); err != cause {
			t.Fatalf("InitialToken: %v, want %v", err, cause)
		}
	})
}
