package wire

// SMB2 compression framing (MS-SMB2 2.2.42). A compressed frame starts with
// 0xFC 'SMB' and the size of the message once decompressed. The unchained
// form then names one algorithm and an offset: the bytes up to the offset
// travel as they are (typically the SMB2 header and the fixed part of a
// READ or WRITE), the rest is one compressed block. The chained form is a
// sequence of payloads, each with its own algorithm: NONE (bytes as they
// are), an LZ-family block with its original size, or Pattern_V1 (one byte
// repeated, MS-SMB2 2.2.42.2.2).

// CompressionFlagChainedPayload marks the first payload header of a chained
// compressed message (MS-SMB2 2.2.42.2.1).
const CompressionFlagChainedPayload uint16 = 0x0001

// CompressionHeaderSize is the size of the unchained header and of the
// chained header's fixed part plus its first payload header's fixed part.
const CompressionHeaderSize = 16

// compressedHasOriginalSize reports whether a chained payload of this
// algorithm carries an OriginalPayloadSize field (MS-SMB2 2.2.42.2.1: all
// but NONE and Pattern_V1).
func compressedHasOriginalSize(alg uint16) bool {
	return alg != CompressionNone && alg != CompressionPatternV1
}

// UnchainedCompressed is an unchained compressed message (MS-SMB2 2.2.42.1).
type UnchainedCompressed struct {
	OriginalSize uint32 // size of the message once decompressed
	Algorithm    uint16
	Uncompressed []byte // the leading bytes sent as they are
	Compressed   []byte // the compressed remainder
}

// AppendUnchainedCompressed appends the frame payload for m to b.
func AppendUnchainedCompressed(b []byte, m *UnchainedCompressed) []byte {
	b = append(b, protocolCompressed[:]...)
	b = le.AppendUint32(b, m.OriginalSize)
	b = le.AppendUint16(b, m.Algorithm)
	b = le.AppendUint16(b, 0) // Flags: SMB2_COMPRESSION_FLAG_NONE
	b = le.AppendUint32(b, uint32(len(m.Uncompressed)))
	b = append(b, m.Uncompressed...)
	return append(b, m.Compressed...)
}

// CompressedPayload is one payload of a chained compressed message.
type CompressedPayload struct {
	Algorithm uint16
	// OriginalSize is the decompressed size for LZ-family algorithms; for
	// NONE it equals len(Data); for Pattern_V1 it is the repetition count.
	OriginalSize uint32
	// Data is the payload as sent: raw bytes (NONE), a compressed block,
	// or for Pattern_V1 the 8-byte pattern structure.
	Data []byte
}

// ChainedCompressed is a chained compressed message (MS-SMB2 2.2.42.2).
type ChainedCompressed struct {
	OriginalSize uint32
	Payloads     []CompressedPayload
}

// PatternV1 builds the Pattern_V1 payload of count repetitions of c
// (MS-SMB2 2.2.42.2.2).
func PatternV1(c byte, count uint32) CompressedPayload {
	d := []byte{c, 0, 0, 0}
	d = le.AppendUint32(d, count)
	return CompressedPayload{Algorithm: CompressionPatternV1, OriginalSize: count, Data: d}
}

// ParsePatternV1 decodes a Pattern_V1 payload.
func ParsePatternV1(data []byte) (c byte, count uint32, err error) {
	if len(data) != 8 {
		return 0, 0, malformed("Pattern_V1 payload of %d bytes, want 8", len(data))
	}
	return data[0], le.Uint32(data[4:]), nil
}

// AppendChainedCompressed appends the frame payload for m to b.
func AppendChainedCompressed(b []byte, m *ChainedCompressed) []byte {
	b = append(b, protocolCompressed[:]...)
	b = le.AppendUint32(b, m.OriginalSize)
	for i, p := range m.Payloads {
		b = le.AppendUint16(b, p.Algorithm)
		flags := uint16(0)
		if i == 0 {
			flags = CompressionFlagChainedPayload
		}
		b = le.AppendUint16(b, flags)
		n := len(p.Data)
		if compressedHasOriginalSize(p.Algorithm) {
			b = le.AppendUint32(b, uint32(n+4))
			b = le.AppendUint32(b, p.OriginalSize)
		} else {
			b = le.AppendUint32(b, uint32(n))
		}
		b = append(b, p.Data...)
	}
	return b
}

// CompressedMessage is a decoded compressed frame: exactly one of Unchained
// and Chained is set.
type CompressedMessage struct {
	Unchained *UnchainedCompressed
	Chained   *ChainedCompressed
}

// ParseCompressed decodes a compressed frame payload (starting with 0xFC
// 'SMB'). Decoded slices alias frame. It checks structure only; the
// decompressor checks sizes against what it will allow.
func ParseCompressed(frame []byte) (*CompressedMessage, error) {
	const what = "compressed message"
	if err := needLen(frame, CompressionHeaderSize, what); err != nil {
		return nil, err
	}
	if KindOf(frame) != KindCompressed {
		return nil, malformed("%s: protocol id % X", what, frame[:4])
	}
	orig := le.Uint32(frame[4:])
	flags := le.Uint16(frame[10:])
	switch flags {
	case 0:
		off := le.Uint32(frame[12:])
		rest := frame[CompressionHeaderSize:]
		if uint64(off) > uint64(len(rest)) {
			return nil, malformed("%s: Offset %d beyond the %d bytes that follow", what, off, len(rest))
		}
		return &CompressedMessage{Unchained: &UnchainedCompressed{
			OriginalSize: orig,
			Algorithm:    le.Uint16(frame[8:]),
			Uncompressed: rest[:off:off],
			Compressed:   rest[off:],
		}}, nil
	case CompressionFlagChainedPayload:
		m := &ChainedCompressed{OriginalSize: orig}
		rest := frame[8:]
		for len(rest) > 0 {
			if len(rest) < 8 {
				return nil, malformed("%s: payload header of %d bytes", what, len(rest))
			}
			// The first payload's Flags (CHAINED) is what made this the
			// chained form; later ones should be NONE, but nothing
			// depends on it, so they are not checked.
			alg := le.Uint16(rest)
			n := le.Uint32(rest[4:])
			rest = rest[8:]
			if uint64(n) > uint64(len(rest)) {
				return nil, malformed("%s: payload of %d bytes, %d left", what, n, len(rest))
			}
			p := CompressedPayload{Algorithm: alg, Data: rest[:n:n]}
			switch {
			case compressedHasOriginalSize(alg):
				if n < 4 {
					return nil, malformed("%s: payload of %d bytes has no OriginalPayloadSize", what, n)
				}
				p.OriginalSize = le.Uint32(p.Data)
				p.Data = p.Data[4:]
			case alg == CompressionPatternV1:
				_, count, err := ParsePatternV1(p.Data)
				if err != nil {
					return nil, err
				}
				p.OriginalSize = count
			default:
				p.OriginalSize = n
			}
			m.Payloads = append(m.Payloads, p)
			rest = rest[n:]
		}
		if len(m.Payloads) == 0 {
			return nil, malformed("%s: chained message without payloads", what)
		}
		return &CompressedMessage{Chained: m}, nil
	}
	return nil, malformed("%s: flags %#x", what, flags)
}
