package main

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
)

// opError is a failed operation on one target: it prints as
// "get smb://host/share/x: no such file or directory".
type opError struct {
	op     string // the command or step: "ls", "get", "mkdir"...
	target string // the URL or local path it concerned
	err    error
}

func (e *opError) Error() string { return e.op + " " + e.target + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// failf wraps err as a failure of op on target (nil stays nil).
func failf(op string, target any, err error) error {
	if err == nil {
		return nil
	}
	var t string
	switch v := target.(type) {
	case string:
		t = v
	case interface{ String() string }:
		t = v.String()
	}
	return &opError{op: op, target: t, err: err}
}

// message is what the user reads for err: the operation, the target and
// the reason in the words shell tools use, not a Go error chain (--debug
// shows that).
func (a *app) message(err error) string {
	var oe *opError
	if !errors.As(err, &oe) {
		return reason(err, a.debug)
	}
	return oe.op + " " + oe.target + ": " + reason(oe.err, a.debug)
}

// reason words an error the way shell tools do.
func reason(err error, full bool) string {
	if full {
		return err.Error()
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, errLogin):
		return plain(err)
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, syscall.ENOTEMPTY):
		return "directory not empty"
	case errors.Is(err, fs.ErrExist):
		return "file exists"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, syscall.EISDIR):
		return "is a directory"
	case errors.Is(err, syscall.ENOTDIR):
		return "not a directory"
	case errors.Is(err, syscall.ENOSPC):
		return "no space left on device"
	case errors.Is(err, syscall.EBUSY):
		return "file is in use by another program (sharing violation)"
	case errors.Is(err, syscall.EXDEV):
		return "cannot move across shares or devices"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	case errors.Is(err, errors.ErrUnsupported):
		return "not supported by the server"
	case errors.Is(err, fs.ErrInvalid):
		return "invalid argument"
	case errors.Is(err, fs.ErrClosed):
		return "connection closed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &dnsErr):
		return "unknown host " + dnsErr.Name
	}
	return plain(err)
}

// plain is an error's text without the "smbfs: " prefix the library puts
// on connection errors, and without the operation and path an
// *fs.PathError repeats (the message names the target already).
func plain(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err != nil {
		err = pe.Err
	}
	return strings.TrimPrefix(err.Error(), "smbfs: ")
}
