package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUnchainedCompressedLayout pins MS-SMB2 2.2.42.1 byte by byte.
func TestUnchainedCompressedLayout(t *testing.T) {
	m := &UnchainedCompressed{OriginalSize: 0x1234, Algorithm: CompressionLZ4, Uncompressed: []byte{1, 2, 3}, Compressed: []byte{0xAA, 0xBB}}
	got := AppendUnchainedCompressed(nil, m)
	want := unhex(t, `FC534D42 34120000 0500 0000 03000000 010203 AABB`)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n% X\nwant\n% X", got, want)
	}
	p, err := ParseCompressed(got)
	if err != nil || p.Unchained == nil || p.Chained != nil {
		t.Fatalf("parse: %+v, %v", p, err)
	}
	u := p.Unchained
	if u.OriginalSize != 0x1234 || u.Algorithm != CompressionLZ4 || !bytes.Equal(u.Uncompressed, []byte{1, 2, 3}) || !bytes.Equal(u.Compressed, []byte{0xAA, 0xBB}) {
		t.Fatalf("decoded %+v", u)
	}
}

// TestChainedCompressedLayout pins MS-SMB2 2.2.42.2: the first payload
// header carries SMB2_COMPRESSION_FLAG_CHAINED, LZ-family payloads carry
// OriginalPayloadSize inside Length, NONE and Pattern_V1 do not.
func TestChainedCompressedLayout(t *testing.T) {
	m := &ChainedCompressed{OriginalSize: 4 + 100 + 64, Payloads: []CompressedPayload{
		{Algorithm: CompressionNone, OriginalSize: 4, Data: []byte("HDR!")},
		{Algorithm: CompressionLZ4, OriginalSize: 100, Data: []byte{0x11, 0x22}},
		PatternV1(0x00, 64),
	}}
	got := AppendChainedCompressed(nil, m)
	want := unhex(t, `
		FC534D42 A8000000
		0000 0100 04000000 48445221
		0500 0000 06000000 64000000 1122
		0400 0000 08000000 00000000 40000000`)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n% X\nwant\n% X", got, want)
	}
	p, err := ParseCompressed(got)
	if err != nil || p.Chained == nil {
		t.Fatalf("parse: %v", err)
	}
	c := p.Chained
	if c.OriginalSize != 168 || len(c.Payloads) != 3 {
		t.Fatalf("decoded %+v", c)
	}
	for i, pl := range c.Payloads {
		w := m.Payloads[i]
		if pl.Algorithm != w.Algorithm || pl.OriginalSize != w.OriginalSize || !bytes.Equal(pl.Data, w.Data) {
			t.Errorf("payload %d: %+v, want %+v", i, pl, w)
		}
	}
	if b, n, err := ParsePatternV1(c.Payloads[2].Data); b != 0 || n != 64 || err != nil {
		t.Errorf("Pattern_V1: %x %d %v", b, n, err)
	}
}

func TestCompressedMalformed(t *testing.T) {
	valid := AppendChainedCompressed(nil, &ChainedCompressed{OriginalSize: 12, Payloads: []CompressedPayload{
		{Algorithm: CompressionNone, OriginalSize: 4, Data: []byte("abcd")}, PatternV1('x', 8)}})
	cases := map[string][]byte{
		"short":               valid[:10],
		"not compressed":      append([]byte{0xFE}, valid[1:]...),
		"payload beyond end":  valid[:len(valid)-1],
		"bad flags":           func() []byte { b := bytes.Clone(valid); b[10] = 7; return b }(),
		"pattern wrong size":  AppendChainedCompressed(nil, &ChainedCompressed{Payloads: []CompressedPayload{{Algorithm: CompressionPatternV1, Data: []byte{1, 2}}}}),
		"lz4 without size":    unhex(t, `FC534D42 10000000 0500 0100 02000000 0000`),
		"unchained offset":    unhex(t, `FC534D42 10000000 0500 0000 FF000000 00`),
		"truncated payload h": append(bytes.Clone(valid), 1, 2, 3),
	}
	for name, b := range cases {
		if _, err := ParseCompressed(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v; want ErrMalformed", name, err)
		}
	}
}

func FuzzParseCompressed(f *testing.F) {
	f.Add(AppendUnchainedCompressed(nil, &UnchainedCompressed{OriginalSize: 70, Algorithm: CompressionLZ4, Uncompressed: make([]byte, 64), Compressed: []byte{0x50, 1, 2, 3, 4, 5}}))
	f.Add(AppendChainedCompressed(nil, &ChainedCompressed{OriginalSize: 100, Payloads: []CompressedPayload{
		{Algorithm: CompressionNone, OriginalSize: 4, Data: []byte("abcd")},
		{Algorithm: CompressionLZ4, OriginalSize: 32, Data: []byte{0xF0, 1}},
		PatternV1(0, 64)}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseCompressed(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not wrapping ErrMalformed: %v", err)
			}
			return
		}
		if (m.Chained == nil) == (m.Unchained == nil) {
			t.Fatal("exactly one form must be set")
		}
		if m.Chained != nil {
			for _, p := range m.Chained.Payloads {
				if len(p.Data) > len(b) {
					t.Fatal("payload larger than the input")
				}
			}
		}
	})
}
