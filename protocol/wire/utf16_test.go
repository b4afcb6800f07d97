package wire

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// UTF-16LE as every SMB2 name travels (MS-SMB2 2.2.13 and others); the
// surrogate arithmetic follows RFC 2781 section 2.1.
func TestEncodeUTF16(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want string
	}{
		{"empty", "", ""},
		{"ASCII", "share", "7300 6800 6100 7200 6500"},
		{"backslash path", `a\b`, "6100 5C00 6200"},
		{"NUL", "\x00", "0000"},
		{"Latin-1", "é", "E900"},
		{"BMP CJK", "日本", "E565 2C67"},
		{"last BMP code point", "\uFFFF", "FFFF"},
		{"emoji: surrogate pair", "😀", "3DD8 00DE"},
		{"highest code point", "\U0010FFFF", "FFDB FFDF"},
		{"mixed", "a😀b", "6100 3DD8 00DE 6200"},
		{"invalid UTF-8 becomes U+FFFD", "x\xffy", "7800 FDFF 7900"},
		{"truncated UTF-8 sequence", "\xe6\x97", "FDFF FDFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := coreHex(t, tt.want)
			if got := EncodeUTF16(tt.s); !bytes.Equal(got, want) {
				t.Fatalf("EncodeUTF16(%q) = % X, want % X", tt.s, got, want)
			}
			if got := AppendUTF16([]byte{0xAB}, tt.s); !bytes.Equal(got, append([]byte{0xAB}, want...)) {
				t.Fatalf("AppendUTF16(AB, %q) = % X", tt.s, got)
			}
		})
	}
}

func TestDecodeUTF16(t *testing.T) {
	tests := []struct {
		name string
		b    string
		want string
	}{
		{"empty", "", ""},
		{"ASCII fast path", "6800 6500 6C00 6C00 6F00", "hello"},
		{"ASCII with NUL", "6100 0000 6200", "a\x00b"},
		{"U+0080 leaves the fast path", "8000", "\u0080"},
		{"high byte set leaves the fast path", "4101", "Ł"},
		{"ASCII then Latin-1", "4100 6200 E900", "Abé"},
		{"BMP CJK", "E565 2C67", "日本"},
		{"surrogate pair", "3DD8 00DE", "😀"},
		{"highest code point", "FFDB FFDF", "\U0010FFFF"},
		{"unpaired high surrogate at the end", "4100 3DD8", "A\uFFFD"},
		{"unpaired low surrogate", "00DE 4100", "\uFFFDA"},
		{"high surrogate before a letter", "3DD8 4100", "\uFFFDA"},
		{"pair in the wrong order", "00DE 3DD8", "\uFFFD\uFFFD"},
		{"two high surrogates then a low", "3DD8 3DD8 00DE", "\uFFFD😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeUTF16(coreHex(t, tt.b))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("DecodeUTF16(%s) = %q, want %q", tt.b, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("DecodeUTF16 returned invalid UTF-8 %q", got)
			}
		})
	}
}

func TestDecodeUTF16OddLength(t *testing.T) {
	for _, b := range [][]byte{{0x41}, {0x41, 0x00, 0x42}, {0xE9, 0x00, 0x3D, 0xD8, 0x00}} {
		s, err := DecodeUTF16(b)
		coreWantMalformed(t, err)
		if s != "" {
			t.Fatalf("DecodeUTF16(% X) returned %q with an error", b, s)
		}
	}
}

func TestUTF16RoundTrip(t *testing.T) {
	for _, s := range []string{"", "x", `dir\sub dir\file.txt`, "Ünïcödé", "日本語のファイル", "🎉 party 🎉", "\U00010000\U0010FFFF", "\u00A0\u2028\uFEFF"} {
		got, err := DecodeUTF16(EncodeUTF16(s))
		if err != nil || got != s {
			t.Errorf("round trip of %q = %q, %v", s, got, err)
		}
	}
}
