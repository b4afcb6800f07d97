package wire

// SessionFlags of the SESSION_SETUP response (MS-SMB2 2.2.6).
type SessionFlags uint16

// Session flag bits.
const (
	SessionIsGuest     SessionFlags = 0x0001
	SessionIsNull      SessionFlags = 0x0002
	SessionEncryptData SessionFlags = 0x0004
)

// SessionSetupFlagBinding marks a request that binds an existing session to a
// new channel (MS-SMB2 2.2.5, multichannel).
const SessionSetupFlagBinding uint8 = 0x01

// SessionSetupRequest is the SMB2 SESSION_SETUP request (MS-SMB2 2.2.5).
type SessionSetupRequest struct {
	Flags             uint8
	SecurityMode      SecurityMode
	Capabilities      Capabilities
	PreviousSessionID uint64
	SecurityBuffer    []byte // a GSS-API/SPNEGO token
}

// Command returns CommandSessionSetup.
func (r *SessionSetupRequest) Command() Command { return CommandSessionSetup }

// Encode appends the request body to msg.
func (r *SessionSetupRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	b := le.AppendUint16(msg, 25)
	b = append(b, r.Flags, byte(r.SecurityMode))
	b = le.AppendUint32(b, uint32(r.Capabilities&CapDFS)) // only DFS is defined here
	b = le.AppendUint32(b, 0)                             // Channel
	b = le.AppendUint16(b, uint16(len(b)-base+12))        // SecurityBufferOffset: after the fixed part
	b = le.AppendUint16(b, uint16(len(r.SecurityBuffer)))
	b = le.AppendUint64(b, r.PreviousSessionID)
	return append(b, r.SecurityBuffer...)
}

// SessionSetupResponse is the SMB2 SESSION_SETUP response (MS-SMB2 2.2.6).
// Status STATUS_MORE_PROCESSING_REQUIRED also carries this body.
type SessionSetupResponse struct {
	SessionFlags   SessionFlags
	SecurityBuffer []byte
}

// Decode parses msg.
func (r *SessionSetupResponse) Decode(msg []byte) error {
	const what = "SESSION_SETUP response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 9, what); err != nil {
		return err
	}
	if err := needLen(body, 8, what); err != nil {
		return err
	}
	r.SessionFlags = SessionFlags(le.Uint16(body[2:]))
	var err error
	r.SecurityBuffer, err = BufferAt(msg, uint32(le.Uint16(body[4:])), uint32(le.Uint16(body[6:])), what+" security buffer")
	return err
}

// LogoffRequest is the SMB2 LOGOFF request (MS-SMB2 2.2.7).
type LogoffRequest struct{}

// Command returns CommandLogoff.
func (r *LogoffRequest) Command() Command { return CommandLogoff }

// Encode appends the request body to msg.
func (r *LogoffRequest) Encode(msg []byte) []byte { return appendEmpty4(msg) }

// EchoRequest is the SMB2 ECHO request (MS-SMB2 2.2.28).
type EchoRequest struct{}

// Command returns CommandEcho.
func (r *EchoRequest) Command() Command { return CommandEcho }

// Encode appends the request body to msg.
func (r *EchoRequest) Encode(msg []byte) []byte { return appendEmpty4(msg) }

// CancelRequest is the SMB2 CANCEL request (MS-SMB2 2.2.30). Which request it
// cancels is named by the header (MessageId, or AsyncId in the async form).
type CancelRequest struct{}

// Command returns CommandCancel.
func (r *CancelRequest) Command() Command { return CommandCancel }

// Encode appends the request body to msg.
func (r *CancelRequest) Encode(msg []byte) []byte { return appendEmpty4(msg) }

// appendEmpty4 appends the 4-byte body shared by LOGOFF, ECHO, CANCEL and
// TREE_DISCONNECT: StructureSize 4 and two reserved bytes.
func appendEmpty4(b []byte) []byte {
	b = le.AppendUint16(b, 4)
	return le.AppendUint16(b, 0)
}

// EmptyResponse decodes the 4-byte bodies of LOGOFF, ECHO, TREE_DISCONNECT
// and FLUSH responses.
type EmptyResponse struct{}

// Decode checks msg's body has StructureSize 4 and is 4 bytes long.
func (r *EmptyResponse) Decode(msg []byte) error {
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 4, "response"); err != nil {
		return err
	}
	return needLen(body, 4, "response")
}
