package wire

// HeaderSize is the size of the SMB2 sync and async headers (MS-SMB2 2.2.1).
const HeaderSize = 64

// ProtocolID values that open SMB messages (MS-SMB2 2.2.1, 2.2.41, 2.2.42).
var (
	protocolSMB2       = [4]byte{0xFE, 'S', 'M', 'B'}
	protocolTransform  = [4]byte{0xFD, 'S', 'M', 'B'}
	protocolCompressed = [4]byte{0xFC, 'S', 'M', 'B'}
	protocolSMB1       = [4]byte{0xFF, 'S', 'M', 'B'}
)

// HeaderFlags are the Flags bits of the SMB2 header (MS-SMB2 2.2.1.2).
type HeaderFlags uint32

// Header flag bits.
const (
	FlagServerToRedir     HeaderFlags = 0x00000001
	FlagAsyncCommand      HeaderFlags = 0x00000002
	FlagRelatedOperations HeaderFlags = 0x00000004
	FlagSigned            HeaderFlags = 0x00000008
	FlagPriorityMask      HeaderFlags = 0x00000070
	FlagDFSOperations     HeaderFlags = 0x10000000
	FlagReplayOperation   HeaderFlags = 0x20000000
)

// Field offsets inside the 64-byte header, used to patch encoded messages in
// place (signatures, compound links) without re-encoding them.
const (
	offCreditCharge = 6
	offStatus       = 8
	offCommand      = 12
	offCredits      = 14
	offFlags        = 16
	offNextCommand  = 20
	offMessageID    = 24
	offAsyncID      = 32
	offTreeID       = 36
	offSessionID    = 40
	offSignature    = 48
)

// Header is the SMB2 packet header in either its sync or async form
// (MS-SMB2 2.2.1.1, 2.2.1.2). In requests Credits is CreditRequest; in
// responses it is CreditResponse. TreeID is meaningful only in the sync form
// and AsyncID only in the async form (Flags has FlagAsyncCommand).
type Header struct {
	CreditCharge uint16
	Status       Status
	Command      Command
	Credits      uint16
	Flags        HeaderFlags
	NextCommand  uint32
	MessageID    uint64
	AsyncID      uint64
	TreeID       uint32
	SessionID    uint64
	Signature    [16]byte
}

// IsAsync reports whether h is in the async form.
func (h *Header) IsAsync() bool { return h.Flags&FlagAsyncCommand != 0 }

// IsResponse reports whether h travels from server to client.
func (h *Header) IsResponse() bool { return h.Flags&FlagServerToRedir != 0 }

// Encode appends the 64 header bytes to b.
func (h *Header) Encode(b []byte) []byte {
	b = append(b, protocolSMB2[:]...)
	b = le.AppendUint16(b, HeaderSize)
	b = le.AppendUint16(b, h.CreditCharge)
	b = le.AppendUint32(b, uint32(h.Status))
	b = le.AppendUint16(b, uint16(h.Command))
	b = le.AppendUint16(b, h.Credits)
	b = le.AppendUint32(b, uint32(h.Flags))
	b = le.AppendUint32(b, h.NextCommand)
	b = le.AppendUint64(b, h.MessageID)
	if h.IsAsync() {
		b = le.AppendUint64(b, h.AsyncID)
	} else {
		b = le.AppendUint32(b, 0) // Reserved (often the process id in old clients)
		b = le.AppendUint32(b, h.TreeID)
	}
	b = le.AppendUint64(b, h.SessionID)
	return append(b, h.Signature[:]...)
}

// DecodeHeader parses the header at the start of msg.
func DecodeHeader(msg []byte) (Header, error) {
	var h Header
	if err := needLen(msg, HeaderSize, "SMB2 header"); err != nil {
		return h, err
	}
	if [4]byte(msg[:4]) != protocolSMB2 {
		return h, malformed("SMB2 header: protocol id % X", msg[:4])
	}
	if n := le.Uint16(msg[4:]); n != HeaderSize {
		return h, malformed("SMB2 header: StructureSize %d", n)
	}
	h.CreditCharge = le.Uint16(msg[offCreditCharge:])
	h.Status = Status(le.Uint32(msg[offStatus:]))
	h.Command = Command(le.Uint16(msg[offCommand:]))
	h.Credits = le.Uint16(msg[offCredits:])
	h.Flags = HeaderFlags(le.Uint32(msg[offFlags:]))
	h.NextCommand = le.Uint32(msg[offNextCommand:])
	h.MessageID = le.Uint64(msg[offMessageID:])
	if h.IsAsync() {
		h.AsyncID = le.Uint64(msg[offAsyncID:])
	} else {
		h.TreeID = le.Uint32(msg[offTreeID:])
	}
	h.SessionID = le.Uint64(msg[offSessionID:])
	copy(h.Signature[:], msg[offSignature:offSignature+16])
	return h, nil
}

// SetNextCommand patches the NextCommand field of the encoded message msg.
func SetNextCommand(msg []byte, next uint32) { le.PutUint32(msg[offNextCommand:], next) }

// SetFlags patches the Flags field of the encoded message msg.
func SetFlags(msg []byte, f HeaderFlags) { le.PutUint32(msg[offFlags:], uint32(f)) }

// Flags reads the Flags field of the encoded message msg (at least HeaderSize bytes).
func Flags(msg []byte) HeaderFlags { return HeaderFlags(le.Uint32(msg[offFlags:])) }

// Signature returns the signature field of msg as a subslice, so a signer can
// zero and later fill it in place.
func Signature(msg []byte) []byte { return msg[offSignature : offSignature+16] }

// SetMessageID patches the MessageId field of the encoded message msg.
func SetMessageID(msg []byte, id uint64) { le.PutUint64(msg[offMessageID:], id) }

// SetCredits patches the CreditCharge and CreditRequest fields of msg.
func SetCredits(msg []byte, charge, request uint16) {
	le.PutUint16(msg[offCreditCharge:], charge)
	le.PutUint16(msg[offCredits:], request)
}

// SetSessionID patches the SessionId field of msg.
func SetSessionID(msg []byte, id uint64) { le.PutUint64(msg[offSessionID:], id) }

// SetTreeID patches the TreeId field of a sync-form message msg.
func SetTreeID(msg []byte, id uint32) { le.PutUint32(msg[offTreeID:], id) }

// ProtocolKind tells which of the SMB message families a frame payload holds,
// from its first four bytes.
type ProtocolKind int

// Frame payload kinds.
const (
	KindUnknown    ProtocolKind = iota
	KindSMB2                    // 0xFE 'SMB': plain SMB2 message or compound chain
	KindTransform               // 0xFD 'SMB': encrypted (MS-SMB2 2.2.41)
	KindCompressed              // 0xFC 'SMB': compressed (MS-SMB2 2.2.42)
	KindSMB1                    // 0xFF 'SMB': an SMB1 server answering
)

// KindOf classifies a frame payload by its protocol id.
func KindOf(payload []byte) ProtocolKind {
	if len(payload) < 4 {
		return KindUnknown
	}
	switch [4]byte(payload[:4]) {
	case protocolSMB2:
		return KindSMB2
	case protocolTransform:
		return KindTransform
	case protocolCompressed:
		return KindCompressed
	case protocolSMB1:
		return KindSMB1
	}
	return KindUnknown
}
