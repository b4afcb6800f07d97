package srvsvc

import (
	"context"
	"fmt"
)

// Caller makes one RPC call on a bound SRVSVC association;
// *dcerpc.Client implements it.
type Caller interface {
	Call(ctx context.Context, opnum uint16, stub []byte) ([]byte, error)
}

// maxEnumRounds bounds the NetrShareEnum calls one listing may take when a
// server keeps answering ERROR_MORE_DATA.
const maxEnumRounds = 1000

// ShareEnum lists every share of the server at information level 1,
// calling NetrShareEnum with MAX_PREFERRED_LENGTH and, should the server
// still answer ERROR_MORE_DATA, again with the resume handle it returned
// (MS-SRVS 3.1.4.8). server is the ServerName parameter, e.g.
// `\\fileserver`; "" sends a null pointer. A failure status is returned as
// a WError.
func ShareEnum(ctx context.Context, c Caller, server string) ([]ShareInfo1, error) {
	var all []ShareInfo1
	resume := uint32(0)
	for range maxEnumRounds {
		stub, err := EncodeShareEnumRequest(server, resume)
		if err != nil {
			return nil, err
		}
		out, err := c.Call(ctx, OpNetrShareEnum, stub)
		if err != nil {
			return nil, fmt.Errorf("srvsvc NetrShareEnum: %w", err)
		}
		resp, err := DecodeShareEnumResponse(out)
		if err != nil {
			return nil, err
		}
		switch resp.Result {
		case 0:
			return append(all, resp.Shares...), nil
		case ErrorMoreData:
			// Continue only if the server moved on, or a broken server
			// would keep the client looping.
			if len(resp.Shares) == 0 || !resp.HasResumeHandle || resp.ResumeHandle == resume {
				return nil, fmt.Errorf("srvsvc NetrShareEnum: ERROR_MORE_DATA without progress (%d entries, resume handle %d)", len(resp.Shares), resp.ResumeHandle)
			}
			all = append(all, resp.Shares...)
			resume = resp.ResumeHandle
		default:
			return nil, resp.Result
		}
	}
	return nil, fmt.Errorf("srvsvc NetrShareEnum: still ERROR_MORE_DATA after %d calls", maxEnumRounds)
}
