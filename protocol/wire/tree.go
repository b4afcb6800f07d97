package wire

// ShareType of the TREE_CONNECT response (MS-SMB2 2.2.10).
type ShareType uint8

// Share types.
const (
	ShareTypeDisk  ShareType = 0x01
	ShareTypePipe  ShareType = 0x02
	ShareTypePrint ShareType = 0x03
)

// ShareFlags of the TREE_CONNECT response (MS-SMB2 2.2.10).
type ShareFlags uint32

// Share flag bits.
const (
	ShareFlagDFS                    ShareFlags = 0x00000001
	ShareFlagDFSRoot                ShareFlags = 0x00000002
	ShareFlagRestrictExclusiveOpens ShareFlags = 0x00000100
	ShareFlagForceSharedDelete      ShareFlags = 0x00000200
	ShareFlagAllowNamespaceCaching  ShareFlags = 0x00000400
	ShareFlagAccessBasedDirEnum     ShareFlags = 0x00000800
	ShareFlagForceLevelIIOplock     ShareFlags = 0x00001000
	ShareFlagEnableHashV1           ShareFlags = 0x00002000
	ShareFlagEnableHashV2           ShareFlags = 0x00004000
	ShareFlagEncryptData            ShareFlags = 0x00008000
	ShareFlagIdentityRemoting       ShareFlags = 0x00040000
	ShareFlagCompressData           ShareFlags = 0x00100000
)

// ShareCapabilities of the TREE_CONNECT response (MS-SMB2 2.2.10).
type ShareCapabilities uint32

// Share capability bits.
const (
	ShareCapDFS                    ShareCapabilities = 0x00000008
	ShareCapContinuousAvailability ShareCapabilities = 0x00000010
	ShareCapScaleout               ShareCapabilities = 0x00000020
	ShareCapCluster                ShareCapabilities = 0x00000040
	ShareCapAsymmetric             ShareCapabilities = 0x00000080
)

// TreeConnectRequest is the SMB2 TREE_CONNECT request (MS-SMB2 2.2.9) in its
// plain form (no extension): Path is `\\server\share`.
type TreeConnectRequest struct {
	Flags uint16
	Path  string
}

// Command returns CommandTreeConnect.
func (r *TreeConnectRequest) Command() Command { return CommandTreeConnect }

// Encode appends the request body to msg.
func (r *TreeConnectRequest) Encode(msg []byte) []byte {
	base := len(msg) - HeaderSize
	path := EncodeUTF16(r.Path)
	b := le.AppendUint16(msg, 9)
	b = le.AppendUint16(b, r.Flags)
	b = le.AppendUint16(b, uint16(len(b)-base+4)) // PathOffset
	b = le.AppendUint16(b, uint16(len(path)))
	if len(path) == 0 {
		return append(b, 0) // the variable part is never empty on the wire
	}
	return append(b, path...)
}

// TreeConnectResponse is the SMB2 TREE_CONNECT response (MS-SMB2 2.2.10).
type TreeConnectResponse struct {
	ShareType     ShareType
	ShareFlags    ShareFlags
	Capabilities  ShareCapabilities
	MaximalAccess AccessMask
}

// Decode parses msg.
func (r *TreeConnectResponse) Decode(msg []byte) error {
	const what = "TREE_CONNECT response"
	body := msg[min(len(msg), HeaderSize):]
	if err := checkStructureSize(body, 16, what); err != nil {
		return err
	}
	if err := needLen(body, 16, what); err != nil {
		return err
	}
	r.ShareType = ShareType(body[2])
	r.ShareFlags = ShareFlags(le.Uint32(body[4:]))
	r.Capabilities = ShareCapabilities(le.Uint32(body[8:]))
	r.MaximalAccess = AccessMask(le.Uint32(body[12:]))
	return nil
}

// TreeDisconnectRequest is the SMB2 TREE_DISCONNECT request (MS-SMB2 2.2.11).
type TreeDisconnectRequest struct{}

// Command returns CommandTreeDisconnect.
func (r *TreeDisconnectRequest) Command() Command { return CommandTreeDisconnect }

// Encode appends the request body to msg.
func (r *TreeDisconnectRequest) Encode(msg []byte) []byte { return appendEmpty4(msg) }
