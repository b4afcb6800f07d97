package wire

import (
	"unicode/utf16"
	"unicode/utf8"
)

// EncodeUTF16 returns s as UTF-16LE without a terminator, the encoding of
// every name and path in SMB2.
func EncodeUTF16(s string) []byte {
	return AppendUTF16(make([]byte, 0, 2*len(s)), s)
}

// AppendUTF16 appends s as UTF-16LE to b.
func AppendUTF16(b []byte, s string) []byte {
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			b = le.AppendUint16(b, uint16(r1))
			b = le.AppendUint16(b, uint16(r2))
			continue
		}
		if r == utf8.RuneError {
			r = 0xFFFD
		}
		b = le.AppendUint16(b, uint16(r))
	}
	return b
}

// DecodeUTF16 decodes UTF-16LE bytes. An odd length is malformed; unpaired
// surrogates become U+FFFD, as no Go string can hold them.
func DecodeUTF16(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", malformed("UTF-16 string of odd length %d", len(b))
	}
	// Fast path for the common ASCII case: no allocation of a []uint16.
	ascii := true
	for i := 0; i < len(b); i += 2 {
		if b[i+1] != 0 || b[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		out := make([]byte, len(b)/2)
		for i := range out {
			out[i] = b[2*i]
		}
		return string(out), nil
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = le.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}
