package wire

// ReadFlags of the READ request (MS-SMB2 2.2.19).
type ReadFlags uint8

// Read flag bits.
const (
	ReadFlagUnbuffered        ReadFlags = 0x01
	ReadFlagRequestCompressed ReadFlags = 0x02
)

// ReadRequest is the SMB2 READ request (MS-SMB2 2.2.19).
type ReadRequest struct {
	Flags          ReadFlags
	Length         uint32
	Offset         uint64
	FileID         FileID
	MinimumCount   uint32
	RemainingBytes uint32
}

// Command returns CommandRead.
func (r *ReadRequest) Command() Command { return CommandRead }

// PayloadSizes reports the bytes this request moves, for CreditCharge.
func (r *ReadRequest) PayloadSizes() (send, recv int) { return 0, int(r.Length) }

// Encode appends the request body to msg.
func (r *ReadRequest) Encode(msg []byte) []byte {
	b := le.AppendUint16(msg, 49)
	b = append(b, 0x50, byte(r.Flags)) // Padding: where the server should put data (header + 16)
	b = le.AppendUint32(b, r.Length)
	b = le.AppendUint64(b, r.Offset)
	b = appendFileID(b, r.FileID)
	b = le.AppendUint32(b, r.MinimumCount)
	b = le.AppendUint32(b, 0) // Channel
	b = le.AppendUint32(b, r.RemainingBytes)
	b = le.AppendUint16(b, 0) // ReadChannelInfoOffset
	b = le.AppendUint16(b, 0) // ReadChannelInfoLength
	return append(b, 0)       // Buffer: one byte, as the StructureSize promises
}

// ReadResponse is the SMB2 READ response (MS-SMB2 2.2.20).
type ReadResponse struct {
	Data          []byte
	DataRemaining uint32
}

// Decode parses msg. Data aliases msg.
func (r *ReadResponse) Decode(msg []byte) error {
	const what = "READ response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 17, what); err != nil {
		return err
	}
	if err := needLen(body, 16, what); err != nil {
		return err
	}
	off, n := uint32(body[2]), le.Uint32(body[4:])
	if n > 0 && off < HeaderSize+16 {
		// Data overlapping the header or the fixed body would hand the
		// caller protocol bytes as file content.
		return malformed("%s: DataOffset %d inside the header or body", what, off)
	}
	var err error
	r.Data, err = BufferAt(msg, off, n, what+" data")
	r.DataRemaining = le.Uint32(body[8:])
	return err
}

// WriteFlags of the WRITE request (MS-SMB2 2.2.21).
type WriteFlags uint32

// Write flag bits.
const (
	WriteFlagThrough    WriteFlags = 0x00000001
	WriteFlagUnbuffered WriteFlags = 0x00000002
)

// WriteRequest is the SMB2 WRITE request (MS-SMB2 2.2.21).
type WriteRequest struct {
	Offset         uint64
	FileID         FileID
	RemainingBytes uint32
	Flags          WriteFlags
	Data           []byte
}

// Command returns CommandWrite.
func (r *WriteRequest) Command() Command { return CommandWrite }

// PayloadSizes reports the bytes this request moves, for CreditCharge.
func (r *WriteRequest) PayloadSizes() (send, recv int) { return len(r.Data), 0 }

// WriteRequestFixedSize is the size of the WRITE body before its data, so
// callers can size buffers: data starts at HeaderSize+WriteRequestFixedSize.
const WriteRequestFixedSize = 48

// Encode appends the request body to msg.
func (r *WriteRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	b := le.AppendUint16(msg, 49)
	b = le.AppendUint16(b, uint16(len(msg)-base+WriteRequestFixedSize)) // DataOffset
	b = le.AppendUint32(b, uint32(len(r.Data)))
	b = le.AppendUint64(b, r.Offset)
	b = appendFileID(b, r.FileID)
	b = le.AppendUint32(b, 0) // Channel
	b = le.AppendUint32(b, r.RemainingBytes)
	b = le.AppendUint16(b, 0) // WriteChannelInfoOffset
	b = le.AppendUint16(b, 0) // WriteChannelInfoLength
	b = le.AppendUint32(b, uint32(r.Flags))
	if len(r.Data) == 0 {
		return append(b, 0)
	}
	return append(b, r.Data...)
}

// WriteResponse is the SMB2 WRITE response (MS-SMB2 2.2.22).
type WriteResponse struct {
	Count uint32
}

// Decode parses msg.
func (r *WriteResponse) Decode(msg []byte) error {
	const what = "WRITE response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 17, what); err != nil {
		return err
	}
	if err := needLen(body, 16, what); err != nil {
		return err
	}
	r.Count = le.Uint32(body[4:])
	return nil
}
