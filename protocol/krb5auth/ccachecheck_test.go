package krb5auth

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

func TestCheckCCache(t *testing.T) {
	valid := ccacheFile(testNow.Add(time.Hour))
	// Offset of the credential's address count: after the header (4),
	// the default principal and the credential's two principals, keyblock,
	// times, is_skey and flags.
	principal := func(realm string, comps ...string) int {
		n := 4 + 4 + 4 + len(realm)
		for _, c := range comps {
			n += 4 + len(c)
		}
		return n
	}
	addrs := 4 + principal("EXAMPLE.COM", "alice")*2 + principal("EXAMPLE.COM", "krbtgt", "EXAMPLE.COM") + 2 + 4 + 32 + 16 + 1 + 4
	withCount := func(off int, v uint32) []byte {
		b := append([]byte(nil), valid...)
		binary.BigEndian.PutUint32(b[off:], v)
		return b
	}
	withHeader := append([]byte{5, 4, 0, 12, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0}, valid[4:]...)
	tests := []struct {
		name string
		in   []byte
		want string // "" for valid
	}{
		{"valid", valid, ""},
		{"valid with a KDC offset header field", withHeader, ""},
		{"empty", nil, "not a credential cache"},
		{"version 5", []byte{5, 5}, "not a credential cache"},
		{"not a cache", []byte("hello"), "not a credential cache"},
		{"truncated", valid[:len(valid)-3], "truncated"},
		{"2^31-1 addresses", withCount(addrs, 0x7fffffff), "cannot fit"},
		{"negative address count", withCount(addrs, 0xffffffff), "negative length"},
		{"huge realm length", withCount(4+8, 0x7ffffff0), "truncated"},
		{"huge component count", withCount(4+4, 0x7ffffff0), "cannot fit"},
		{"header longer than the file", []byte{5, 4, 0xff, 0xff, 0, 1}, "truncated"},
	}
	for _, tt := range tests {
		err := checkCCache(tt.in)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
	// What passes the check, gokrb5 parses.
	if _, err := parseCCache("valid", withHeader); err != nil {
		t.Errorf("parse with header: %v", err)
	}
}
