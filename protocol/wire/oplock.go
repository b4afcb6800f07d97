package wire

// OplockBreak is the 24-byte body shared by the oplock break notification
// the server sends (MS-SMB2 2.2.23.1), the client's acknowledgment
// (2.2.24.1) and the server's response to it (2.2.25.1).
type OplockBreak struct {
	OplockLevel OplockLevel
	FileID      FileID
}

// Command returns CommandOplockBreak.
func (r *OplockBreak) Command() Command { return CommandOplockBreak }

// Encode appends the acknowledgment body to msg.
func (r *OplockBreak) Encode(msg []byte) []byte {
	b := le.AppendUint16(msg, 24)
	b = append(b, byte(r.OplockLevel), 0)
	b = le.AppendUint32(b, 0)
	return appendFileID(b, r.FileID)
}

// Decode parses a notification or response in msg. A lease break (44-byte
// body, MS-SMB2 2.2.23.2) is not an OplockBreak and is refused.
func (r *OplockBreak) Decode(msg []byte) error {
	const what = "OPLOCK_BREAK"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 24, what); err != nil {
		return err
	}
	if err := needLen(body, 24, what); err != nil {
		return err
	}
	r.OplockLevel = OplockLevel(body[2])
	r.FileID = decodeFileID(body[8:])
	return nil
}

// DurableV2Request is the SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2 context
// data (MS-SMB2 2.2.13.2.11): Timeout (0: server default), Flags
// (persistent), 8 reserved bytes and the CreateGuid that names the open
// across reconnects.
type DurableV2Request struct {
	Timeout    uint32
	Persistent bool
	CreateGUID [16]byte
}

// Context returns the DH2Q create context.
func (d *DurableV2Request) Context() CreateContext {
	b := le.AppendUint32(nil, d.Timeout)
	var flags uint32
	if d.Persistent {
		flags = 0x00000002 // SMB2_DHANDLE_FLAG_PERSISTENT
	}
	b = le.AppendUint32(b, flags)
	b = le.AppendUint64(b, 0)
	b = append(b, d.CreateGUID[:]...)
	return CreateContext{Name: []byte(ContextDurableV2), Data: b}
}

// DurableV2Response is the DH2Q create context of a CREATE response
// (MS-SMB2 2.2.14.2.12): the server granted a durable handle.
type DurableV2Response struct {
	Timeout    uint32
	Persistent bool
}

// DecodeDurableV2Response parses the DH2Q response context data.
func DecodeDurableV2Response(data []byte) (DurableV2Response, error) {
	if err := needLen(data, 8, "DH2Q response"); err != nil {
		return DurableV2Response{}, err
	}
	return DurableV2Response{Timeout: le.Uint32(data), Persistent: le.Uint32(data[4:])&0x2 != 0}, nil
}

// DurableV2Reconnect is the SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2 context
// (MS-SMB2 2.2.13.2.12) that reclaims an open after a reconnect.
type DurableV2Reconnect struct {
	FileID     FileID
	CreateGUID [16]byte
	Persistent bool
}

// Context returns the DH2C create context.
func (d *DurableV2Reconnect) Context() CreateContext {
	b := appendFileID(nil, d.FileID)
	b = append(b, d.CreateGUID[:]...)
	var flags uint32
	if d.Persistent {
		flags = 0x00000002
	}
	return CreateContext{Name: []byte(ContextReconnectV2), Data: le.AppendUint32(b, flags)}
}
