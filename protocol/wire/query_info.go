package wire

// QueryInfoFlags of QUERY_INFO, meaningful for FileFullEaInformation
// queries (MS-SMB2 2.2.37).
type QueryInfoFlags uint32

// QUERY_INFO flag bits.
const (
	QueryInfoRestartScan       QueryInfoFlags = 0x00000001 // SL_RESTART_SCAN
	QueryInfoReturnSingleEntry QueryInfoFlags = 0x00000002 // SL_RETURN_SINGLE_ENTRY
	QueryInfoIndexSpecified    QueryInfoFlags = 0x00000004 // SL_INDEX_SPECIFIED
)

// Security information bits for AdditionalInformation when InfoType is
// InfoTypeSecurity: which parts of the security descriptor to query or set
// (MS-SMB2 2.2.37, 2.2.39).
const (
	OwnerSecurityInformation     uint32 = 0x00000001
	GroupSecurityInformation     uint32 = 0x00000002
	DACLSecurityInformation      uint32 = 0x00000004
	SACLSecurityInformation      uint32 = 0x00000008
	LabelSecurityInformation     uint32 = 0x00000010
	AttributeSecurityInformation uint32 = 0x00000020
	ScopeSecurityInformation     uint32 = 0x00000040
	BackupSecurityInformation    uint32 = 0x00010000
)

// QueryInfoRequest is the SMB2 QUERY_INFO request (MS-SMB2 2.2.37).
//
// Input is sent only for quota queries (SMB2_QUERY_QUOTA_INFO) and EA
// queries naming EAs (FILE_GET_EA_INFORMATION list). The request does not
// report PayloadSizes: MS-SMB2 3.2.4.1.5 charges one credit for everything
// but READ, WRITE, IOCTL and QUERY_DIRECTORY, so callers keep
// OutputBufferLength at or below 65536 on multi-credit connections.
type QueryInfoRequest struct {
	InfoType              InfoType
	FileInfoClass         InfoClass
	OutputBufferLength    uint32
	Input                 []byte
	AdditionalInformation uint32
	Flags                 QueryInfoFlags
	FileID                FileID
}

// QueryInfoFor returns a request querying the class of info on the open
// fid, accepting up to maxOutput bytes; decode the answer with info.Decode.
func QueryInfoFor(fid FileID, info InfoBuffer, maxOutput uint32) *QueryInfoRequest {
	return &QueryInfoRequest{
		InfoType:           info.InfoType(),
		FileInfoClass:      info.InfoClass(),
		OutputBufferLength: maxOutput,
		FileID:             fid,
	}
}

// queryInfoFixedSize is the body size before Buffer.
const queryInfoFixedSize = 40

// Command returns CommandQueryInfo.
func (r *QueryInfoRequest) Command() Command { return CommandQueryInfo }

// Encode appends the request body to msg (which holds the header).
func (r *QueryInfoRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	inputAt := len(msg) + queryInfoFixedSize
	b := le.AppendUint16(msg, queryInfoFixedSize+1)
	b = append(b, byte(r.InfoType), byte(r.FileInfoClass))
	b = le.AppendUint32(b, r.OutputBufferLength)
	b = le.AppendUint16(b, uint16(inputAt-base)) // InputBufferOffset
	b = le.AppendUint16(b, 0)                    // Reserved
	b = le.AppendUint32(b, uint32(len(r.Input)))
	b = le.AppendUint32(b, r.AdditionalInformation)
	b = le.AppendUint32(b, uint32(r.Flags))
	b = appendFileID(b, r.FileID)
	if len(r.Input) == 0 {
		return append(b, 0) // the one Buffer byte StructureSize 41 promises
	}
	return append(b, r.Input...)
}

// QueryInfoResponse is the SMB2 QUERY_INFO response (MS-SMB2 2.2.38).
// Buffer holds the class's structure (see InfoBuffer) or a security
// descriptor or quota list, and aliases the message.
type QueryInfoResponse struct {
	Buffer []byte
}

// Decode parses msg. With STATUS_BUFFER_OVERFLOW the body is a normal
// response carrying a truncated Buffer.
func (r *QueryInfoResponse) Decode(msg []byte) error {
	buf, err := decodeOutputBufferResponse(msg, "QUERY_INFO response")
	if err != nil {
		return err
	}
	r.Buffer = buf
	return nil
}

// decodeOutputBufferResponse parses the body shape that QUERY_DIRECTORY,
// CHANGE_NOTIFY and QUERY_INFO responses share (MS-SMB2 2.2.34, 2.2.36,
// 2.2.38): StructureSize 9, a 16-bit OutputBufferOffset from the header
// start and a 32-bit OutputBufferLength. It returns the buffer, aliasing msg.
func decodeOutputBufferResponse(msg []byte, what string) ([]byte, error) {
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 9, what); err != nil {
		return nil, err
	}
	if err := needLen(body, 8, what); err != nil {
		return nil, err
	}
	return BufferAt(msg, uint32(le.Uint16(body[2:])), le.Uint32(body[4:]), what+" buffer")
}

// PayloadSizes reports the bytes this request moves, for CreditCharge.
// MS-SMB2 3.2.4.1.5 names only READ, WRITE, IOCTL and QUERY_DIRECTORY, but
// servers check the charge of QUERY_INFO against its buffers too
// (MS-SMB2 3.3.5.20), and charging by size is never wrong.
func (r *QueryInfoRequest) PayloadSizes() (send, recv int) {
	return len(r.Input), int(r.OutputBufferLength)
}
