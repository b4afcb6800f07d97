package wire

import (
	"errors"
	"strings"
	"testing"
)

// Every error a decoder returns for bad bytes wraps ErrMalformed and says
// what was wrong.
func TestMalformedErrors(t *testing.T) {
	err := malformed("thing %d", 7)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "thing 7") {
		t.Fatalf("malformed = %v", err)
	}
	if err := needLen(make([]byte, 3), 4, "x"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("needLen = %v", err)
	}
	if err := needLen(make([]byte, 4), 4, "x"); err != nil {
		t.Fatalf("needLen of enough bytes = %v", err)
	}
	msg := coreSeq(0, 10)
	tests := []struct {
		off, n uint32
		ok     bool
	}{
		{0, 10, true},
		{9, 1, true},
		{10, 0, true},
		{0xFFFFFFFF, 0, true},
		{10, 1, false},
		{0, 11, false},
		{0xFFFFFFFF, 0xFFFFFFFF, false},
		{1, 0xFFFFFFFF, false},
	}
	for _, tt := range tests {
		b, err := BufferAt(msg, tt.off, tt.n, "buf")
		if tt.ok {
			if err != nil || len(b) != int(tt.n) || (tt.n > 0 && (cap(b) != len(b) || b[0] != byte(tt.off))) {
				t.Errorf("BufferAt(%d, %d) = % X (cap %d), %v", tt.off, tt.n, b, cap(b), err)
			}
			if tt.n == 0 && b != nil {
				t.Errorf("BufferAt(%d, 0) = %#v, want nil", tt.off, b)
			}
			continue
		}
		if !errors.Is(err, ErrMalformed) || b != nil {
			t.Errorf("BufferAt(%d, %d) = % X, %v; want a malformed error", tt.off, tt.n, b, err)
		}
	}
}
