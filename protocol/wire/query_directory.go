package wire

// QueryDirectoryFlags of QUERY_DIRECTORY (MS-SMB2 2.2.33).
type QueryDirectoryFlags uint8

// QUERY_DIRECTORY flag bits.
const (
	// DirRestartScans restarts the enumeration from the first entry,
	// with the pattern of this request.
	DirRestartScans QueryDirectoryFlags = 0x01
	// DirReturnSingleEntry asks for at most one entry.
	DirReturnSingleEntry QueryDirectoryFlags = 0x02
	// DirIndexSpecified resumes at FileIndex.
	DirIndexSpecified QueryDirectoryFlags = 0x04
	// DirReopen restarts the enumeration and lets the pattern change,
	// as if the directory had been closed and opened again.
	DirReopen QueryDirectoryFlags = 0x10
)

// QueryDirectoryRequest is the SMB2 QUERY_DIRECTORY request (MS-SMB2
// 2.2.33). FileInformationClass is one of the directory classes that
// ParseDirectoryInfo decodes.
//
// Pattern is the search pattern, usually "*"; the server applies it on the
// first request of an enumeration (or with DirRestartScans/DirReopen) and
// ignores it afterwards. An empty Pattern is encoded as FileNameLength 0 with
// the single padding byte the StructureSize calls for; servers differ on
// whether they accept it, so a client lists everything with "*". Pattern is
// at most 32767 UTF-16 code units, the limit of the 16-bit length field.
type QueryDirectoryRequest struct {
	FileInformationClass InfoClass
	Flags                QueryDirectoryFlags
	FileIndex            uint32
	FileID               FileID
	Pattern              string
	OutputBufferLength   uint32
}

// queryDirectoryFixedSize is the body size before Buffer.
const queryDirectoryFixedSize = 32

// Command returns CommandQueryDirectory.
func (r *QueryDirectoryRequest) Command() Command { return CommandQueryDirectory }

// PayloadSizes reports the bytes this request moves, for CreditCharge
// (MS-SMB2 3.1.5.2): the pattern out and up to OutputBufferLength back.
func (r *QueryDirectoryRequest) PayloadSizes() (send, recv int) {
	return utf16Len(r.Pattern), int(r.OutputBufferLength)
}

// Encode appends the request body to msg (which holds the header).
func (r *QueryDirectoryRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	b := le.AppendUint16(msg, queryDirectoryFixedSize+1)
	b = append(b, byte(r.FileInformationClass), byte(r.Flags))
	b = le.AppendUint32(b, r.FileIndex)
	b = appendFileID(b, r.FileID)
	nameFieldAt := len(b)
	b = le.AppendUint16(b, 0) // FileNameOffset, patched below
	b = le.AppendUint16(b, 0) // FileNameLength
	b = le.AppendUint32(b, r.OutputBufferLength)
	nameAt := len(b)
	b = AppendUTF16(b, r.Pattern)
	nameLen := len(b) - nameAt
	le.PutUint16(b[nameFieldAt:], uint16(nameAt-base))
	le.PutUint16(b[nameFieldAt+2:], uint16(nameLen))
	if nameLen == 0 {
		b = append(b, 0) // the Buffer is never empty on the wire
	}
	return b
}

// utf16Len returns the number of bytes AppendUTF16 produces for s.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 4
		} else {
			n += 2
		}
	}
	return n
}

// QueryDirectoryResponse is the SMB2 QUERY_DIRECTORY response (MS-SMB2
// 2.2.34). Buffer holds directory entries of the requested class (see
// ParseDirectoryInfo) and aliases the message. The end of an enumeration
// comes as STATUS_NO_MORE_FILES with an error response, not as an empty
// Buffer.
type QueryDirectoryResponse struct {
	Buffer []byte
}

// Decode parses msg.
func (r *QueryDirectoryResponse) Decode(msg []byte) error {
	buf, err := decodeOutputBufferResponse(msg, "QUERY_DIRECTORY response")
	if err != nil {
		return err
	}
	r.Buffer = buf
	return nil
}
