package krb5auth

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/smbfs/smbfs/protocol/spnego"
)

// start runs InitialToken on a fresh authenticator and opens the AP-REQ.
func start(t *testing.T, etype int32) (*Authenticator, *acceptor) {
	t.Helper()
	key := randomKey(t, etype)
	a := testInitiator(t, key).NewAuthenticator()
	tok, err := a.InitialToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	return a, accept(t, key, tok)
}

func TestAPReq(t *testing.T) {
	for _, etype := range []int32{etypeID.AES256_CTS_HMAC_SHA1_96, etypeID.AES128_CTS_HMAC_SHA1_96} {
		a, s := start(t, etype)
		if len(s.mechs) != 2 || !s.mechs[0].Equal(spnego.OIDMSKerberos5) || !s.mechs[1].Equal(spnego.OIDKerberos5) {
			t.Errorf("mechanism list %v: want the MS Kerberos OID first, then the standard one", s.mechs)
		}
		if !s.mutual {
			t.Error("AP-REQ does not ask for mutual authentication")
		}
		if got := s.auth.CName.PrincipalNameString() + "@" + s.auth.CRealm; got != "alice@EXAMPLE.COM" {
			t.Errorf("authenticator names %s", got)
		}
		if !s.auth.CTime.Equal(testNow.Truncate(time.Second)) || s.auth.Cusec != 123456 {
			t.Errorf("authenticator time %v.%06d, want the injected clock", s.auth.CTime, s.auth.Cusec)
		}
		// RFC 4121 section 4.1.1: checksum type 0x8003, Lgth 16, zero
		// channel bindings, then the flags.
		ck := s.auth.Cksum
		if ck.CksumType != chksumtype.GSSAPI || len(ck.Checksum) != 24 || binary.LittleEndian.Uint32(ck.Checksum) != 16 ||
			!bytes.Equal(ck.Checksum[4:20], make([]byte, 16)) {
			t.Errorf("GSS checksum %d %x", ck.CksumType, ck.Checksum)
		}
		if f := binary.LittleEndian.Uint32(ck.Checksum[20:]); f&gssapi.ContextFlagMutual == 0 || f&gssapi.ContextFlagInteg == 0 {
			t.Errorf("context flags %#x lack mutual or integrity", f)
		}
		if s.auth.SubKey.KeyType != etype || len(s.auth.SubKey.KeyValue) != len(a.ticket.sessionKey.KeyValue) {
			t.Errorf("initiator subkey type %d, %d bytes", s.auth.SubKey.KeyType, len(s.auth.SubKey.KeyValue))
		}
		if a.SessionKey() != nil {
			t.Error("a session key before the AP-REP was verified")
		}
		if a.Anonymous() {
			t.Error("Anonymous() = true")
		}
	}
}

func TestMutualAuthentication(t *testing.T) {
	type result struct {
		err     error // sentinel the error must match, or nil for success
		keyFrom string
	}
	tests := []struct {
		name string
		// final builds the final server token from the acceptor.
		final func(t *testing.T, a *Authenticator, s *acceptor) []byte
		want  result
	}{
		{"AP-REP with subkey", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.AcceptCompleted, spnego.OIDMSKerberos5, s.apRep(s.sessionKey, 0, randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96)), nil)
		}, result{nil, "acceptor"}},
		{"AP-REP without subkey", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.AcceptCompleted, spnego.OIDKerberos5, s.apRep(s.sessionKey, 0, types.EncryptionKey{}), nil)
		}, result{nil, "initiator"}},
		{"AP-REP and acceptor MIC", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			rep := s.apRep(s.sessionKey, 0, randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96))
			return negResp(t, spnego.AcceptCompleted, spnego.OIDMSKerberos5, rep, s.mic(mechListBytes(t)))
		}, result{nil, "acceptor"}},
		{"MIC keyed with the initiator subkey", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			rep := s.apRep(s.sessionKey, 0, types.EncryptionKey{})
			return negResp(t, spnego.AcceptCompleted, spnego.OIDMSKerberos5, rep, s.mic(mechListBytes(t)))
		}, result{nil, "initiator"}},
		{"MIC over another list", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			rep := s.apRep(s.sessionKey, 0, randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96))
			return negResp(t, spnego.AcceptCompleted, spnego.OIDMSKerberos5, rep, s.mic([]byte("0\x00")))
		}, result{ErrMutualAuth, ""}},
		{"AP-REP under the wrong key", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.AcceptCompleted, spnego.OIDMSKerberos5, s.apRep(randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96), 0, types.EncryptionKey{}), nil)
		}, result{ErrMutualAuth, ""}},
		{"AP-REP with another time", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.AcceptCompleted, spnego.OIDMSKerberos5, s.apRep(s.sessionKey, time.Second, types.EncryptionKey{}), nil)
		}, result{ErrMutualAuth, ""}},
		{"no AP-REP", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.AcceptCompleted, spnego.OIDMSKerberos5, nil, nil)
		}, result{ErrMutualAuth, ""}},
		{"empty final token", func(t *testing.T, a *Authenticator, s *acceptor) []byte { return nil }, result{ErrMutualAuth, ""}},
		{"KRB-ERROR", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.Reject, spnego.OIDMSKerberos5, krbError(t, errorcode.KRB_AP_ERR_MODIFIED, testNow), nil)
		}, result{errKerberosCode, ""}},
		{"mechanism not offered", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.AcceptCompleted, spnego.OIDNTLMSSP, s.apRep(s.sessionKey, 0, types.EncryptionKey{}), nil)
		}, result{errAny, ""}},
		{"accept-incomplete as final state", func(t *testing.T, a *Authenticator, s *acceptor) []byte {
			return negResp(t, spnego.AcceptIncomplete, spnego.OIDMSKerberos5, s.apRep(s.sessionKey, 0, types.EncryptionKey{}), nil)
		}, result{errAny, ""}},
		{"not SPNEGO", func(t *testing.T, a *Authenticator, s *acceptor) []byte { return []byte{0x30, 0x00} }, result{errAny, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, s := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
			err := a.Complete(tt.final(t, a, s))
			switch tt.want.err {
			case nil:
				if err != nil {
					t.Fatalf("Complete: %v", err)
				}
				want := s.auth.SubKey.KeyValue
				if tt.want.keyFrom == "acceptor" {
					want = s.subkey.KeyValue
				}
				if got := a.SessionKey(); !bytes.Equal(got, want) || len(got) != 32 {
					t.Fatalf("session key %x, want the %s subkey %x", got, tt.want.keyFrom, want)
				}
				return
			case errAny:
				if err == nil {
					t.Fatal("Complete succeeded")
				}
			case errKerberosCode:
				var ke *Error
				if !errors.As(err, &ke) || ke.Code != errorcode.KRB_AP_ERR_MODIFIED || !strings.Contains(err.Error(), "KRB_AP_ERR_MODIFIED") {
					t.Fatalf("error %v: want one carrying KRB_AP_ERR_MODIFIED", err)
				}
			default:
				if !errors.Is(err, tt.want.err) {
					t.Fatalf("error %v: want %v", err, tt.want.err)
				}
			}
			if a.SessionKey() != nil {
				t.Error("a session key after a failed exchange")
			}
		})
	}
}

// Sentinels of TestMutualAuthentication's table.
var (
	errAny          = errors.New("any error")
	errKerberosCode = errors.New("an error with a Kerberos code")
)

// TestMechListMICExchange: a server that wants the initiator's MIC sends
// its AP-REP and MIC with accept-incomplete; the client verifies them and
// answers with its own MIC, which the server can verify.
func TestMechListMICExchange(t *testing.T) {
	for _, withSubkey := range []bool{true, false} {
		a, s := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		sub := types.EncryptionKey{}
		if withSubkey {
			sub = randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		}
		rep := s.apRep(s.sessionKey, 0, sub)
		out, err := a.Continue(negResp(t, spnego.AcceptIncomplete, spnego.OIDMSKerberos5, rep, s.mic(mechListBytes(t))))
		if err != nil {
			t.Fatalf("Continue: %v", err)
		}
		resp, err := spnego.DecodeNegTokenResp(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.MechListMIC) == 0 || resp.ResponseToken != nil {
			t.Fatalf("client answer %+v: want only a mechListMIC", resp)
		}
		if err := s.verifyInitiatorMIC(resp.MechListMIC); err != nil {
			t.Fatalf("the client's MIC does not verify: %v", err)
		}
		if err := a.Complete(negResp(t, spnego.AcceptCompleted, nil, nil, nil)); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		if a.SessionKey() == nil {
			t.Fatal("no session key")
		}
	}
}

func TestContinueErrors(t *testing.T) {
	t.Run("clock skew", func(t *testing.T) {
		a, _ := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		serverTime := testNow.Add(time.Hour).Truncate(time.Second)
		_, err := a.Continue(negResp(t, spnego.AcceptIncomplete, spnego.OIDMSKerberos5, krbError(t, errorcode.KRB_AP_ERR_SKEW, serverTime), nil))
		if !errors.Is(err, ErrClockSkew) {
			t.Fatalf("error %v: want ErrClockSkew", err)
		}
		for _, p := range []string{"KRB_AP_ERR_SKEW", "1h0m0s behind the server's", "2024-05-06T08:08:09Z"} {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("%q does not mention %q", err, p)
			}
		}
	})
	t.Run("reject", func(t *testing.T) {
		a, _ := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		if _, err := a.Continue(negResp(t, spnego.Reject, nil, nil, nil)); err == nil || !strings.Contains(err.Error(), "rejected") {
			t.Fatalf("error %v: want a rejection", err)
		}
	})
	t.Run("continue without AP-REP", func(t *testing.T) {
		a, _ := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		if _, err := a.Continue(negResp(t, spnego.AcceptIncomplete, spnego.OIDMSKerberos5, nil, nil)); !errors.Is(err, ErrMutualAuth) {
			t.Fatalf("error %v: want ErrMutualAuth", err)
		}
	})
	t.Run("MIC before AP-REP", func(t *testing.T) {
		a, s := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		if _, err := a.Continue(negResp(t, spnego.AcceptIncomplete, nil, nil, s.mic(mechListBytes(t)))); !errors.Is(err, ErrMutualAuth) {
			t.Fatalf("error %v: want ErrMutualAuth", err)
		}
	})
	t.Run("second AP-REP", func(t *testing.T) {
		a, s := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		rep := s.apRep(s.sessionKey, 0, types.EncryptionKey{})
		if _, err := a.Continue(negResp(t, spnego.AcceptIncomplete, spnego.OIDMSKerberos5, rep, nil)); err != nil {
			t.Fatal(err)
		}
		if err := a.Complete(negResp(t, spnego.AcceptCompleted, nil, rep, nil)); !errors.Is(err, ErrMutualAuth) {
			t.Fatalf("error %v: want ErrMutualAuth", err)
		}
	})
	t.Run("token before InitialToken", func(t *testing.T) {
		a := testInitiator(t, randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96)).NewAuthenticator()
		if err := a.Complete([]byte{1}); err == nil {
			t.Fatal("Complete before InitialToken succeeded")
		}
	})
}

func TestInitialTokenHint(t *testing.T) {
	hint := func(mechs ...asn1.ObjectIdentifier) []byte {
		b, err := spnego.EncodeNegTokenInit(mechs, nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ntlmOnly := hint(spnego.OIDNTLMSSP)
	tests := []struct {
		name    string
		hint    []byte
		fetched bool
		err     error
	}{
		{"no hint", nil, true, nil},
		{"NTLM only", ntlmOnly, false, ErrNotOffered},
		{"standard Kerberos", hint(spnego.OIDKerberos5, spnego.OIDNTLMSSP), true, nil},
		{"MS Kerberos", hint(spnego.OIDMSKerberos5), true, nil},
		{"unparseable hint", []byte("not spnego"), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := testInitiator(t, randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96))
			fetch := in.fetch
			fetched := false
			in.fetch = func() (*ticket, error) { fetched = true; return fetch() }
			_, err := in.NewAuthenticator().InitialToken(tt.hint)
			if fetched != tt.fetched {
				t.Errorf("ticket fetched = %v, want %v", fetched, tt.fetched)
			}
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if tt.err != nil && !strings.Contains(err.Error(), "1.3.6.1.4.1.311.2.2.10") {
				t.Errorf("%q does not list the offered mechanisms", err)
			}
		})
	}
	t.Run("ticket error", func(t *testing.T) {
		in := testInitiator(t, randomKey(t, etypeID.AES256_CTS_HMAC_SHA1_96))
		want := &Error{Op: "get", Kind: ErrUnknownUser}
		in.fetch = func() (*ticket, error) { return nil, want }
		if _, err := in.NewAuthenticator().InitialToken(nil); !errors.Is(err, ErrUnknownUser) {
			t.Fatalf("error %v, want the ticket error", err)
		}
	})
}

func TestUnverifiableMIC(t *testing.T) {
	// RC4 (RFC 4757) MIC tokens have another format: refuse clearly
	// rather than misverify.
	a, s := start(t, etypeID.AES256_CTS_HMAC_SHA1_96)
	rep := s.apRep(s.sessionKey, 0, types.EncryptionKey{})
	if err := a.Complete(negResp(t, spnego.AcceptCompleted, nil, rep, nil)); err != nil {
		t.Fatal(err)
	}
	a.initSubkey = types.EncryptionKey{KeyType: etypeID.RC4_HMAC, KeyValue: make([]byte, 16)}
	if err := a.verifyMechListMIC(s.mic(mechListBytes(t))); err == nil || !strings.Contains(err.Error(), "encryption type 23") {
		t.Fatalf("error %v: want a refusal naming the encryption type", err)
	}
	if _, err := a.mechListMIC(); err == nil {
		t.Fatal("made a MIC with an RC4 key")
	}
}

func TestSkewDetail(t *testing.T) {
	server := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	if got := skewDetail(server.Add(7*time.Minute), server); !strings.Contains(got, "7m0s ahead of the server's") {
		t.Errorf("ahead: %q", got)
	}
	if got := skewDetail(server.Add(-2*time.Hour), server); !strings.Contains(got, "2h0m0s behind the server's") {
		t.Errorf("behind: %q", got)
	}
}
