package ntlm

import (
	"bytes"
	"crypto/rc4"
	"encoding/asn1"
	"errors"
	"testing"

	"github.com/smbfs/smbfs/protocol/spnego"
)

// TestSPNEGOSessionSetupFlow drives the SMB2 SESSION_SETUP exchange of the
// package documentation through both packages' public APIs, against a
// model server that checks everything a Samba server checks: the NTLMv2
// proof, the MIC and the client's mechListMIC, then signs its own.
func TestSPNEGOSessionSetupFlow(t *testing.T) {
	const password = "Secret123!"
	mechs := []asn1.ObjectIdentifier{spnego.OIDNTLMSSP}

	c := &Client{User: "alice", Password: password, Domain: "SAMBA", TargetName: "cifs/filesrv"}

	// SESSION_SETUP #1: NegTokenInit carrying the NEGOTIATE_MESSAGE.
	negotiate, err := c.Negotiate()
	if err != nil {
		t.Fatal(err)
	}
	req1, err := spnego.EncodeNegTokenInit(mechs, negotiate)
	if err != nil {
		t.Fatal(err)
	}

	// Server: read the NegTokenInit, answer with the CHALLENGE_MESSAGE.
	init, err := spnego.DecodeNegTokenInit(req1)
	if err != nil {
		t.Fatal(err)
	}
	if !init.Supports(spnego.OIDNTLMSSP) || !bytes.Equal(init.MechToken, negotiate) {
		t.Fatalf("server got %+v", init)
	}
	challenge := buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo())
	rep1, err := spnego.EncodeNegTokenResp(spnego.NegTokenResp{
		HasNegState: true, NegState: spnego.AcceptIncomplete,
		SupportedMech: spnego.OIDNTLMSSP, ResponseToken: challenge,
	})
	if err != nil {
		t.Fatal(err)
	}

	// SESSION_SETUP #2: AUTHENTICATE_MESSAGE and mechListMIC.
	resp1, err := spnego.DecodeNegTokenResp(rep1)
	if err != nil {
		t.Fatal(err)
	}
	authenticate, err := c.Authenticate(resp1.ResponseToken)
	if err != nil {
		t.Fatal(err)
	}
	list, err := spnego.MechTypesBytes(mechs)
	if err != nil {
		t.Fatal(err)
	}
	out := spnego.NegTokenResp{ResponseToken: authenticate}
	if !c.MICPresent() {
		t.Fatal("a server timestamp must lead to a MIC")
	}
	if out.MechListMIC, err = c.Sign(list); err != nil {
		t.Fatal(err)
	}
	req2, err := spnego.EncodeNegTokenResp(out)
	if err != nil {
		t.Fatal(err)
	}

	// Server: verify the client and produce its own mechListMIC.
	resp2, err := spnego.DecodeNegTokenResp(req2)
	if err != nil {
		t.Fatal(err)
	}
	exportedKey := modelServerAuthenticate(t, password, negotiate, challenge, resp2.ResponseToken)
	clientHandle := sealHandle(t, exportedKey, clientSealMagic)
	if want := clientSignature(exportedKey, list, clientHandle); !bytes.Equal(resp2.MechListMIC, want) {
		t.Fatalf("client mechListMIC %x, server expects %x", resp2.MechListMIC, want)
	}
	serverMIC := serverSignature(exportedKey, true, 0, init.MechTypesDER, sealHandle(t, exportedKey, serverSealMagic))
	rep2, err := spnego.EncodeNegTokenResp(spnego.NegTokenResp{
		HasNegState: true, NegState: spnego.AcceptCompleted, MechListMIC: serverMIC,
	})
	if err != nil {
		t.Fatal(err)
	}

	// Client: check the server's mechListMIC; the session key is shared.
	fin, err := spnego.DecodeNegTokenResp(rep2)
	if err != nil {
		t.Fatal(err)
	}
	if fin.NegState != spnego.AcceptCompleted {
		t.Fatalf("negState %v", fin.NegState)
	}
	if err := c.Verify(list, fin.MechListMIC); err != nil {
		t.Fatalf("server mechListMIC: %v", err)
	}
	if !bytes.Equal(c.SessionKey(), exportedKey) {
		t.Errorf("client key %x, server key %x", c.SessionKey(), exportedKey)
	}

	// A mechListMIC over a different (downgraded) list must not verify.
	c2 := &Client{User: "alice", Password: password, Domain: "SAMBA"}
	c2.Negotiate()
	c2.Authenticate(challenge)
	other, _ := spnego.MechTypesBytes([]asn1.ObjectIdentifier{spnego.OIDKerberos5, spnego.OIDNTLMSSP})
	forged := serverSignature(c2.SessionKey(), true, 0, other, sealHandle(t, c2.SessionKey(), serverSealMagic))
	if err := c2.Verify(list, forged); !errors.Is(err, ErrBadSignature) {
		t.Errorf("mechListMIC over another list: %v", err)
	}
}

// modelServerAuthenticate does what a server does with the AUTHENTICATE_MESSAGE
// (MS-NLMP 3.2.5.1.2) and returns the exported session key.
func modelServerAuthenticate(t *testing.T, password string, negotiate, challenge, authenticate []byte) []byte {
	t.Helper()
	m := parseAuthForTest(t, authenticate, 88)
	key := testNTOWFv2(password, m.user, m.domain)
	proof, blob := m.nt[:16], m.nt[16:]
	if !bytes.Equal(testHMAC(key, testServerChallenge[:], blob), proof) {
		t.Fatal("server: NTProofStr does not verify")
	}
	sessionBaseKey := testHMAC(key, proof)
	c, _ := rc4.NewCipher(sessionBaseKey)
	exported := make([]byte, 16)
	c.XORKeyStream(exported, m.encKey)
	zeroed := bytes.Clone(authenticate)
	clear(zeroed[72:88])
	if !bytes.Equal(testHMAC(exported, negotiate, challenge, zeroed), authenticate[72:88]) {
		t.Fatal("server: MIC does not verify")
	}
	return exported
}

// clientSignature is the server's computation of the client's first
// signature (sequence number 0, KEY_EXCH).
func clientSignature(exportedKey, msg []byte, handle *rc4.Cipher) []byte {
	sum := testHMAC(signKey(exportedKey, clientSignMagic), []byte{0, 0, 0, 0}, msg)[:8]
	handle.XORKeyStream(sum, sum)
	sig := append([]byte{1, 0, 0, 0}, sum...)
	return append(sig, 0, 0, 0, 0)
}
