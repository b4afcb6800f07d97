package dcerpc

import (
	"encoding/binary"
	"fmt"
)

// le is the byte order of every field this package reads and writes: it
// announces little-endian in its data representation and refuses PDUs that
// use another (C706 14.1).
var le = binary.LittleEndian

// PacketType is the PTYPE of a connection-oriented PDU (C706 12.6.4).
type PacketType uint8

// Packet types a client sends or receives over ncacn_np.
const (
	PacketRequest      PacketType = 0
	PacketResponse     PacketType = 2
	PacketFault        PacketType = 3
	PacketBind         PacketType = 11
	PacketBindAck      PacketType = 12
	PacketBindNak      PacketType = 13
	PacketAlterContext PacketType = 14
	PacketAlterResp    PacketType = 15
	PacketShutdown     PacketType = 17
	PacketCoCancel     PacketType = 18
	PacketOrphaned     PacketType = 19
)

// String names the packet type.
func (t PacketType) String() string {
	switch t {
	case PacketRequest:
		return "request"
	case PacketResponse:
		return "response"
	case PacketFault:
		return "fault"
	case PacketBind:
		return "bind"
	case PacketBindAck:
		return "bind_ack"
	case PacketBindNak:
		return "bind_nak"
	case PacketAlterContext:
		return "alter_context"
	case PacketAlterResp:
		return "alter_context_resp"
	case PacketShutdown:
		return "shutdown"
	case PacketCoCancel:
		return "co_cancel"
	case PacketOrphaned:
		return "orphaned"
	}
	return fmt.Sprintf("ptype(%d)", uint8(t))
}

// Flags are the pfc_flags of the common header (C706 12.6.3.1,
// MS-RPCE 2.2.2.3).
type Flags uint8

// Flag bits.
const (
	FlagFirstFrag Flags = 0x01 // PFC_FIRST_FRAG: first fragment of a call
	FlagLastFrag  Flags = 0x02 // PFC_LAST_FRAG: last fragment of a call
	// FlagPendingCancel is PFC_PENDING_CANCEL; in bind PDUs MS-RPCE reuses
	// the bit as PFC_SUPPORT_HEADER_SIGN.
	FlagPendingCancel Flags = 0x04
	FlagConcMpx       Flags = 0x10 // PFC_CONC_MPX
	FlagDidNotExecute Flags = 0x20 // PFC_DID_NOT_EXECUTE
	FlagMaybe         Flags = 0x40 // PFC_MAYBE
	FlagObjectUUID    Flags = 0x80 // PFC_OBJECT_UUID: an object UUID follows the request header
)

// HeaderSize is the size of the common header every PDU starts with.
const HeaderSize = 16

// MaxFragLength is the largest fragment frag_length can describe.
const MaxFragLength = 0xFFFF

// secTrailerSize is the size of the sec_trailer that precedes an
// authentication value (MS-RPCE 2.2.2.11).
const secTrailerSize = 8

// dataRepLE is the packed_drep this package sends: little-endian
// integers, ASCII characters, IEEE floating point (C706 14.1, 12.6.3.1).
// A constant in spirit; arrays cannot be Go constants.
var dataRepLE = [4]byte{0x10, 0, 0, 0}

// Header is the common header of a connection-oriented PDU (C706 12.6.3.1):
// rpc_vers 5, rpc_vers_minor 0, PTYPE, pfc_flags, packed_drep, frag_length,
// auth_length, call_id.
type Header struct {
	Type       PacketType
	Flags      Flags
	DataRep    [4]byte
	FragLength uint16
	AuthLength uint16
	CallID     uint32
}

// appendHeader appends h with rpc_vers 5.0. FragLength is written as given;
// encoders patch it with putFragLength once the PDU is complete.
func appendHeader(b []byte, h Header) []byte {
	b = append(b, 5, 0, byte(h.Type), byte(h.Flags))
	b = append(b, h.DataRep[:]...)
	b = le.AppendUint16(b, h.FragLength)
	b = le.AppendUint16(b, h.AuthLength)
	return le.AppendUint32(b, h.CallID)
}

// putFragLength sets frag_length of the PDU that starts at pdu[0].
func putFragLength(pdu []byte) {
	le.PutUint16(pdu[8:], uint16(len(pdu)))
}

// ParseHeader decodes the common header at the start of b. It checks the
// version (5.0), the data representation (little-endian, ASCII, IEEE is the
// only one supported) and that frag_length covers at least the header and
// the authentication trailer it announces. It does not need the whole PDU.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, malformed("PDU header: %d bytes, need %d", len(b), HeaderSize)
	}
	if b[0] != 5 || b[1] != 0 {
		return h, malformed("PDU header: RPC version %d.%d, want 5.0", b[0], b[1])
	}
	h.Type = PacketType(b[2])
	h.Flags = Flags(b[3])
	copy(h.DataRep[:], b[4:8])
	h.FragLength = le.Uint16(b[8:])
	h.AuthLength = le.Uint16(b[10:])
	h.CallID = le.Uint32(b[12:])
	if h.DataRep[0]&0xF0 != 0x10 || h.DataRep[0]&0x0F != 0 || h.DataRep[1] != 0 {
		return h, malformed("PDU header: data representation % x is not little-endian/ASCII/IEEE", h.DataRep[:])
	}
	least := HeaderSize
	if h.AuthLength > 0 {
		least += secTrailerSize + int(h.AuthLength)
	}
	if int(h.FragLength) < least {
		return h, malformed("PDU header: frag_length %d shorter than header and auth trailer (%d)", h.FragLength, least)
	}
	return h, nil
}

// PDU is one parsed connection-oriented PDU.
type PDU struct {
	Header
	// Body is what follows the common header, up to the sec_trailer and
	// without the auth padding it announces (MS-RPCE 2.2.2.11); without
	// authentication, the rest of the fragment.
	Body []byte
	// Auth is the sec_trailer and auth_value, if AuthLength > 0.
	Auth []byte
}

// ParsePDU decodes b, which must hold exactly one PDU (len(b) equal to its
// frag_length). Body and Auth alias b.
func ParsePDU(b []byte) (*PDU, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	if int(h.FragLength) != len(b) {
		return nil, malformed("%v PDU: frag_length %d, but %d bytes given", h.Type, h.FragLength, len(b))
	}
	p := &PDU{Header: h, Body: b[HeaderSize:]}
	if h.AuthLength > 0 {
		trailer := len(b) - int(h.AuthLength) - secTrailerSize
		pad := int(b[trailer+2]) // auth_pad_length
		if pad > trailer-HeaderSize {
			return nil, malformed("%v PDU: auth_pad_length %d exceeds the %d-byte body", h.Type, pad, trailer-HeaderSize)
		}
		p.Body = b[HeaderSize : trailer-pad]
		p.Auth = b[trailer:]
	}
	return p, nil
}

// SplitPDU returns the first PDU of a byte stream and the bytes after it.
// When stream does not yet hold a whole PDU, pdu is nil and err is nil: read
// more. A header that cannot start a valid PDU is an error.
func SplitPDU(stream []byte) (pdu, rest []byte, err error) {
	if len(stream) < HeaderSize {
		return nil, stream, nil
	}
	h, err := ParseHeader(stream)
	if err != nil {
		return nil, stream, err
	}
	n := int(h.FragLength)
	if len(stream) < n {
		return nil, stream, nil
	}
	return stream[:n:n], stream[n:], nil
}
