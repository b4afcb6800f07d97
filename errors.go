package smbfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Error is the error smbfs wraps in *fs.PathError (or *os.LinkError) when an
// operation fails. errors.Is matches it against the io/fs sentinels the
// failure corresponds to (fs.ErrNotExist, fs.ErrExist, fs.ErrPermission,
// fs.ErrInvalid, fs.ErrClosed) and, where one fits, a syscall.Errno such as
// syscall.ENOTEMPTY; errors.As reaches the underlying error, including the
// NTSTATUS (a wire.Status) and *protocol.StatusError or
// *protocol.ConnectionError.
type Error struct {
	// Kind is the io/fs sentinel or syscall.Errno this failure matches, or
	// nil when none does.
	Kind error
	// Err is the underlying error.
	Err error
}

// Error returns the underlying error's text.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the error's kind (and what that kind matches: ENOTEMPTY is also
// fs.ErrExist, as on Unix), and the errno an *os.PathError carries on Unix
// for the same failure, so code written against os (or hackpadfs, whose
// ErrInvalid is syscall.EINVAL) tests smbfs errors the same way.
func (e *Error) Is(target error) bool {
	if e.Kind == nil {
		return false
	}
	if errno, ok := kindErrno[e.Kind]; ok && target == errno {
		return true
	}
	return errors.Is(e.Kind, target)
}

// kindErrno is the errno os reports on Unix for each fs sentinel kind.
// syscall.Errno.Is maps most errnos to the sentinels but not back, and not
// EINVAL to fs.ErrInvalid at all.
var kindErrno = map[error]error{
	fs.ErrNotExist:   syscall.ENOENT,
	fs.ErrExist:      syscall.EEXIST,
	fs.ErrPermission: syscall.EACCES,
	fs.ErrInvalid:    syscall.EINVAL,
}

// statusKinds maps NTSTATUS codes to the sentinel a Go program tests for.
var statusKinds = map[wire.Status]error{
	wire.StatusObjectNameNotFound:    fs.ErrNotExist,
	wire.StatusObjectPathNotFound:    fs.ErrNotExist,
	wire.StatusNoSuchFile:            fs.ErrNotExist,
	wire.StatusNotFound:              fs.ErrNotExist,
	wire.StatusDeletePending:         fs.ErrNotExist,
	wire.StatusBadNetworkName:        fs.ErrNotExist,
	wire.StatusNoSuchDevice:          fs.ErrNotExist,
	wire.StatusObjectNameCollision:   fs.ErrExist,
	wire.StatusObjectNameExists:      fs.ErrExist,
	wire.StatusAccessDenied:          fs.ErrPermission,
	wire.StatusNetworkAccessDenied:   fs.ErrPermission,
	wire.StatusPrivilegeNotHeld:      fs.ErrPermission,
	wire.StatusMediaWriteProtected:   fs.ErrPermission,
	wire.StatusCannotDelete:          fs.ErrPermission,
	wire.StatusLogonFailure:          fs.ErrPermission,
	wire.StatusWrongPassword:         fs.ErrPermission,
	wire.StatusNoSuchUser:            fs.ErrPermission,
	wire.StatusAccountDisabled:       fs.ErrPermission,
	wire.StatusAccountLockedOut:      fs.ErrPermission,
	wire.StatusAccountRestriction:    fs.ErrPermission,
	wire.StatusPasswordExpired:       fs.ErrPermission,
	wire.StatusPasswordMustChange:    fs.ErrPermission,
	wire.StatusInvalidLogonHours:     fs.ErrPermission,
	wire.StatusInvalidWorkstation:    fs.ErrPermission,
	wire.StatusObjectNameInvalid:     fs.ErrInvalid,
	wire.StatusObjectPathInvalid:     fs.ErrInvalid,
	wire.StatusObjectPathSyntaxBad:   fs.ErrInvalid,
	wire.StatusInvalidParameter:      fs.ErrInvalid,
	wire.StatusFileClosed:            fs.ErrClosed,
	wire.StatusDirectoryNotEmpty:     syscall.ENOTEMPTY,
	wire.StatusFileIsADirectory:      syscall.EISDIR,
	wire.StatusNotADirectory:         syscall.ENOTDIR,
	wire.StatusDiskFull:              syscall.ENOSPC,
	wire.StatusSharingViolation:      syscall.EBUSY,
	wire.StatusFileLockConflict:      syscall.EBUSY,
	wire.StatusNotSupported:          errors.ErrUnsupported,
	wire.StatusNotImplemented:        errors.ErrUnsupported,
	wire.StatusInvalidDeviceRequest:  errors.ErrUnsupported,
	wire.StatusNotSameDevice:         syscall.EXDEV,
	wire.StatusInsufficientResources: syscall.ENOMEM,
}

// classify wraps err in an *Error carrying its kind. Errors that already
// carry a kind, and nil, pass through.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	var kind error
	var st wire.Status
	var ce *protocol.ConnectionError
	switch {
	case errors.As(err, &st):
		kind = statusKinds[st]
	case errors.Is(err, pipeline.ErrClosed), errors.Is(err, protocol.ErrClosed):
		kind = fs.ErrClosed
	case errors.Is(err, errInvalidName):
		kind = fs.ErrInvalid
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, protocol.ErrTimeout):
		kind = os.ErrDeadlineExceeded
	case errors.As(err, &ce):
		kind = nil
	}
	return &Error{Kind: kind, Err: err}
}

// pathErr returns err as an *fs.PathError for op on name (nil stays nil).
func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	return &fs.PathError{Op: op, Path: name, Err: classify(err)}
}

// invalidPath is the error for a name fs.ValidPath rejects; nothing is sent.
func invalidPath(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: errInvalid()}
}

// errInvalid is the Err of invalid-argument failures: it matches
// fs.ErrInvalid and syscall.EINVAL (see Error.Is) and reads "invalid
// argument", as os's EINVAL does.
func errInvalid() error { return &Error{Kind: fs.ErrInvalid, Err: fs.ErrInvalid} }

// ErrNotSMB2 is matched (errors.Is) by the error of Connect or Dial when the
// server does not speak SMB 2 or 3 — e.g. an SMB1-only server, which closes
// the connection on an SMB2 NEGOTIATE.
var ErrNotSMB2 = protocol.ErrNotSMB2
