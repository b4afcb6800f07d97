package wire

import (
	"bytes"
	"testing"
)

// MS-SMB2 2.1: a zero byte, then the payload length as 24 bits big-endian.
func TestAppendFramePrefix(t *testing.T) {
	tests := []struct {
		n    int
		want []byte
	}{
		{0, []byte{0, 0, 0, 0}},
		{0x40, []byte{0, 0, 0, 0x40}},
		{508, []byte{0, 0, 0x01, 0xFC}}, // the Windows negotiate response
		{0x123456, []byte{0, 0x12, 0x34, 0x56}},
		{MaxFrameLength, []byte{0, 0xFF, 0xFF, 0xFF}},
	}
	for _, tt := range tests {
		got := AppendFramePrefix([]byte{0xAB}, tt.n)
		if !bytes.Equal(got, append([]byte{0xAB}, tt.want...)) {
			t.Errorf("AppendFramePrefix(%d) = % X, want AB % X", tt.n, got, tt.want)
		}
		p := []byte{0xEE, 0xEE, 0xEE, 0xEE, 0xEE}
		PutFramePrefix(p, tt.n)
		if !bytes.Equal(p[:4], tt.want) || p[4] != 0xEE {
			t.Errorf("PutFramePrefix(%d) = % X, want % X EE", tt.n, p, tt.want)
		}
		if tt.n >= 4 {
			n, err := ParseFramePrefix([4]byte(tt.want), MaxFrameLength)
			if err != nil || n != tt.n {
				t.Errorf("ParseFramePrefix(% X) = %d, %v; want %d", tt.want, n, err, tt.n)
			}
		}
	}
}

func TestParseFramePrefix(t *testing.T) {
	tests := []struct {
		name   string
		p      [4]byte
		limit  int
		want   int
		broken bool
	}{
		{name: "small", p: [4]byte{0, 0, 0, 0x50}, limit: 1 << 20, want: 0x50},
		{name: "uses all three length bytes", p: [4]byte{0, 0x01, 0x02, 0x03}, limit: MaxFrameLength, want: 0x010203},
		{name: "largest", p: [4]byte{0, 0xFF, 0xFF, 0xFF}, limit: MaxFrameLength, want: MaxFrameLength},
		{name: "exactly the limit", p: [4]byte{0, 0, 0x10, 0}, limit: 0x1000, want: 0x1000},
		{name: "one over the limit", p: [4]byte{0, 0, 0x10, 1}, limit: 0x1000, broken: true},
		{name: "limit 0 refuses all", p: [4]byte{0, 0, 0, 0x40}, limit: 0, broken: true},
		{name: "shortest accepted", p: [4]byte{0, 0, 0, 4}, limit: 100, want: 4},
		{name: "empty frame", p: [4]byte{0, 0, 0, 0}, limit: 100, broken: true},
		{name: "three bytes", p: [4]byte{0, 0, 0, 3}, limit: 100, broken: true},
		{name: "NetBIOS session request", p: [4]byte{0x81, 0, 0, 0x44}, limit: 1 << 20, broken: true},
		{name: "NetBIOS keep-alive", p: [4]byte{0x85, 0, 0, 0}, limit: 1 << 20, broken: true},
		{name: "SMB2 magic where a prefix belongs", p: [4]byte{0xFE, 'S', 'M', 'B'}, limit: MaxFrameLength, broken: true},
		{name: "little-endian length is not", p: [4]byte{0, 0x50, 0, 0}, limit: 0x1000, broken: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseFramePrefix(tt.p, tt.limit)
			if tt.broken {
				coreWantMalformed(t, err)
				if n != 0 {
					t.Fatalf("length %d returned with an error", n)
				}
				return
			}
			if err != nil || n != tt.want {
				t.Fatalf("ParseFramePrefix = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
}
