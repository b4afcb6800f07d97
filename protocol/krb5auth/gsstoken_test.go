package krb5auth

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodeMechToken(t *testing.T) {
	// RFC 2743 section 3.1 framing around RFC 1964's OID (06 09 2a 86 48
	// 86 f7 12 01 02 02) and RFC 4121's TOK_ID.
	got, err := encodeMechToken(tokAPReq, []byte{0x6e, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "600f06092a864886f712010202"+"0100"+"6e00")
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
	// A message longer than 127 bytes needs a long-form length.
	long := bytes.Repeat([]byte{0xaa}, 300)
	got, err = encodeMechToken(tokAPReq, long)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, unhex(t, "6082013906092a864886f712010202")) {
		t.Fatalf("long token starts %x", got[:16])
	}
	tok, err := decodeMechToken(got)
	if err != nil || tok.tokID != tokAPReq || !bytes.Equal(tok.msg, long) {
		t.Fatalf("round trip: %v %+v", err, tok)
	}
}

func TestDecodeMechToken(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		tokID uint16
		msg   string
	}{
		{"framed AP-REP", "600f06092a864886f712010202" + "0200" + "6f00", tokAPRep, "6f00"},
		{"framed KRB-ERROR", "600f06092a864886f712010202" + "0300" + "7e00", tokKRBError, "7e00"},
		{"MS OID", "600f06092a864882f712010202" + "0200" + "6f00", tokAPRep, "6f00"},
		{"bare AP-REP", "6f03020105", tokAPRep, "6f03020105"},
		{"bare KRB-ERROR", "7e03020105", tokKRBError, "7e03020105"},
		// A Samba 4.17 AD DC's answer to an AP-REQ an hour off: accept-
		// incomplete with a framed KRB-ERROR (KRB_AP_ERR_SKEW) as the
		// response token; here its mechanism token alone.
		{"Samba KRB_AP_ERR_SKEW", "606506092a864886f71201020203007e563054a003020105a10302011ea411180f32303236313132343035303331335aa505020303ce13a603020125a90c1b0a544553542e4c4f43414caa10300ea003020101a10730051b03444324ac0904073005a103020102",
			tokKRBError, "7e563054a003020105a10302011ea411180f32303236313132343035303331335aa505020303ce13a603020125a90c1b0a544553542e4c4f43414caa10300ea003020101a10730051b03444324ac0904073005a103020102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := decodeMechToken(unhex(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if tok.tokID != tt.tokID || !bytes.Equal(tok.msg, unhex(t, tt.msg)) {
				t.Fatalf("got %#x %x", tok.tokID, tok.msg)
			}
		})
	}
}

func TestDecodeMechTokenErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"truncated frame", "600f06092a864886f71201020201"},
		{"trailing bytes", "600f06092a864886f712010202" + "0200" + "6f00" + "00"},
		{"not application class", "300f06092a864886f712010202" + "0200" + "6f00"},
		{"application tag 1", "610f06092a864886f712010202" + "0200" + "6f00"},
		{"NTLMSSP OID", "6010060a2b06010401823702020a" + "0200" + "6f00"},
		{"no OID", "6004" + "0200" + "6f00"},
		{"no token id", "600b06092a864886f712010202"},
		{"one-byte token id", "600c06092a864886f71201020202"},
		{"unknown token id", "600f06092a864886f712010202" + "0404" + "6f00"},
		{"no message", "600d06092a864886f712010202" + "0200"},
		{"non-minimal length", "60810f06092a864886f712010202" + "0200" + "6f00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := decodeMechToken(unhex(t, tt.in))
			if err == nil {
				t.Fatalf("decoded %+v", tok)
			}
			if !errors.Is(err, errMalformedToken) {
				t.Fatalf("error %v does not wrap errMalformedToken", err)
			}
		})
	}
}

func TestDecodedMessageIsACopy(t *testing.T) {
	in := unhex(t, "600f06092a864886f712010202"+"0200"+"6f00")
	tok, err := decodeMechToken(in)
	if err != nil {
		t.Fatal(err)
	}
	in[len(in)-1] = 0xff
	if tok.msg[1] != 0 {
		t.Fatal("the decoded message aliases the input")
	}
}
