package wire

// SetInfoRequest is the SMB2 SET_INFO request (MS-SMB2 2.2.39). Buffer is
// the encoded information: an InfoBuffer's Encode output for file and file
// system classes, a security descriptor, or a quota list.
type SetInfoRequest struct {
	InfoType              InfoType
	FileInfoClass         InfoClass
	Buffer                []byte
	AdditionalInformation uint32
	FileID                FileID
}

// SetInfoFor returns a request that applies info to the open fid.
func SetInfoFor(fid FileID, info InfoBuffer) *SetInfoRequest {
	return &SetInfoRequest{
		InfoType:      info.InfoType(),
		FileInfoClass: info.InfoClass(),
		Buffer:        info.Encode(nil),
		FileID:        fid,
	}
}

// setInfoFixedSize is the body size before Buffer.
const setInfoFixedSize = 32

// Command returns CommandSetInfo.
func (r *SetInfoRequest) Command() Command { return CommandSetInfo }

// Encode appends the request body to msg (which holds the header).
func (r *SetInfoRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	bufAt := len(msg) + setInfoFixedSize
	b := le.AppendUint16(msg, setInfoFixedSize+1)
	b = append(b, byte(r.InfoType), byte(r.FileInfoClass))
	b = le.AppendUint32(b, uint32(len(r.Buffer)))
	b = le.AppendUint16(b, uint16(bufAt-base)) // BufferOffset
	b = le.AppendUint16(b, 0)                  // Reserved
	b = le.AppendUint32(b, r.AdditionalInformation)
	b = appendFileID(b, r.FileID)
	if len(r.Buffer) == 0 {
		return append(b, 0) // the one Buffer byte StructureSize 33 promises
	}
	return append(b, r.Buffer...)
}

// SetInfoResponse is the SMB2 SET_INFO response (MS-SMB2 2.2.40); it
// carries nothing but its StructureSize.
type SetInfoResponse struct{}

// Decode checks msg.
func (r *SetInfoResponse) Decode(msg []byte) error {
	return checkStructureSize(msg[min(len(msg), HeaderSize):], 2, "SET_INFO response")
}

// PayloadSizes reports the bytes this request moves, for CreditCharge (see
// QueryInfoRequest.PayloadSizes for why SET_INFO is charged by size).
func (r *SetInfoRequest) PayloadSizes() (send, recv int) { return len(r.Buffer), 0 }
