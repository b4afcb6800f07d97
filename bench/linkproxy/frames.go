package linkproxy

import "encoding/binary"

// Sizes and protocol identifiers of the framing the parser walks.
const (
	directTCPPrefix = 4  // MS-SMB2 2.1: a zero byte, then a 24-bit big-endian length
	smb2HeaderSize  = 64 // MS-SMB2 2.2.1

	protoSMB2       = 0x424d53fe // "\xfeSMB" read little-endian (MS-SMB2 2.2.1)
	protoTransform  = 0x424d53fd // "\xfdSMB" (MS-SMB2 2.2.41)
	protoCompressed = 0x424d53fc // "\xfcSMB" (MS-SMB2 2.2.42)
	protoSMB1       = 0x424d53ff // "\xffSMB" (MS-CIFS 2.2.3.1)
)

// frameKind says what a Direct TCP frame carries.
type frameKind uint8

const (
	frameSMB2       frameKind = iota // one SMB2 message or a compound chain
	frameEncrypted                   // a TRANSFORM header and ciphertext
	frameCompressed                  // a COMPRESSION_TRANSFORM header
	frameSMB1                        // an SMB1 message (a multi-protocol NEGOTIATE)
	frameUnknown                     // anything else, or too short to tell
)

// smb2Header holds the fields of an SMB2 header (MS-SMB2 2.2.1) the
// counters need.
type smb2Header struct {
	Command     uint16
	Status      uint32
	Flags       uint32
	NextCommand uint32
	MessageID   uint64
}

// Header flags (MS-SMB2 2.2.1.2).
const (
	flagServerToRedir = 0x00000001 // a response
	flagAsync         = 0x00000002 // the async form of the header
)

// statusPending is STATUS_PENDING (MS-ERREF 2.3.1): an interim response,
// the final one follows later with the same MessageId.
const statusPending = 0x00000103

// unsolicitedMessageID marks a server-initiated message such as an oplock
// break notification (MS-SMB2 3.3.4.6).
const unsolicitedMessageID = ^uint64(0)

// frameSink receives what a frameParser finds, in stream order: a frame's
// kind first, then each SMB2 message of the frame.
type frameSink interface {
	frame(kind frameKind)
	message(h smb2Header)
}

// frameParser walks one direction of a connection: the Direct TCP frames
// and, inside each, the chain of SMB2 headers. It is fed the stream in
// pieces of any size and keeps only what it needs between pieces (a
// 4-byte prefix and a 64-byte header), so it costs almost nothing per byte
// of payload. A stream that is not Direct TCP (a non-zero first prefix
// byte) stops the parser for good; the bytes still flow.
type frameParser struct {
	prefix  [directTCPPrefix]byte
	prefixN int

	inFrame bool
	left    int // payload bytes of the current frame not yet consumed
	pos     int // payload offset of the next byte
	next    int // payload offset of the next header to capture; -1: none
	hdr     [smb2HeaderSize]byte
	hdrN    int
	hdrAt   int  // payload offset where the captured header starts
	first   bool // the next header is the frame's first

	broken bool
}

// feed consumes p and reports frames and messages to sink.
func (fp *frameParser) feed(p []byte, sink frameSink) {
	for len(p) > 0 && !fp.broken {
		if !fp.inFrame {
			n := copy(fp.prefix[fp.prefixN:], p)
			fp.prefixN += n
			p = p[n:]
			if fp.prefixN < directTCPPrefix {
				return
			}
			fp.prefixN = 0
			if fp.prefix[0] != 0 {
				fp.broken = true
				return
			}
			length := int(fp.prefix[1])<<16 | int(fp.prefix[2])<<8 | int(fp.prefix[3])
			if length == 0 {
				sink.frame(frameUnknown)
				continue
			}
			fp.inFrame, fp.left, fp.pos, fp.next, fp.hdrN, fp.first = true, length, 0, 0, 0, true
			continue
		}
		if fp.next >= 0 && fp.pos >= fp.next {
			n := min(len(p), fp.left, smb2HeaderSize-fp.hdrN)
			if fp.hdrN == 0 {
				fp.hdrAt = fp.pos
			}
			copy(fp.hdr[fp.hdrN:], p[:n])
			fp.hdrN += n
			fp.advance(n)
			p = p[n:]
			if fp.hdrN == smb2HeaderSize || fp.left == 0 {
				fp.header(sink)
			}
		} else {
			n := fp.left
			if fp.next >= 0 {
				n = fp.next - fp.pos
			}
			n = min(n, len(p))
			fp.advance(n)
			p = p[n:]
		}
		if fp.left == 0 {
			fp.inFrame = false
		}
	}
}

// advance moves n bytes forward inside the current frame.
func (fp *frameParser) advance(n int) {
	fp.pos += n
	fp.left -= n
}

// header interprets the captured header bytes and decides where the next
// header of the chain starts.
func (fp *frameParser) header(sink frameSink) {
	got := fp.hdr[:fp.hdrN]
	fp.hdrN = 0
	fp.next = -1
	first := fp.first
	fp.first = false
	kind := frameUnknown
	if len(got) >= 4 {
		switch binary.LittleEndian.Uint32(got) {
		case protoSMB2:
			if len(got) == smb2HeaderSize {
				kind = frameSMB2
			}
		case protoTransform:
			kind = frameEncrypted
		case protoCompressed:
			kind = frameCompressed
		case protoSMB1:
			kind = frameSMB1
		}
	}
	if first {
		sink.frame(kind)
	}
	if kind != frameSMB2 {
		return
	}
	h := smb2Header{
		Status:      binary.LittleEndian.Uint32(got[8:]),
		Command:     binary.LittleEndian.Uint16(got[12:]),
		Flags:       binary.LittleEndian.Uint32(got[16:]),
		NextCommand: binary.LittleEndian.Uint32(got[20:]),
		MessageID:   binary.LittleEndian.Uint64(got[24:]),
	}
	sink.message(h)
	// MS-SMB2 3.2.4.1.4: NextCommand is the offset from this header to the
	// next one in the chain; 0 ends it. An offset that does not move past
	// this header, or points beyond the frame, ends the walk.
	if h.NextCommand >= smb2HeaderSize && int64(fp.hdrAt)+int64(h.NextCommand) < int64(fp.pos+fp.left) {
		fp.next = fp.hdrAt + int(h.NextCommand)
	}
}
