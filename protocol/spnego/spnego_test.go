package spnego

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// Real-world tokens (facts from public sources).
const (
	// The NegTokenInit2 that Linux's ksmbd server returns in its SMB2
	// NEGOTIATE response when built without Kerberos.
	ksmbdNTLMOnly = `
		6048 0606 2b0601050502
		a03e 303c
		     a00e 300c 060a 2b06010401823702020a
		     a32a 3028 a026 1b24 6e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265`
	// The same with Kerberos: krb5, MS krb5, NTLMSSP.
	ksmbdKerberos = `
		605e 0606 2b0601050502
		a054 3052
		     a024 3022 0609 2a864886f712010202 0609 2a864882f712010202 060a 2b06010401823702020a
		     a32a 3028 a026 1b24 6e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265`
	// A client's first token: NTLMSSP only, with an NTLM NEGOTIATE_MESSAGE
	// as mechToken (a capture published in Metasploit's test suite).
	clientInitNTLM = `
		605a 0606 2b0601050502
		a050 304e
		     a00e 300c 060a 2b06010401823702020a
		     a23c 043a 4e544c4d5353500001000000358288e20e000e00200000000b000b002e0000006b65726265726f732e6973737565574f524b53544154494f4e00`
)

const ntlmNegotiateInCapture = "4e544c4d5353500001000000358288e20e000e00200000000b000b002e0000006b65726265726f732e6973737565574f524b53544154494f4e00"

func TestEncodeNegTokenInitMatchesCapture(t *testing.T) {
	got, err := EncodeNegTokenInit([]asn1.ObjectIdentifier{OIDNTLMSSP}, unhex(t, ntlmNegotiateInCapture))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, clientInitNTLM); !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
}

func TestEncodeNegTokenInit(t *testing.T) {
	tests := []struct {
		name  string
		mechs []asn1.ObjectIdentifier
		token []byte
		want  string
	}{
		{
			name:  "no mechToken",
			mechs: []asn1.ObjectIdentifier{OIDNTLMSSP},
			want:  "601c 0606 2b0601050502 a012 3010 a00e 300c 060a 2b06010401823702020a",
		},
		{
			name:  "empty mechToken is present",
			mechs: []asn1.ObjectIdentifier{OIDNTLMSSP},
			token: []byte{},
			want:  "6020 0606 2b0601050502 a016 3014 a00e 300c 060a 2b06010401823702020a a202 0400",
		},
		{
			name:  "two mechanisms",
			mechs: []asn1.ObjectIdentifier{OIDMSKerberos5, OIDNTLMSSP},
			token: []byte{0xab},
			want: "602c 0606 2b0601050502 a022 3020 a019 3017 0609 2a864882f712010202 060a 2b06010401823702020a" +
				" a203 0401ab",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeNegTokenInit(tt.mechs, tt.token)
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
		})
	}
}

func TestEncodeNegTokenInitLongLengths(t *testing.T) {
	// A 300-byte token forces two-octet lengths at every level.
	token := bytes.Repeat([]byte{0x5a}, 300)
	got, err := EncodeNegTokenInit([]asn1.ObjectIdentifier{OIDNTLMSSP}, token)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `
		60820154 0606 2b0601050502
		a0820148 30820144
		  a00e 300c 060a 2b06010401823702020a
		  a2820130 0482012c`)
	want = append(want, token...)
	if !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
	dec, err := DecodeNegTokenInit(got)
	if err != nil || !bytes.Equal(dec.MechToken, token) {
		t.Errorf("decode: %v", err)
	}
}

func TestMechTypesBytes(t *testing.T) {
	got, err := MechTypesBytes([]asn1.ObjectIdentifier{OIDNTLMSSP})
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "300c 060a 2b06010401823702020a"); !bytes.Equal(got, want) {
		t.Errorf("got %x, want %x", got, want)
	}
	// It is the same bytes the NegTokenInit carries.
	tok, _ := EncodeNegTokenInit([]asn1.ObjectIdentifier{OIDKerberos5, OIDNTLMSSP}, nil)
	dec, err := DecodeNegTokenInit(tok)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := MechTypesBytes([]asn1.ObjectIdentifier{OIDKerberos5, OIDNTLMSSP})
	if !bytes.Equal(dec.MechTypesDER, list) || !bytes.Contains(tok, list) {
		t.Errorf("MechTypesDER %x, MechTypesBytes %x", dec.MechTypesDER, list)
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
	}{
		{"NegTokenInit without mechanisms", func() error { _, err := EncodeNegTokenInit(nil, []byte{1}); return err }},
		{"invalid OID", func() error {
			_, err := EncodeNegTokenInit([]asn1.ObjectIdentifier{{5}}, nil)
			return err
		}},
		{"MechTypesBytes empty", func() error { _, err := MechTypesBytes(nil); return err }},
		{"negState out of range", func() error {
			_, err := EncodeNegTokenResp(NegTokenResp{HasNegState: true, NegState: 4})
			return err
		}},
		{"negative negState", func() error {
			_, err := EncodeNegTokenResp(NegTokenResp{HasNegState: true, NegState: -1})
			return err
		}},
		{"invalid supportedMech", func() error {
			_, err := EncodeNegTokenResp(NegTokenResp{SupportedMech: asn1.ObjectIdentifier{3, 1}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestDecodeNegTokenInit(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     NegTokenInit
		supports []asn1.ObjectIdentifier
	}{
		{
			name: "ksmbd NTLM only (NegTokenInit2)",
			in:   ksmbdNTLMOnly,
			want: NegTokenInit{
				MechTypes:    []asn1.ObjectIdentifier{OIDNTLMSSP},
				MechTypesDER: unhex(t, "300c060a2b06010401823702020a"),
				NegHints:     &NegHints{HintName: "not_defined_in_RFC4178@please_ignore"},
			},
			supports: []asn1.ObjectIdentifier{OIDNTLMSSP},
		},
		{
			name: "ksmbd with Kerberos",
			in:   ksmbdKerberos,
			want: NegTokenInit{
				MechTypes:    []asn1.ObjectIdentifier{OIDKerberos5, OIDMSKerberos5, OIDNTLMSSP},
				MechTypesDER: unhex(t, "3022 0609 2a864886f712010202 0609 2a864882f712010202 060a 2b06010401823702020a"),
				NegHints:     &NegHints{HintName: "not_defined_in_RFC4178@please_ignore"},
			},
			supports: []asn1.ObjectIdentifier{OIDKerberos5, OIDMSKerberos5, OIDNTLMSSP},
		},
		{
			name: "client token with mechToken",
			in:   clientInitNTLM,
			want: NegTokenInit{
				MechTypes:    []asn1.ObjectIdentifier{OIDNTLMSSP},
				MechTypesDER: unhex(t, "300c060a2b06010401823702020a"),
				MechToken:    unhex(t, ntlmNegotiateInCapture),
			},
			supports: []asn1.ObjectIdentifier{OIDNTLMSSP},
		},
		{
			name: "bare [0] with reqFlags and RFC 4178 mechListMIC",
			in:   "a01c 301a a00e 300c 060a 2b06010401823702020a a104 0302 0160 a302 0400",
			want: NegTokenInit{
				MechTypes:    []asn1.ObjectIdentifier{OIDNTLMSSP},
				MechTypesDER: unhex(t, "300c060a2b06010401823702020a"),
				ReqFlags:     &asn1.BitString{Bytes: []byte{0x60}, BitLength: 7},
				MechListMIC:  []byte{},
			},
		},
		{
			name: "NegTokenInit2 with hintAddress, mechListMIC [4] and an unknown extension [5]",
			in:   "a01c 301a a002 3000 a308 3006 a104 0402 0a0b a403 0401ee a505 0203 010203",
			want: NegTokenInit{
				MechTypes:    []asn1.ObjectIdentifier{},
				MechTypesDER: []byte{0x30, 0x00},
				NegHints:     &NegHints{HintAddress: []byte{0x0a, 0x0b}},
				MechListMIC:  []byte{0xee},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeNegTokenInit(unhex(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
			for _, m := range tt.supports {
				if !got.Supports(m) {
					t.Errorf("Supports(%v) false", m)
				}
			}
			if got.Supports(OIDNegoEx) {
				t.Error("Supports(NEGOEX) true")
			}
		})
	}
}

func TestDecodeNegTokenInitErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		why  string // substring of the expected error
	}{
		{"empty", "", "truncated element"},
		{"one byte", "60", "truncated element"},
		{"trailing garbage", "a012 3010 a00e 300c 060a 2b06010401823702020a 00", "after the token"},
		{"length past end", "a013 3010 a00e 300c 060a 2b06010401823702020a", "only 18 remain"},
		{"indefinite length", "a080 3010 a00e 300c 060a 2b06010401823702020a 0000", "indefinite length"},
		{"non-minimal long length", "a08112 3010 a00e 300c 060a 2b06010401823702020a", "long-form length"},
		{"length with leading zero", "a0820012 3010 a00e 300c 060a 2b06010401823702020a", "leading zero"},
		{"five-octet length", "a0850000000014", "5 octets"},
		{"high tag number form", "bf2000", "multi-byte tag"},
		{"negTokenResp instead", "a1 02 3000", "not a negTokenInit"},
		{"wrong GSS OID", "601c 0606 2b0601050503 a012 3010 a00e 300c 060a 2b06010401823702020a", "not SPNEGO"},
		{"GSS header without inner token", "6008 0606 2b0601050502", "truncated element"},
		{"GSS inner token with trailing byte", "601d 0606 2b0601050502 a012 3010 a00e 300c 060a 2b06010401823702020a 00", "after NegotiationToken"},
		{"GSS inner token not [0]", "600c 0606 2b0601050502 a102 3000", "NegotiationToken has tag 0xa1"},
		{"GSS header not an OID", "6004 0402 0102", "want OBJECT IDENTIFIER"},
		{"not a SEQUENCE", "a002 3100", "want 0x30"},
		{"two elements in [0]", "a004 3000 3000", "after NegTokenInit"},
		{"missing mechTypes", "a006 3004 a202 0400", "without mechTypes"},
		{"mechTypes not a SEQUENCE", "a006 3004 a002 0400", "want SEQUENCE"},
		{"mechTypes element not an OID", "a008 3006 a004 3002 0400", "want OBJECT IDENTIFIER"},
		{"empty OID", "a008 3006 a004 3002 0600", "zero length"},
		{"non-minimal OID arc", "a00a 3008 a006 3004 0602 2a80", "not minimally encoded"},
		{"fields out of order", "a00a 3008 a202 0400 a002 3000", "[0] after [2]"},
		{"field repeated", "a00a 3008 a002 3000 a002 3000", "[0] after [0]"},
		{"explicit tag holding two elements", "a008 3006 a004 3000 3000", "more than one element"},
		{"universal tag as component", "a006 3004 3002 0400", "component with tag 0x30"},
		{"primitive context tag", "a006 3004 8002 0400", "component with tag 0x80"},
		{"mechToken not OCTET STRING", "a00a 3008 a002 3000 a202 0500", "mechToken has tag"},
		{"reqFlags not BIT STRING", "a00a 3008 a002 3000 a102 0400", "want BIT STRING"},
		{"reqFlags bad padding count", "a00c 300a a002 3000 a104 03020801", "padding"},
		{"negHints hintName wrong type", "a00e 300c a002 3000 a306 3004 a002 0400", "GeneralString"},
		{"negHints unknown component", "a00e 300c a002 3000 a306 3004 a202 0400", "negHints component [2]"},
		{"mechListMIC in [3] and [4]", "a00e 300c a002 3000 a302 0400 a402 0400", "both [3] and [4]"},
		{"mechListMIC [4] not OCTET STRING", "a00a 3008 a002 3000 a402 0500", "mechListMIC has tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeNegTokenInit(unhex(t, tt.in))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("got %+v, %v; want ErrMalformed about %q", got, err, tt.why)
			}
		})
	}
}

func TestNegTokenResp(t *testing.T) {
	challenge := bytes.Repeat([]byte{0xc1}, 200) // forces a 0x81 length
	mic := unhex(t, "010000000011223344556677 00000000")
	tests := []struct {
		name string
		tok  NegTokenResp
		want string
	}{
		{
			name: "server challenge: accept-incomplete, NTLMSSP, token",
			tok: NegTokenResp{HasNegState: true, NegState: AcceptIncomplete,
				SupportedMech: OIDNTLMSSP, ResponseToken: challenge},
			want: "a181e4 3081e1 a003 0a0101 a10c 060a 2b06010401823702020a a281cb 0481c8" +
				strings.Repeat("c1", 200),
		},
		{
			name: "client AUTHENTICATE with mechListMIC, no negState",
			tok:  NegTokenResp{ResponseToken: []byte{1, 2, 3}, MechListMIC: mic},
			want: "a11d 301b a205 0403 010203 a312 0410 010000000011223344556677 00000000",
		},
		{
			name: "server final: accept-completed with mechListMIC",
			tok:  NegTokenResp{HasNegState: true, NegState: AcceptCompleted, MechListMIC: mic},
			want: "a11b 3019 a003 0a0100 a312 0410 010000000011223344556677 00000000",
		},
		{
			name: "reject",
			tok:  NegTokenResp{HasNegState: true, NegState: Reject},
			want: "a107 3005 a003 0a0102",
		},
		{
			name: "request-mic",
			tok:  NegTokenResp{HasNegState: true, NegState: RequestMIC},
			want: "a107 3005 a003 0a0103",
		},
		{
			name: "empty",
			tok:  NegTokenResp{},
			want: "a102 3000",
		},
		{
			name: "empty but present token and MIC",
			tok:  NegTokenResp{ResponseToken: []byte{}, MechListMIC: []byte{}},
			want: "a10a 3008 a202 0400 a302 0400",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeNegTokenResp(tt.tok)
			if err != nil {
				t.Fatal(err)
			}
			want := unhex(t, tt.want)
			if !bytes.Equal(got, want) {
				t.Errorf("encode\ngot  %x\nwant %x", got, want)
			}
			dec, err := DecodeNegTokenResp(want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*dec, tt.tok) {
				t.Errorf("decode\ngot  %+v\nwant %+v", *dec, tt.tok)
			}
		})
	}
	t.Run("unknown extension [4] is skipped", func(t *testing.T) {
		dec, err := DecodeNegTokenResp(unhex(t, "a10c 300a a003 0a0100 a403 020101"))
		if err != nil {
			t.Fatal(err)
		}
		if !dec.HasNegState || dec.NegState != AcceptCompleted || dec.ResponseToken != nil {
			t.Errorf("%+v", dec)
		}
	})
}

func TestDecodeNegTokenRespErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		why  string // substring of the expected error
	}{
		{"empty", "", "truncated element"},
		{"negTokenInit instead", "a002 3000", "want 0xa1"},
		{"GSS-wrapped", "600c 0606 2b0601050502 a102 3000", "tag 0x60"},
		{"trailing garbage", "a102 3000 00", "after negTokenResp"},
		{"truncated", "a107 3005 a003 0a01", "only 6 remain"},
		{"not a SEQUENCE", "a102 0400", "want 0x30"},
		{"two SEQUENCEs", "a104 3000 3000", "after NegTokenResp"},
		{"negState 4", "a107 3005 a003 0a0104", "not one of 0-3"},
		{"negState 0xff (-1)", "a107 3005 a003 0a01ff", "not one of 0-3"},
		{"negState two octets", "a108 3006 a004 0a020001", "not one of 0-3"},
		{"negState empty", "a106 3004 a002 0a00", "not one of 0-3"},
		{"negState as INTEGER", "a107 3005 a003 020101", "want ENUMERATED"},
		{"supportedMech not OID", "a106 3004 a102 0400", "want OBJECT IDENTIFIER"},
		{"supportedMech bad OID", "a107 3005 a103 0601ff", "truncated base 128"},
		{"responseToken not OCTET STRING", "a106 3004 a202 0500", "responseToken has tag"},
		{"mechListMIC not OCTET STRING", "a106 3004 a302 0500", "mechListMIC has tag"},
		{"out of order", "a10b 3009 a202 0400 a003 0a0100", "[0] after [2]"},
		{"repeated", "a10a 3008 a202 0400 a202 0400", "[2] after [2]"},
		{"inner length past explicit tag", "a106 3004 a202 0403", "only 0 remain"},
		{"non-minimal length", "a18102 3000", "long-form length"},
		{"indefinite length", "a180 3000 0000", "indefinite length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeNegTokenResp(unhex(t, tt.in))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("got %+v, %v; want ErrMalformed about %q", got, err, tt.why)
			}
		})
	}
}

// TestStandardLibraryAgrees decodes our encodings with encoding/asn1 and
// the RFC 4178 definitions as struct tags, an implementation independent of
// the package's own DER reader.
func TestStandardLibraryAgrees(t *testing.T) {
	type negTokenInit struct {
		MechTypes   []asn1.ObjectIdentifier `asn1:"explicit,tag:0"`
		ReqFlags    asn1.BitString          `asn1:"explicit,optional,tag:1"`
		MechToken   []byte                  `asn1:"explicit,optional,tag:2"`
		MechListMIC []byte                  `asn1:"explicit,optional,tag:3"`
	}
	type negTokenResp struct {
		NegState      asn1.Enumerated       `asn1:"explicit,optional,tag:0"`
		SupportedMech asn1.ObjectIdentifier `asn1:"explicit,optional,tag:1"`
		ResponseToken []byte                `asn1:"explicit,optional,tag:2"`
		MechListMIC   []byte                `asn1:"explicit,optional,tag:3"`
	}

	t.Run("NegTokenInit", func(t *testing.T) {
		mechs := []asn1.ObjectIdentifier{OIDKerberos5, OIDNTLMSSP}
		tok, err := EncodeNegTokenInit(mechs, []byte("token"))
		if err != nil {
			t.Fatal(err)
		}
		var gss asn1.RawValue
		if rest, err := asn1.Unmarshal(tok, &gss); err != nil || len(rest) != 0 || gss.Class != asn1.ClassApplication || gss.Tag != 0 {
			t.Fatalf("GSS wrapper: %v %+v", err, gss)
		}
		var oid asn1.ObjectIdentifier
		inner, err := asn1.Unmarshal(gss.Bytes, &oid)
		if err != nil || !oid.Equal(OIDSPNEGO) {
			t.Fatalf("thisMech: %v %v", err, oid)
		}
		var choice asn1.RawValue
		if _, err := asn1.Unmarshal(inner, &choice); err != nil || choice.Tag != 0 {
			t.Fatalf("choice: %v", err)
		}
		var init negTokenInit
		if rest, err := asn1.Unmarshal(choice.Bytes, &init); err != nil || len(rest) != 0 {
			t.Fatalf("NegTokenInit: %v", err)
		}
		if !reflect.DeepEqual(init.MechTypes, mechs) || string(init.MechToken) != "token" {
			t.Errorf("%+v", init)
		}
	})
	t.Run("NegTokenResp", func(t *testing.T) {
		tok, err := EncodeNegTokenResp(NegTokenResp{HasNegState: true, NegState: AcceptIncomplete,
			SupportedMech: OIDNTLMSSP, ResponseToken: []byte("chal"), MechListMIC: []byte("mic")})
		if err != nil {
			t.Fatal(err)
		}
		var choice asn1.RawValue
		if rest, err := asn1.Unmarshal(tok, &choice); err != nil || len(rest) != 0 || choice.Tag != 1 {
			t.Fatalf("choice: %v", err)
		}
		var resp negTokenResp
		if rest, err := asn1.Unmarshal(choice.Bytes, &resp); err != nil || len(rest) != 0 {
			t.Fatalf("NegTokenResp: %v", err)
		}
		if resp.NegState != 1 || !resp.SupportedMech.Equal(OIDNTLMSSP) ||
			string(resp.ResponseToken) != "chal" || string(resp.MechListMIC) != "mic" {
			t.Errorf("%+v", resp)
		}
	})
}

func TestNegStateString(t *testing.T) {
	for s, want := range map[NegState]string{
		AcceptCompleted: "accept-completed", AcceptIncomplete: "accept-incomplete",
		Reject: "reject", RequestMIC: "request-mic", 7: "NegState(7)",
	} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
}

func TestDecodedSlicesAreCopies(t *testing.T) {
	in := unhex(t, clientInitNTLM)
	dec, err := DecodeNegTokenInit(in)
	if err != nil {
		t.Fatal(err)
	}
	clear(in)
	if !bytes.Equal(dec.MechToken, unhex(t, ntlmNegotiateInCapture)) || dec.MechTypesDER[0] != 0x30 {
		t.Error("decoded fields alias the input")
	}
}
