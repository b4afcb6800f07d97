package srvsvc

import (
	"fmt"
	"strings"

	"github.com/smbfs/smbfs/protocol/dcerpc"
)

// maxPreferredLength is MAX_PREFERRED_LENGTH: "return all entries"
// (MS-SRVS 2.2.2.2, 3.1.4.8).
const maxPreferredLength = 0xFFFFFFFF

// shareInfo1Size is the fixed part of one SHARE_INFO_1 in the array: two
// pointers and the type.
const shareInfo1Size = 12

// EncodeShareEnumRequest returns the NDR stub of a NetrShareEnum request
// at information level 1 (MS-SRVS 3.1.4.8):
//
//	[in, string, unique] SRVSVC_HANDLE ServerName
//	[in, out] LPSHARE_ENUM_STRUCT InfoStruct   (Level 1, an empty container)
//	[in] DWORD PreferedMaximumLength            (MAX_PREFERRED_LENGTH)
//	[in, out, unique] DWORD* ResumeHandle       (pointer to resume)
//
// An empty server name is sent as a null pointer ("the local computer").
func EncodeShareEnumRequest(server string, resume uint32) ([]byte, error) {
	if strings.ContainsRune(server, 0) {
		return nil, fmt.Errorf("srvsvc: server name %q contains NUL", server)
	}
	e := dcerpc.NewEncoder()
	// ServerName: a top-level unique pointer, its referent right after it.
	if server == "" {
		e.Pointer(true)
	} else {
		e.Pointer(false)
		e.WString(server)
	}
	// InfoStruct: a top-level [in, out] pointer is a ref pointer with no
	// wire representation of its own (C706 14.3.10); then
	// SHARE_ENUM_STRUCT (MS-SRVS 2.2.4.38): Level, then the union with its
	// discriminant (switch_is(Level)) and the arm, a unique pointer to
	// SHARE_INFO_1_CONTAINER whose referent is deferred to the end of the
	// structure, which is right here.
	e.Uint32(1)      // Level
	e.Uint32(1)      // union discriminant
	e.Pointer(false) // Level1
	e.Uint32(0)      // SHARE_INFO_1_CONTAINER.EntriesRead
	e.Pointer(true)  // SHARE_INFO_1_CONTAINER.Buffer: null on input
	e.Uint32(maxPreferredLength)
	e.Pointer(false) // ResumeHandle
	e.Uint32(resume)
	return e.Bytes(), nil
}

// ShareEnumResponse is the output of NetrShareEnum at level 1.
type ShareEnumResponse struct {
	Shares       []ShareInfo1
	TotalEntries uint32
	// ResumeHandle is valid when HasResumeHandle (the server returned a
	// non-null pointer).
	ResumeHandle    uint32
	HasResumeHandle bool
	// Result is the NET_API_STATUS: 0, ErrorMoreData, or a failure.
	Result WError
}

// DecodeShareEnumResponse decodes the NDR stub of a NetrShareEnum response
// at level 1 (MS-SRVS 3.1.4.8):
//
//	SHARE_ENUM_STRUCT: Level, union discriminant, pointer to the container
//	  SHARE_INFO_1_CONTAINER: EntriesRead, pointer to the array
//	    conformant array of SHARE_INFO_1 {netname*, type, remark*},
//	    then each entry's deferred strings, netname before remark
//	TotalEntries, ResumeHandle (unique pointer), NET_API_STATUS
//
// Every count is checked against the bytes that remain; inconsistencies are
// errors wrapping dcerpc.ErrMalformed.
func DecodeShareEnumResponse(stub []byte) (*ShareEnumResponse, error) {
	d := dcerpc.NewDecoder(stub)
	level := d.Uint32()
	tag := d.Uint32()
	if d.Err() == nil && (level != 1 || tag != 1) {
		return nil, fmt.Errorf("%w: NetrShareEnum response at level %d (union arm %d), asked for level 1", dcerpc.ErrMalformed, level, tag)
	}
	r := &ShareEnumResponse{}
	if d.Pointer() {
		entries := d.Uint32()
		if d.Pointer() {
			n := d.Conformance(shareInfo1Size)
			if d.Err() == nil && uint32(n) != entries {
				d.Fail(fmt.Errorf("%w: NetrShareEnum response: EntriesRead %d but an array of %d", dcerpc.ErrMalformed, entries, n))
			}
			r.Shares = decodeShareInfo1Array(d, n)
		} else if entries != 0 {
			d.Fail(fmt.Errorf("%w: NetrShareEnum response: EntriesRead %d with a null array", dcerpc.ErrMalformed, entries))
		}
	}
	r.TotalEntries = d.Uint32()
	if d.Pointer() {
		r.HasResumeHandle = true
		r.ResumeHandle = d.Uint32()
	}
	r.Result = WError(d.Uint32())
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("NetrShareEnum response: %w", err)
	}
	// A stub may end in alignment padding, never in more.
	if d.Remaining() >= 8 {
		return nil, fmt.Errorf("%w: NetrShareEnum response: %d bytes after the return value", dcerpc.ErrMalformed, d.Remaining())
	}
	return r, nil
}

// decodeShareInfo1Array reads n SHARE_INFO_1 structures and then their
// deferred string referents, in array order (C706 14.3.12.3).
func decodeShareInfo1Array(d *dcerpc.Decoder, n int) []ShareInfo1 {
	if d.Err() != nil || n == 0 {
		return nil
	}
	type fixed struct{ name, remark bool }
	ptrs := make([]fixed, n)
	shares := make([]ShareInfo1, n)
	for i := range shares {
		ptrs[i].name = d.Pointer()
		shares[i].Type = d.Uint32()
		ptrs[i].remark = d.Pointer()
	}
	for i := range shares {
		if ptrs[i].name {
			shares[i].Name = d.WString()
		}
		if ptrs[i].remark {
			shares[i].Remark = d.WString()
		}
		if d.Err() != nil {
			return nil
		}
	}
	return shares
}
