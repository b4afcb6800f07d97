package krb5auth

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/binary"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/smbfs/smbfs/protocol/spnego"
)

// This file plays the acceptor (the SMB server) for the unit tests: it
// opens the AP-REQ an Authenticator sends and builds the AP-REP, KRB-ERROR
// and MIC tokens a server would answer with.

// testNow is the fixed clock of test initiators.
var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

// randomKey returns a fresh key of an AES enctype.
func randomKey(t testing.TB, etype int32) types.EncryptionKey {
	t.Helper()
	size := 32
	if etype == etypeID.AES128_CTS_HMAC_SHA1_96 {
		size = 16
	}
	k := make([]byte, size)
	rand.Read(k)
	return types.EncryptionKey{KeyType: etype, KeyValue: k}
}

// testInitiator returns an Initiator whose ticket is made up locally (no
// KDC): its session key is sessionKey.
func testInitiator(t testing.TB, sessionKey types.EncryptionKey) *Initiator {
	t.Helper()
	in, err := New(Config{SPN: "cifs/fs1.example.com", User: "alice@EXAMPLE.COM", Password: "secret", KDCs: []string{"kdc.example.com"},
		Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	in.fetch = func() (*ticket, error) {
		return &ticket{
			tkt: messages.Ticket{
				TktVNO: 5, Realm: "EXAMPLE.COM", SName: in.spn,
				// The server's part of the ticket: opaque to the client.
				EncPart: types.EncryptedData{EType: sessionKey.KeyType, KVNO: 2, Cipher: []byte("opaque ticket part")},
			},
			sessionKey: sessionKey,
			crealm:     "EXAMPLE.COM",
			cname:      types.PrincipalName{NameType: nametype.KRB_NT_PRINCIPAL, NameString: []string{"alice"}},
		}, nil
	}
	return in
}

// acceptor is the server side of one exchange.
type acceptor struct {
	t          testing.TB
	sessionKey types.EncryptionKey
	auth       types.Authenticator // decrypted from the AP-REQ
	mutual     bool                // the AP-REQ's mutual-required option
	mechs      []asn1.ObjectIdentifier
	subkey     types.EncryptionKey // the acceptor subkey it asserts, if any
}

// accept opens the NegTokenInit an Authenticator sent.
func accept(t testing.TB, sessionKey types.EncryptionKey, initToken []byte) *acceptor {
	t.Helper()
	init, err := spnego.DecodeNegTokenInit(initToken)
	if err != nil {
		t.Fatalf("NegTokenInit: %v", err)
	}
	tok, err := decodeMechToken(init.MechToken)
	if err != nil || tok.tokID != tokAPReq {
		t.Fatalf("mech token: %v, id %#x", err, tok.tokID)
	}
	var req messages.APReq
	if err := req.Unmarshal(tok.msg); err != nil {
		t.Fatalf("AP-REQ: %v", err)
	}
	if err := req.DecryptAuthenticator(sessionKey); err != nil {
		t.Fatalf("authenticator: %v", err)
	}
	return &acceptor{t: t, sessionKey: sessionKey, auth: req.Authenticator, mechs: init.MechTypes,
		mutual: types.IsFlagSet(&req.APOptions, flags.APOptionMutualRequired)}
}

// apRep builds the framed AP-REP echoing the authenticator's time (shifted
// by skew) and asserting sub as acceptor subkey when it has a value,
// encrypted with key.
func (s *acceptor) apRep(key types.EncryptionKey, skew time.Duration, sub types.EncryptionKey) []byte {
	s.t.Helper()
	s.subkey = sub
	part := messages.EncAPRepPart{CTime: s.auth.CTime.Add(skew), Cusec: s.auth.Cusec, Subkey: sub, SequenceNumber: 4242}
	plain := appTagged(s.t, 27, part)
	ed, err := crypto.GetEncryptedData(plain, key, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	rep := appTagged(s.t, 15, messages.APRep{PVNO: 5, MsgType: 15, EncPart: ed})
	framed, err := encodeMechToken(tokAPRep, rep)
	if err != nil {
		s.t.Fatal(err)
	}
	return framed
}

// mic returns the acceptor's MIC token over the mechanism list, keyed with
// its subkey when it asserted one (RFC 4121 section 4.2.6.1).
func (s *acceptor) mic(payload []byte) []byte {
	s.t.Helper()
	tok := gssapi.MICToken{Flags: gssapi.MICTokenFlagSentByAcceptor, SndSeqNum: 4242, Payload: payload}
	key := s.auth.SubKey
	if len(s.subkey.KeyValue) > 0 {
		tok.Flags |= gssapi.MICTokenFlagAcceptorSubkey
		key = s.subkey
	}
	if err := tok.SetChecksum(key, keyusage.GSSAPI_ACCEPTOR_SIGN); err != nil {
		s.t.Fatal(err)
	}
	b, err := tok.Marshal()
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// verifyInitiatorMIC checks a MIC the initiator sent.
func (s *acceptor) verifyInitiatorMIC(b []byte) error {
	var tok gssapi.MICToken
	if err := tok.Unmarshal(b, false); err != nil {
		return err
	}
	key := s.auth.SubKey
	if len(s.subkey.KeyValue) > 0 {
		key = s.subkey
	}
	tok.Payload = mechListBytes(s.t)
	_, err := tok.Verify(key, keyusage.GSSAPI_INITIATOR_SIGN)
	return err
}

// krbError builds a framed KRB-ERROR.
func krbError(t testing.TB, code int32, stime time.Time) []byte {
	t.Helper()
	ke := messages.NewKRBError(types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"cifs", "fs1.example.com"}}, "EXAMPLE.COM", code, "")
	ke.STime = stime
	b, err := ke.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	framed, err := encodeMechToken(tokKRBError, b)
	if err != nil {
		t.Fatal(err)
	}
	return framed
}

// negResp encodes a server NegTokenResp.
func negResp(t testing.TB, state spnego.NegState, mech asn1.ObjectIdentifier, token, mic []byte) []byte {
	t.Helper()
	b, err := spnego.EncodeNegTokenResp(spnego.NegTokenResp{HasNegState: true, NegState: state, SupportedMech: mech, ResponseToken: token, MechListMIC: mic})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mechListBytes is the DER mechanism list the initiator offers.
func mechListBytes(t testing.TB) []byte {
	t.Helper()
	b, err := spnego.MechTypesBytes(offeredMechs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// appTagged DER-encodes v inside [APPLICATION tag], as Kerberos messages
// are (RFC 4120 section 5.10).
func appTagged(t testing.TB, tag int, v any) []byte {
	t.Helper()
	inner, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: tag, IsCompound: true, Bytes: inner})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ccacheFile builds a version 4 MIT credential cache for alice@EXAMPLE.COM
// holding one TGT that ends at end (the format of
// https://web.mit.edu/kerberos/krb5-latest/doc/formats/ccache_file_format.html).
func ccacheFile(end time.Time) []byte {
	var b bytes.Buffer
	u16 := func(v uint16) { binary.Write(&b, binary.BigEndian, v) }
	u32 := func(v uint32) { binary.Write(&b, binary.BigEndian, v) }
	data := func(d []byte) { u32(uint32(len(d))); b.Write(d) }
	principal := func(nameType uint32, realm string, comps ...string) {
		u32(nameType)
		u32(uint32(len(comps)))
		data([]byte(realm))
		for _, c := range comps {
			data([]byte(c))
		}
	}
	b.Write([]byte{5, 4})
	u16(0) // no header fields
	principal(1, "EXAMPLE.COM", "alice")
	principal(1, "EXAMPLE.COM", "alice")
	principal(2, "EXAMPLE.COM", "krbtgt", "EXAMPLE.COM")
	u16(uint16(etypeID.AES256_CTS_HMAC_SHA1_96))
	data(make([]byte, 32))
	start := end.Add(-10 * time.Hour)
	for _, tm := range []time.Time{start, start, end, end} {
		u32(uint32(tm.Unix()))
	}
	b.WriteByte(0)        // is_skey
	u32(0x40e10000)       // ticket flags
	u32(0)                // addresses
	u32(0)                // authdata
	data(minimalTicket()) // ticket
	data(nil)             // second ticket
	return b.Bytes()
}

// minimalTicket is a DER Ticket for krbtgt/EXAMPLE.COM with an opaque
// encrypted part.
func minimalTicket() []byte {
	tkt := messages.Ticket{
		TktVNO: 5, Realm: "EXAMPLE.COM",
		SName:   types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", "EXAMPLE.COM"}},
		EncPart: types.EncryptedData{EType: etypeID.AES256_CTS_HMAC_SHA1_96, KVNO: 1, Cipher: []byte("opaque")},
	}
	b, err := tkt.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

// keytabFile builds a keytab holding an AES-256 key of user@realm.
func keytabFile(t testing.TB, user, realm string) []byte {
	t.Helper()
	kt := keytab.New()
	if err := kt.AddEntry(user, realm, "password", testNow, 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	b, err := kt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
