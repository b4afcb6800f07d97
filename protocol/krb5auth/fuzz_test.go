package krb5auth

import (
	"bytes"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/smbfs/smbfs/protocol/spnego"
)

// fuzzSessionKey is the fixed ticket session key of FuzzServerToken, so
// that its seed corpus can hold AP-REPs that verify.
var fuzzSessionKey = types.EncryptionKey{KeyType: etypeID.AES256_CTS_HMAC_SHA1_96, KeyValue: bytes.Repeat([]byte{0x5a}, 32)}

func FuzzDecodeMechToken(f *testing.F) {
	for _, s := range []string{
		"600f06092a864886f712010202" + "0200" + "6f00",
		"600f06092a864886f712010202" + "0100" + "6e00",
		"600f06092a864882f712010202" + "0300" + "7e00",
		"6f03020105",
		// Samba 4.17's KRB_AP_ERR_SKEW token.
		"606506092a864886f71201020203007e563054a003020105a10302011ea411180f32303236313132343035303331335aa505020303ce13a603020125a90c1b0a544553542e4c4f43414caa10300ea003020101a10730051b03444324ac0904073005a103020102",
	} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := decodeMechToken(b)
		if err != nil {
			return
		}
		if len(tok.msg) == 0 {
			t.Fatal("decoded a token without a message")
		}
		// A framed token with the standard OID re-encodes to itself.
		if b[0] == 0x60 && bytes.Contains(b[:min(len(b), 16)], []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7}) {
			again, err := encodeMechToken(tok.tokID, tok.msg)
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("re-encoded %x, want %x (%v)", again, b, err)
			}
		}
	})
}

// FuzzServerToken feeds the server's final and intermediate tokens to an
// Authenticator that sent its AP-REQ: whatever the server sends, the client
// must not crash, and must never accept a session without a verified
// AP-REP.
func FuzzServerToken(f *testing.F) {
	s := &acceptor{t: f, sessionKey: fuzzSessionKey}
	s.auth.CTime = testNow.Truncate(time.Second)
	s.auth.Cusec = testNow.Nanosecond() / 1000
	f.Add(negResp(f, spnego.AcceptCompleted, spnego.OIDMSKerberos5, s.apRep(fuzzSessionKey, 0, randomKey(f, etypeID.AES256_CTS_HMAC_SHA1_96)), nil))
	f.Add(negResp(f, spnego.AcceptCompleted, spnego.OIDKerberos5, s.apRep(fuzzSessionKey, 0, types.EncryptionKey{}), nil))
	f.Add(negResp(f, spnego.AcceptIncomplete, spnego.OIDMSKerberos5, krbError(f, errorcode.KRB_AP_ERR_SKEW, testNow), nil))
	f.Add(negResp(f, spnego.Reject, nil, nil, nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, final := range []bool{true, false} {
			a := testInitiator(t, fuzzSessionKey).NewAuthenticator()
			if _, err := a.InitialToken(nil); err != nil {
				t.Fatal(err)
			}
			var err error
			if final {
				err = a.Complete(b)
			} else {
				_, err = a.Continue(b)
			}
			if err == nil && !a.mutualDone {
				t.Fatal("accepted without a verified AP-REP")
			}
			if err != nil && a.SessionKey() != nil {
				t.Fatal("a session key after an error")
			}
		}
	})
}

func FuzzParseCCache(f *testing.F) {
	valid := ccacheFile(testNow.Add(time.Hour))
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte{5, 4, 0, 0})
	f.Add([]byte{5, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		cc, err := parseCCache("fuzz", b)
		if err == nil && (cc == nil || cc.DefaultPrincipal.Realm == "") {
			t.Fatal("parsed a cache without a principal")
		}
	})
}

func FuzzParseKeytab(f *testing.F) {
	valid := keytabFile(f, "alice", "EXAMPLE.COM")
	f.Add(valid)
	f.Add(valid[:len(valid)-7])
	f.Add([]byte{5, 2})
	f.Add([]byte{5, 2, 0, 0, 0, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		kt, err := parseKeytab("fuzz", b)
		if err == nil && kt == nil {
			t.Fatal("nil keytab without an error")
		}
	})
}
