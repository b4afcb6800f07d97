package smbfs

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/dcerpc"
	"github.com/smbfs/smbfs/protocol/srvsvc"
	"github.com/smbfs/smbfs/protocol/wire"
)

func TestShareListErrKinds(t *testing.T) {
	status := func(s wire.Status) error {
		return fmt.Errorf("smb2 open pipe srvsvc: %w", &protocol.StatusError{Command: wire.CommandCreate, Status: s})
	}
	tests := []struct {
		name string
		err  error
		kind error
		text string // a substring the message must have
	}{
		{"WERROR access denied", srvsvc.ErrorAccessDenied, fs.ErrPermission, "ERROR_ACCESS_DENIED"},
		{"fault access denied", fmt.Errorf("dcerpc call 15: %w", &dcerpc.FaultError{Status: dcerpc.StatusAccessDenied}), fs.ErrPermission, "access denied"},
		{"interface not offered", &dcerpc.BindError{Result: dcerpc.ResultProviderRejection, Reason: dcerpc.ReasonAbstractSyntaxNotSupported}, errors.ErrUnsupported, "abstract syntax"},
		{"pipe missing", errNoRPC(status(wire.StatusObjectNameNotFound)), errors.ErrUnsupported, "no srvsvc RPC service"},
		{"pipe not available", errNoRPC(status(wire.StatusPipeNotAvailable)), errors.ErrUnsupported, "no srvsvc RPC service"},
		{"IPC$ refused", errNoRPC(status(wire.StatusAccessDenied)), fs.ErrPermission, "STATUS_ACCESS_DENIED"},
		{"malformed reply", fmt.Errorf("x: %w", dcerpc.ErrMalformed), nil, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := shareListErr(tt.err)
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Op != "shares" || pe.Path != "IPC$" {
				t.Fatalf("%v is not a PathError for shares on IPC$", err)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("%v does not match %v", err, tt.kind)
			}
			for _, other := range []error{fs.ErrPermission, errors.ErrUnsupported, fs.ErrNotExist} {
				if other != tt.kind && errors.Is(err, other) {
					t.Errorf("%v also matches %v", err, other)
				}
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("message %q lacks %q", err, tt.text)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap the original error", err)
			}
		})
	}
}
