package wire

// FSCTL and IOCTL codes an SMB2 client sends (MS-SMB2 2.2.31, MS-FSCC 2.3).
const (
	FsctlDFSGetReferrals           uint32 = 0x00060194
	FsctlDFSGetReferralsEx         uint32 = 0x000601B0
	FsctlSetReparsePoint           uint32 = 0x000900A4
	FsctlGetReparsePoint           uint32 = 0x000900A8
	FsctlPipePeek                  uint32 = 0x0011400C
	FsctlPipeWait                  uint32 = 0x00110018
	FsctlPipeTransceive            uint32 = 0x0011C017
	FsctlSrvCopyChunk              uint32 = 0x001440F2
	FsctlSrvCopyChunkWrite         uint32 = 0x001480F2
	FsctlSrvEnumerateSnapshots     uint32 = 0x00144064
	FsctlSrvRequestResumeKey       uint32 = 0x00140078
	FsctlLMRRequestResiliency      uint32 = 0x001401D4
	FsctlQueryNetworkInterfaceInfo uint32 = 0x001401FC
	FsctlValidateNegotiateInfo     uint32 = 0x00140204
)

// IoctlFlags of the IOCTL request and response (MS-SMB2 2.2.31).
type IoctlFlags uint32

// IoctlIsFSCTL (SMB2_0_IOCTL_IS_FSCTL) marks the request as a file system
// control; servers fail requests without it (MS-SMB2 3.3.5.15), so every
// code above is sent with it.
const IoctlIsFSCTL IoctlFlags = 0x00000001

// IoctlRequest is the SMB2 IOCTL request (MS-SMB2 2.2.31).
//
// FileID is the open the control applies to. FSCTL_DFS_GET_REFERRALS(_EX),
// FSCTL_QUERY_NETWORK_INTERFACE_INFO, FSCTL_VALIDATE_NEGOTIATE_INFO and
// FSCTL_PIPE_WAIT act on no open and take RelatedFileID, the all-ones id
// (MS-SMB2 3.3.5.15).
type IoctlRequest struct {
	CtlCode           uint32
	FileID            FileID
	Input             []byte
	MaxInputResponse  uint32
	MaxOutputResponse uint32
	Flags             IoctlFlags
}

// ioctlRequestFixedSize is the body size before Buffer.
const ioctlRequestFixedSize = 56

// Command returns CommandIoctl.
func (r *IoctlRequest) Command() Command { return CommandIoctl }

// PayloadSizes reports the bytes this request moves, for CreditCharge
// (MS-SMB2 3.2.4.20: max(InputCount, MaxOutputResponse)).
func (r *IoctlRequest) PayloadSizes() (send, recv int) {
	return len(r.Input), int(r.MaxOutputResponse)
}

// Encode appends the request body to msg (which holds the header). Without
// Input, InputOffset is 0 as MS-SMB2 2.2.31 recommends and one padding
// byte stands for the Buffer; the request never carries output data, so
// OutputOffset and OutputCount are 0.
func (r *IoctlRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	inputAt := len(msg) + ioctlRequestFixedSize
	b := le.AppendUint16(msg, ioctlRequestFixedSize+1)
	b = le.AppendUint16(b, 0) // Reserved
	b = le.AppendUint32(b, r.CtlCode)
	b = appendFileID(b, r.FileID)
	if len(r.Input) > 0 {
		b = le.AppendUint32(b, uint32(inputAt-base))
	} else {
		b = le.AppendUint32(b, 0)
	}
	b = le.AppendUint32(b, uint32(len(r.Input)))
	b = le.AppendUint32(b, r.MaxInputResponse)
	b = le.AppendUint32(b, 0) // OutputOffset
	b = le.AppendUint32(b, 0) // OutputCount
	b = le.AppendUint32(b, r.MaxOutputResponse)
	b = le.AppendUint32(b, uint32(r.Flags))
	b = le.AppendUint32(b, 0) // Reserved2
	if len(r.Input) == 0 {
		return append(b, 0)
	}
	return append(b, r.Input...)
}

// IoctlResponse is the SMB2 IOCTL response (MS-SMB2 2.2.32). Input and
// Output alias the message. Some failures (FSCTL_SRV_COPYCHUNK with
// STATUS_INVALID_PARAMETER, FSCTL_PIPE_TRANSCEIVE with
// STATUS_BUFFER_OVERFLOW) come with this body instead of an error response.
type IoctlResponse struct {
	CtlCode uint32
	FileID  FileID
	Input   []byte
	Output  []byte
	Flags   IoctlFlags
}

// ioctlResponseFixedSize is the body size before Buffer.
const ioctlResponseFixedSize = 48

// Decode parses msg.
func (r *IoctlResponse) Decode(msg []byte) error {
	const what = "IOCTL response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, ioctlResponseFixedSize+1, what); err != nil {
		return err
	}
	if err := needLen(body, ioctlResponseFixedSize, what); err != nil {
		return err
	}
	input, err := BufferAt(msg, le.Uint32(body[24:]), le.Uint32(body[28:]), what+" input")
	if err != nil {
		return err
	}
	output, err := BufferAt(msg, le.Uint32(body[32:]), le.Uint32(body[36:]), what+" output")
	if err != nil {
		return err
	}
	r.CtlCode = le.Uint32(body[4:])
	r.FileID = decodeFileID(body[8:])
	r.Input = input
	r.Output = output
	r.Flags = IoctlFlags(le.Uint32(body[40:]))
	return nil
}

// ValidateNegotiateInfoRequest is the input of FSCTL_VALIDATE_NEGOTIATE_INFO
// (MS-SMB2 2.2.31.4): what the client sent in NEGOTIATE, so that the server
// can detect a downgrade by a man in the middle. Dialect 3.1.1 replaces
// this exchange with the preauthentication integrity hash.
type ValidateNegotiateInfoRequest struct {
	Capabilities Capabilities
	GUID         [16]byte
	SecurityMode SecurityMode
	Dialects     []Dialect
}

const validateNegotiateFixedSize = 24

// Encode appends the structure to b.
func (v *ValidateNegotiateInfoRequest) Encode(b []byte) []byte {
	b = le.AppendUint32(b, uint32(v.Capabilities))
	b = append(b, v.GUID[:]...)
	b = le.AppendUint16(b, uint16(v.SecurityMode))
	b = le.AppendUint16(b, uint16(len(v.Dialects)))
	for _, d := range v.Dialects {
		b = le.AppendUint16(b, uint16(d))
	}
	return b
}

// Decode parses the structure at the start of b.
func (v *ValidateNegotiateInfoRequest) Decode(b []byte) error {
	const what = "VALIDATE_NEGOTIATE_INFO request"
	if err := needLen(b, validateNegotiateFixedSize, what); err != nil {
		return err
	}
	n := int(le.Uint16(b[22:]))
	if err := needLen(b, validateNegotiateFixedSize+2*n, what); err != nil {
		return err
	}
	v.Capabilities = Capabilities(le.Uint32(b))
	copy(v.GUID[:], b[4:20])
	v.SecurityMode = SecurityMode(le.Uint16(b[20:]))
	v.Dialects = make([]Dialect, n)
	for i := range v.Dialects {
		v.Dialects[i] = Dialect(le.Uint16(b[validateNegotiateFixedSize+2*i:]))
	}
	return nil
}

// ValidateNegotiateInfoResponse is the output of
// FSCTL_VALIDATE_NEGOTIATE_INFO (MS-SMB2 2.2.32.6): the server's view of the
// negotiation, which the client compares with its own.
type ValidateNegotiateInfoResponse struct {
	Capabilities Capabilities
	GUID         [16]byte
	SecurityMode SecurityMode
	Dialect      Dialect
}

// Encode appends the 24-byte structure to b.
func (v *ValidateNegotiateInfoResponse) Encode(b []byte) []byte {
	b = le.AppendUint32(b, uint32(v.Capabilities))
	b = append(b, v.GUID[:]...)
	b = le.AppendUint16(b, uint16(v.SecurityMode))
	return le.AppendUint16(b, uint16(v.Dialect))
}

// Decode parses the structure at the start of b.
func (v *ValidateNegotiateInfoResponse) Decode(b []byte) error {
	if err := needLen(b, validateNegotiateFixedSize, "VALIDATE_NEGOTIATE_INFO response"); err != nil {
		return err
	}
	v.Capabilities = Capabilities(le.Uint32(b))
	copy(v.GUID[:], b[4:20])
	v.SecurityMode = SecurityMode(le.Uint16(b[20:]))
	v.Dialect = Dialect(le.Uint16(b[22:]))
	return nil
}
