package spnego

import (
	"bytes"
	"reflect"
	"testing"
)

func FuzzDecodeNegTokenInit(f *testing.F) {
	for _, s := range []string{ksmbdNTLMOnly, ksmbdKerberos, clientInitNTLM,
		"a01c 301a a00e 300c 060a 2b06010401823702020a a104 0302 0160 a302 0400"} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := DecodeNegTokenInit(b)
		if err != nil {
			return
		}
		// DER is canonical: re-encoding the decoded list gives the bytes
		// that were received, which is what a mechListMIC relies on.
		if len(tok.MechTypes) > 0 {
			list, err := MechTypesBytes(tok.MechTypes)
			if err != nil {
				t.Fatalf("decoded mechTypes %v do not encode: %v", tok.MechTypes, err)
			}
			if !bytes.Equal(list, tok.MechTypesDER) {
				t.Fatalf("mechTypes re-encode to %x, received %x", list, tok.MechTypesDER)
			}
		}
		if !bytes.Contains(b, tok.MechTypesDER) {
			t.Fatal("MechTypesDER is not part of the input")
		}
	})
}

func FuzzDecodeNegTokenResp(f *testing.F) {
	for _, s := range []string{
		"a181e4 3081e1 a003 0a0101 a10c 060a 2b06010401823702020a a281cb 0481c8" + string(bytes.Repeat([]byte("c1"), 200)),
		"a11d 301b a205 0403 010203 a312 0410 010000000011223344556677 00000000",
		"a11b 3019 a003 0a0100 a312 0410 010000000011223344556677 00000000",
		"a107 3005 a003 0a0102",
		"a10c 300a a003 0a0100 a403 020101",
	} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := DecodeNegTokenResp(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode again and decode to the same value.
		enc, err := EncodeNegTokenResp(*tok)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", tok, err)
		}
		again, err := DecodeNegTokenResp(enc)
		if err != nil {
			t.Fatalf("decoding re-encoded %x: %v", enc, err)
		}
		if !reflect.DeepEqual(tok, again) {
			t.Fatalf("round trip changed the token:\n%+v\n%+v", tok, again)
		}
		if len(enc) > len(b) {
			t.Fatalf("re-encoding grew from %d to %d bytes", len(b), len(enc))
		}
	})
}
