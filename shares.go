package smbfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/smbfs/smbfs/protocol/dcerpc"
	"github.com/smbfs/smbfs/protocol/srvsvc"
	"github.com/smbfs/smbfs/protocol/wire"
)

// ShareType is the kind of resource a share offers (MS-SRVS 2.2.2.4, the
// low byte of the share type).
type ShareType uint32

// Share kinds.
const (
	ShareDisk    ShareType = ShareType(srvsvc.TypeDiskTree)
	SharePrinter ShareType = ShareType(srvsvc.TypePrintQueue)
	ShareDevice  ShareType = ShareType(srvsvc.TypeDevice)
	ShareIPC     ShareType = ShareType(srvsvc.TypeIPC)
)

// String returns "disk", "printer", "device", "IPC" or "ShareType(n)".
func (t ShareType) String() string {
	switch t {
	case ShareDisk:
		return "disk"
	case SharePrinter:
		return "printer"
	case ShareDevice:
		return "device"
	case ShareIPC:
		return "IPC"
	}
	return fmt.Sprintf("ShareType(%d)", uint32(t))
}

// Share is one share as the server lists it.
type Share struct {
	// Name is the share name, as Mount takes it.
	Name string
	// Comment is the share's remark, "" if it has none.
	Comment string
	// Type is the kind of resource: disk, printer, device or IPC.
	Type ShareType
	// Special reports STYPE_SPECIAL: an administrative share such as
	// IPC$, ADMIN$ or C$.
	Special bool
	// Temporary reports STYPE_TEMPORARY: a share that will not survive a
	// server restart.
	Temporary bool
	// Hidden reports a name ending in "$", which clients such as Windows
	// Explorer leave out of listings.
	Hidden bool
}

// sharesTimeout bounds Shares when ctx has no deadline. A pipe READ the
// server acknowledged as pending is not timed by the connection, so a
// server that stalls in the middle of a reply would otherwise hold the
// caller forever.
const sharesTimeout = 60 * time.Second

// Shares lists the server's shares, hidden and administrative ones
// included, in the order the server gives them, with the Server Service's
// NetrShareEnum (MS-SRVS 3.1.4.8) over the srvsvc named pipe on IPC$. It
// opens and closes its own connection to IPC$. Without a deadline on ctx
// it gives up after a minute.
//
// A server that runs no RPC service fails promptly with an error that
// says so and matches errors.ErrUnsupported; a user who may not list
// shares gets an error matching fs.ErrPermission.
func (c *Client) Shares(ctx context.Context) ([]Share, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sharesTimeout)
		defer cancel()
	}
	infos, err := c.listShares(ctx)
	if err != nil {
		return nil, shareListErr(err)
	}
	shares := make([]Share, len(infos))
	for i, in := range infos {
		shares[i] = Share{
			Name:      in.Name,
			Comment:   in.Remark,
			Type:      ShareType(in.Type & srvsvc.TypeMask),
			Special:   in.Type&srvsvc.TypeSpecial != 0,
			Temporary: in.Type&srvsvc.TypeTemporary != 0,
			Hidden:    strings.HasSuffix(in.Name, "$"),
		}
	}
	return shares, nil
}

// listShares connects to IPC$, binds SRVSVC on its pipe and enumerates.
func (c *Client) listShares(ctx context.Context) ([]srvsvc.ShareInfo1, error) {
	tree, err := c.Session().TreeConnect(ctx, "IPC$")
	if err != nil {
		return nil, err
	}
	// Clean up even when ctx has ended, within the close timeout. A
	// failure to say goodbye does not spoil a listing already made.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.closeTimeout())
		defer cancel()
		_ = tree.Disconnect(cctx)
	}()
	pipe, err := tree.OpenPipe(ctx, srvsvc.PipeName)
	if err != nil {
		return nil, errNoRPC(err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.closeTimeout())
		defer cancel()
		_ = pipe.Close(cctx)
	}()
	rpc, err := dcerpc.Bind(ctx, pipe, srvsvc.Interface, nil)
	if err != nil {
		return nil, err
	}
	return srvsvc.ShareEnum(ctx, rpc, `\\`+c.host)
}

// errNoRPC wraps the status a server answers when no process serves the
// srvsvc pipe (Samba without samba-dcerpcd, a NAS without the RPC
// service), so that the error says why and matches errors.ErrUnsupported.
func errNoRPC(err error) error {
	var st wire.Status
	if errors.As(err, &st) && (st == wire.StatusObjectNameNotFound || st == wire.StatusPipeNotAvailable) {
		return &Error{Kind: errors.ErrUnsupported, Err: fmt.Errorf("%w: the server runs no srvsvc RPC service, so it cannot list shares", err)}
	}
	return err
}

// shareListErr maps the failures of the RPC layers to the io/fs kinds and
// wraps the result like every other smbfs error.
func shareListErr(err error) error {
	var we srvsvc.WError
	var fe *dcerpc.FaultError
	switch {
	case errors.As(err, &we) && we == srvsvc.ErrorAccessDenied,
		errors.As(err, &fe) && fe.Status == dcerpc.StatusAccessDenied:
		err = &Error{Kind: fs.ErrPermission, Err: err}
	case errors.Is(err, errors.ErrUnsupported):
		err = &Error{Kind: errors.ErrUnsupported, Err: err}
	}
	return pathErr("shares", "IPC$", err)
}
