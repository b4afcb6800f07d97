package ntlm

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// messageSignature starts every NTLM message (MS-NLMP 2.2.1).
const messageSignature = "NTLMSSP\x00"

// MessageType values (MS-NLMP 2.2.1.1-2.2.1.3).
const (
	typeNegotiate    uint32 = 1
	typeChallenge    uint32 = 2
	typeAuthenticate uint32 = 3
)

var le = binary.LittleEndian

// Version is the VERSION structure (MS-NLMP 2.2.2.10). It is informational
// only: no processing depends on it.
type Version struct {
	ProductMajor uint8
	ProductMinor uint8
	ProductBuild uint16
	// NTLMRevision is NTLMRevisionCurrent; 0x0F (NTLMSSP_REVISION_W2K3) is
	// the only value in use.
	NTLMRevision uint8
}

// clientVersion is what this client puts in its Version fields. Servers
// ignore it; 10.0 with revision 15 is what current Windows sends.
var clientVersion = Version{ProductMajor: 10, ProductMinor: 0, NTLMRevision: 0x0F}

func (v Version) marshal() [8]byte {
	var b [8]byte
	b[0] = v.ProductMajor
	b[1] = v.ProductMinor
	le.PutUint16(b[2:], v.ProductBuild)
	// b[4:7] is reserved and zero.
	b[7] = v.NTLMRevision
	return b
}

func parseVersion(b []byte) *Version {
	return &Version{
		ProductMajor: b[0],
		ProductMinor: b[1],
		ProductBuild: le.Uint16(b[2:]),
		NTLMRevision: b[7],
	}
}

// encodeUTF16 returns s in UTF-16LE without a terminator, the form of every
// NTLM string when NTLMSSP_NEGOTIATE_UNICODE is negotiated.
func encodeUTF16(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		le.PutUint16(b[2*i:], u)
	}
	return b
}

// decodeUTF16 is the inverse of encodeUTF16. Unpaired surrogates become
// U+FFFD, as the strings are only shown, never compared.
func decodeUTF16(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w: UTF-16 string of odd length %d", ErrMalformed, len(b))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = le.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units)), nil
}

// decodeOEM reads an OEM-charset string as Latin-1 so that every byte maps
// to one rune and nothing is lost; the actual code page is unknown.
func decodeOEM(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// putField writes a payload descriptor (Len, MaxLen, BufferOffset; the
// "...Fields" of MS-NLMP 2.2.1) into dst[0:8].
func putField(dst []byte, length, offset int) {
	le.PutUint16(dst[0:], uint16(length))
	le.PutUint16(dst[2:], uint16(length))
	le.PutUint32(dst[4:], uint32(offset))
}

// readField resolves the payload descriptor at msg[at:at+8]. A non-empty
// field must lie inside msg and must not start before payloadStart, the end
// of the fixed header, so that payload never aliases header fields. MaxLen
// is not checked: MS-NLMP says it SHOULD equal Len and receivers ignore it.
func readField(msg []byte, at, payloadStart int, name string) (data []byte, offset int, err error) {
	length := int(le.Uint16(msg[at:]))
	off := uint64(le.Uint32(msg[at+4:]))
	if length == 0 {
		return nil, 0, nil
	}
	if off < uint64(payloadStart) || off+uint64(length) > uint64(len(msg)) {
		return nil, 0, fmt.Errorf("%w: %s field (offset %d, length %d) outside payload of %d-byte message",
			ErrMalformed, name, off, length, len(msg))
	}
	return msg[off : off+uint64(length)], int(off), nil
}
