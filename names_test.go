package smbfs

import (
	"errors"
	"strings"
	"testing"
)

func TestEncodeComponentTable(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain.txt", "plain.txt"},
		{"12:30.log", "12\uF02230.log"},
		{"what?.txt", "what\uF025.txt"},
		{`a"b*c:d<e>f?g\h|i`, "a\uF020b\uF021c\uF022d\uF023e\uF024f\uF025g\uF026h\uF027i"},
		{"trailing ", "trailing\uF028"},
		{"trailing.", "trailing\uF029"},
		{"dots...", "dots..\uF029"},
		{"mid. dle", "mid. dle"},
		{" lead", " lead"},
		{"tab\there", "tab\uF009here"},
		{"\x01\x1f", "\uF001\uF01F"},
		{"日本語", "日本語"},
		{"emoji😀.txt", "emoji😀.txt"},
	}
	for _, tt := range tests {
		got, err := encodeComponent(tt.in, true)
		if err != nil || got != tt.want {
			t.Errorf("encodeComponent(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if back := decodeComponent(got, true); back != tt.in {
			t.Errorf("decodeComponent(%q) = %q; want %q", got, back, tt.in)
		}
	}
}

func TestEveryMappedCharacter(t *testing.T) {
	// The complete table of the macOS / Services-for-Macintosh convention.
	want := map[rune]rune{'"': 0xF020, '*': 0xF021, ':': 0xF022, '<': 0xF023, '>': 0xF024, '?': 0xF025, '\\': 0xF026, '|': 0xF027}
	for c := rune(1); c < 0x20; c++ {
		want[c] = 0xF000 + c
	}
	for from, to := range want {
		got, err := encodeComponent("x"+string(from)+"x", true)
		if err != nil || got != "x"+string(to)+"x" {
			t.Errorf("%U: got %q, %v; want x%cx", from, got, err, to)
		}
	}
}

func TestNameMappingOff(t *testing.T) {
	for _, name := range []string{"a:b", "what?", "x ", "x.", "tab\t"} {
		if _, err := encodeComponent(name, false); !errors.Is(err, errInvalidName) {
			t.Errorf("encodeComponent(%q, off) = %v; want errInvalidName", name, err)
		}
	}
	if got, err := encodeComponent("fine.txt", false); err != nil || got != "fine.txt" {
		t.Errorf("plain name with mapping off: %q, %v", got, err)
	}
	if got := decodeComponent("a\uF022b", false); got != "a\uF022b" {
		t.Errorf("decode with mapping off changed the name: %q", got)
	}
}

func TestNULIsNeverSent(t *testing.T) {
	if _, err := encodeComponent("a\x00b", true); !errors.Is(err, errInvalidName) {
		t.Fatalf("NUL in a name: %v", err)
	}
}

func TestPrivateCharactersNotAtTheEnd(t *testing.T) {
	// U+F028/U+F029 stand for space/period only as the last character.
	for _, wireName := range []string{"a\uF028b", "\uF029x"} {
		if got := decodeComponent(wireName, true); got != wireName {
			t.Errorf("decodeComponent(%q) = %q; want unchanged", wireName, got)
		}
	}
}

func TestToWirePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{".", ""},
		{"a", "a"},
		{"a/b/c.txt", `a\b\c.txt`},
		{"dir:1/file?", "dir\uF0221\\file\uF025"},
		{"a./b ", "a\uF029\\b\uF028"},
	}
	for _, tt := range tests {
		got, err := toWirePath(tt.in, true)
		if err != nil || got != tt.want {
			t.Errorf("toWirePath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	// A backslash inside a Go name is a character, never a separator.
	got, _ := toWirePath(`a\b`, true)
	if strings.Contains(got, `\`) {
		t.Errorf("backslash leaked as separator: %q", got)
	}
}

func FuzzNameMapping(f *testing.F) {
	for _, s := range []string{"", "a", "12:30.log", "x ", "x.", "\x01", "a\uF022b", "😀?", "\uF029"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := encodeComponent(s, true)
		if err != nil {
			return
		}
		for _, c := range []byte(`"*:<>?\|`) {
			if strings.IndexByte(enc, c) >= 0 {
				t.Fatalf("encoded %q still holds %q: %q", s, c, enc)
			}
		}
		if strings.HasSuffix(enc, " ") || strings.HasSuffix(enc, ".") {
			t.Fatalf("encoded %q ends in space or period: %q", s, enc)
		}
		// Names without private-use characters survive the round trip.
		if !hasPrivate(s) {
			if back := decodeComponent(enc, true); back != s {
				t.Fatalf("round trip %q -> %q -> %q", s, enc, back)
			}
		}
		// A decoded wire name encodes back to the same wire name.
		dec := decodeComponent(enc, true)
		if again, err := encodeComponent(dec, true); err == nil && again != enc && !hasPrivate(s) {
			t.Fatalf("wire name %q -> %q -> %q", enc, dec, again)
		}
	})
}
