// Package srvsvc implements the client side of the one Server Service
// Remote Protocol (MS-SRVS) call an SMB client needs: NetrShareEnum, which
// lists a server's shares. The stubs are NDR-encoded with package dcerpc
// and travel over the "srvsvc" named pipe on IPC$.
package srvsvc

import (
	"fmt"

	"github.com/smbfs/smbfs/protocol/dcerpc"
)

// PipeName is the named pipe the Server Service listens on, on IPC$
// (MS-SRVS 2.1: \PIPE\srvsvc).
const PipeName = "srvsvc"

// Interface is the SRVSVC RPC interface,
// 4b324fc8-1670-01d3-1278-5a47bf6ee188 version 3.0 (MS-SRVS 1.9).
var Interface = dcerpc.SyntaxID{
	UUID:    dcerpc.UUID{Data1: 0x4b324fc8, Data2: 0x1670, Data3: 0x01d3, Data4: [8]byte{0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88}},
	Version: 3,
}

// OpNetrShareEnum is the operation number of NetrShareEnum (MS-SRVS
// 3.1.4.8; Samba's srvsvc_NetShareEnumAll).
const OpNetrShareEnum uint16 = 15

// Share type values of SHARE_INFO_1.shi1_type (MS-SRVS 2.2.2.4). The low
// byte (TypeMask) is the kind of resource; Special and Temporary may be
// combined with it.
const (
	TypeDiskTree    uint32 = 0x00000000
	TypePrintQueue  uint32 = 0x00000001
	TypeDevice      uint32 = 0x00000002
	TypeIPC         uint32 = 0x00000003
	TypeClusterFS   uint32 = 0x02000000
	TypeClusterSOFS uint32 = 0x04000000
	TypeClusterDFS  uint32 = 0x08000000
	TypeSpecial     uint32 = 0x80000000 // administrative share: IPC$, ADMIN$, C$
	TypeTemporary   uint32 = 0x40000000
	TypeMask        uint32 = 0x000000FF // STYPE_MASK of lmshare.h
)

// ShareInfo1 is a SHARE_INFO_1 entry (MS-SRVS 2.2.4.23).
type ShareInfo1 struct {
	Name   string // shi1_netname
	Type   uint32 // shi1_type
	Remark string // shi1_remark: the share's comment
}

// WError is the NET_API_STATUS a MS-SRVS method returns: a Win32 error code
// (MS-ERREF 2.2). Zero is success and never returned as an error.
type WError uint32

// Win32 error codes NetrShareEnum returns (MS-SRVS 3.1.4.8).
const (
	ErrorAccessDenied     WError = 5
	ErrorNotEnoughMemory  WError = 8
	ErrorNotSupported     WError = 50
	ErrorInvalidParameter WError = 87
	ErrorInvalidLevel     WError = 124
	ErrorMoreData         WError = 234
)

var werrorNames = map[WError]string{
	ErrorAccessDenied:     "ERROR_ACCESS_DENIED",
	ErrorNotEnoughMemory:  "ERROR_NOT_ENOUGH_MEMORY",
	ErrorNotSupported:     "ERROR_NOT_SUPPORTED",
	ErrorInvalidParameter: "ERROR_INVALID_PARAMETER",
	ErrorInvalidLevel:     "ERROR_INVALID_LEVEL",
	ErrorMoreData:         "ERROR_MORE_DATA",
}

// Error returns e.g. "srvsvc: ERROR_ACCESS_DENIED (0x00000005)".
func (e WError) Error() string {
	if name, ok := werrorNames[e]; ok {
		return fmt.Sprintf("srvsvc: %s (0x%08x)", name, uint32(e))
	}
	return fmt.Sprintf("srvsvc: Win32 error 0x%08x", uint32(e))
}
