package ntlm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func TestParseChallengeSpecExample(t *testing.T) {
	raw := specChallenge(t)
	c, err := ParseChallenge(raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.Flags != 0xe28a8233 {
		t.Errorf("Flags %#x", uint32(c.Flags))
	}
	if c.ServerChallenge != specServerChallenge {
		t.Errorf("ServerChallenge %x", c.ServerChallenge)
	}
	if c.TargetName != "Server" {
		t.Errorf("TargetName %q", c.TargetName)
	}
	if !bytes.Equal(c.TargetInfo, raw[0x44:]) {
		t.Errorf("TargetInfo %x", c.TargetInfo)
	}
	want := []AVPair{{AvNbDomainName, utf16le("Domain")}, {AvNbComputerName, utf16le("Server")}}
	if len(c.AVPairs) != len(want) {
		t.Fatalf("AVPairs %v", c.AVPairs)
	}
	for i := range want {
		if c.AVPairs[i].ID != want[i].ID || !bytes.Equal(c.AVPairs[i].Value, want[i].Value) {
			t.Errorf("AVPairs[%d] = %v, want %v", i, c.AVPairs[i], want[i])
		}
	}
	if c.Version == nil || *c.Version != (Version{6, 0, 6000, 0x0f}) {
		t.Errorf("Version %+v", c.Version)
	}
	if _, ok := c.Timestamp(); ok {
		t.Error("Timestamp present")
	}
}

func TestParseChallengeVariants(t *testing.T) {
	t.Run("timestamp", func(t *testing.T) {
		c, err := ParseChallenge(buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo()))
		if err != nil {
			t.Fatal(err)
		}
		if ts, ok := c.Timestamp(); !ok || ts != binary.LittleEndian.Uint64(testTimestamp) {
			t.Errorf("Timestamp %d %v", ts, ok)
		}
		if v, ok := c.Lookup(AvDNSComputerName); !ok || !bytes.Equal(v, utf16le("filesrv.samba.example")) {
			t.Errorf("Lookup DNS computer name: %x %v", v, ok)
		}
	})
	t.Run("pre-Windows 2000 32-byte challenge", func(t *testing.T) {
		b := buildChallenge(FlagUnicode|FlagNTLM, testServerChallenge, "", nil)[:32]
		c, err := ParseChallenge(b)
		if err != nil {
			t.Fatal(err)
		}
		if c.TargetInfo != nil || c.Version != nil || c.ServerChallenge != testServerChallenge {
			t.Errorf("%+v", c)
		}
	})
	t.Run("TargetInfo ignored without its flag", func(t *testing.T) {
		b := buildChallenge(FlagUnicode, testServerChallenge, "X", []byte{0xff}) // not a valid list
		c, err := ParseChallenge(b)
		if err != nil {
			t.Fatal(err)
		}
		if c.TargetInfo != nil || c.AVPairs != nil {
			t.Errorf("TargetInfo %x", c.TargetInfo)
		}
	})
	t.Run("no Version where payload starts at 48", func(t *testing.T) {
		b := buildChallenge(sambaFlags, testServerChallenge, "AB", nil)
		// Move the 4-byte target name to offset 48 and drop the rest.
		b = append(b[:48], utf16le("AB")...)
		binary.LittleEndian.PutUint32(b[16:], 48)
		c, err := ParseChallenge(b)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != nil || c.TargetName != "AB" {
			t.Errorf("Version %+v TargetName %q", c.Version, c.TargetName)
		}
	})
	t.Run("OEM target name", func(t *testing.T) {
		b := buildChallenge(FlagOEM, testServerChallenge, "", nil)
		b = append(b, 'S', 0xe9)
		binary.LittleEndian.PutUint16(b[12:], 2)
		binary.LittleEndian.PutUint32(b[16:], 56)
		c, err := ParseChallenge(b)
		if err != nil {
			t.Fatal(err)
		}
		if c.TargetName != "S\u00e9" {
			t.Errorf("TargetName %q", c.TargetName)
		}
	})
}

func TestParseChallengeErrors(t *testing.T) {
	valid := func() []byte {
		return buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo())
	}
	tests := []struct {
		name   string
		mutate func(b []byte) []byte
		why    string // substring of the expected error
	}{
		{"empty", func(b []byte) []byte { return nil }, "need at least 32"},
		{"31 bytes", func(b []byte) []byte { return b[:31] }, "need at least 32"},
		{"bad signature", func(b []byte) []byte { b[0] = 'n'; return b }, "no NTLMSSP signature"},
		{"NEGOTIATE type", func(b []byte) []byte { b[8] = 1; return b }, "message type 1"},
		{"TARGET_INFO flag but 40 bytes", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[12:], 0) // no target name either
			return b[:40]
		}, "no TargetInfoFields"},
		{"target name past end", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[16:], 0xfffffff0); return b }, "TargetName field"},
		{"target name length past end", func(b []byte) []byte { binary.LittleEndian.PutUint16(b[12:], 0xffff); return b }, "TargetName field (offset 56, length 65535)"},
		{"target name inside header", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[16:], 8); return b }, "TargetName field (offset 8"},
		{"target name of odd length", func(b []byte) []byte { binary.LittleEndian.PutUint16(b[12:], 13); return b }, "odd length"},
		{"target info past end", func(b []byte) []byte { return b[:len(b)-1] }, "TargetInfo field"},
		{"target info inside header", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[44:], 40); return b }, "TargetInfo field (offset 40"},
		{"target info without EOL", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[40:], binary.LittleEndian.Uint16(b[40:])-4)
			return b[:len(b)-4]
		}, "not terminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseChallenge(tt.mutate(valid()))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("got %+v, %v; want ErrMalformed about %q", c, err, tt.why)
			}
		})
	}
}

func TestParseAVPairs(t *testing.T) {
	t.Run("valid", func(t *testing.T) {
		b := avList(AVPair{AvNbComputerName, utf16le("S")}, AVPair{AvID(0x1234), nil}, AVPair{AvFlags, []byte{2, 0, 0, 0}})
		pairs, err := ParseAVPairs(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(pairs) != 3 || pairs[1].ID != 0x1234 || len(pairs[1].Value) != 0 {
			t.Errorf("%v", pairs)
		}
		if got := appendAVPairs(nil, pairs); !bytes.Equal(got, b) {
			t.Errorf("re-encoding differs: %x vs %x", got, b)
		}
	})
	t.Run("only EOL", func(t *testing.T) {
		pairs, err := ParseAVPairs([]byte{0, 0, 0, 0})
		if err != nil || len(pairs) != 0 {
			t.Errorf("%v %v", pairs, err)
		}
	})
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"truncated header", []byte{1, 0, 2}},
		{"value past end", []byte{1, 0, 9, 0, 'a', 0}},
		{"no EOL", avList(AVPair{AvNbComputerName, utf16le("S")})[:8]},
		{"EOL with length", []byte{0, 0, 1, 0, 0}},
		{"bytes after EOL", []byte{0, 0, 0, 0, 0}},
		{"MsvAvFlags of 3 bytes", avList(AVPair{AvFlags, []byte{1, 2, 3}})},
		{"MsvAvTimestamp of 4 bytes", avList(AVPair{AvTimestamp, []byte{1, 2, 3, 4}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pairs, err := ParseAVPairs(tt.in); !errors.Is(err, ErrMalformed) {
				t.Errorf("got %v, %v; want ErrMalformed", pairs, err)
			}
		})
	}
}
