package wire

// Direct TCP transport framing (MS-SMB2 2.1): every message or compound chain
// travels behind a 4-byte prefix, a zero byte then a 24-bit big-endian length,
// the only big-endian field in SMB2.

// FramePrefixSize is the size of the Direct TCP prefix.
const FramePrefixSize = 4

// MaxFrameLength is the largest payload a 24-bit length can describe.
const MaxFrameLength = 1<<24 - 1

// AppendFramePrefix appends the Direct TCP prefix for a payload of n bytes.
// n must not exceed MaxFrameLength.
func AppendFramePrefix(b []byte, n int) []byte {
	return append(b, 0, byte(n>>16), byte(n>>8), byte(n))
}

// PutFramePrefix writes the prefix for n payload bytes into p[0:4].
func PutFramePrefix(p []byte, n int) {
	p[0], p[1], p[2], p[3] = 0, byte(n>>16), byte(n>>8), byte(n)
}

// ParseFramePrefix returns the payload length announced by a Direct TCP
// prefix. A non-zero first byte is not Direct TCP; a length above limit is
// refused so a hostile or confused peer cannot make the reader allocate
// without bound.
func ParseFramePrefix(p [4]byte, limit int) (int, error) {
	if p[0] != 0 {
		return 0, malformed("transport prefix: first byte 0x%02X, want 0", p[0])
	}
	n := int(p[1])<<16 | int(p[2])<<8 | int(p[3])
	if n > limit {
		return 0, malformed("transport prefix: frame of %d bytes exceeds limit %d", n, limit)
	}
	if n < 4 {
		return 0, malformed("transport prefix: frame of %d bytes is too short", n)
	}
	return n, nil
}
