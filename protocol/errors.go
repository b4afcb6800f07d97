package protocol

import (
	"errors"
	"fmt"

	"github.com/smbfs/smbfs/protocol/wire"
)

// StatusError is the error of a request the server answered with a failure
// NTSTATUS. It unwraps to the wire.Status, so callers can write
//
//	var st wire.Status
//	if errors.As(err, &st) && st == wire.StatusSharingViolation { … }
//
// A StatusError concerns one request; the connection stays usable.
type StatusError struct {
	Command wire.Command
	Status  wire.Status
	// ErrorData is the ErrorData of the SMB2 ERROR response, if any
	// (symbolic link targets, for instance, MS-SMB2 2.2.2.2).
	ErrorData []byte
}

// Error returns e.g. "smb2 CREATE: STATUS_OBJECT_NAME_NOT_FOUND".
func (e *StatusError) Error() string {
	return fmt.Sprintf("smb2 %v: %v", e.Command, e.Status)
}

// Unwrap returns the NTSTATUS.
func (e *StatusError) Unwrap() error { return e.Status }

// ConnectionError reports that the connection as a whole failed: the TCP
// stream broke, the server violated the protocol, a signature or decryption
// check failed, or the connection was closed. Every request outstanding on
// the connection fails with the same ConnectionError; nothing more can be
// sent on it. (Compare StatusError, which fails a single request.)
type ConnectionError struct {
	Op  string // what the connection was doing, e.g. "read frame"
	Err error
}

// Error describes the failure.
func (e *ConnectionError) Error() string { return "smb2 connection: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the underlying cause.
func (e *ConnectionError) Unwrap() error { return e.Err }

// Sentinel errors callers can test with errors.Is.
var (
	// ErrClosed is the cause of a ConnectionError after Close.
	ErrClosed = errors.New("connection closed")
	// ErrNotSMB2 means the server answered NEGOTIATE with SMB1, with garbage,
	// or by closing the connection: it does not speak SMB 2/3.
	ErrNotSMB2 = errors.New("server does not speak SMB 2/3")
	// ErrNoCredits means a request waited longer than Config.CreditWait for
	// the server to grant the credits it needs.
	ErrNoCredits = errors.New("no credits granted by the server in time")
	// ErrTimeout means the server did not answer a request within
	// Config.RequestTimeout.
	ErrTimeout = errors.New("no response from server")
	// ErrBadSignature means a response failed signature verification.
	ErrBadSignature = errors.New("response signature does not verify")
	// ErrDecrypt means an encrypted response failed to decrypt or
	// authenticate.
	ErrDecrypt = errors.New("encrypted response failed authentication")
	// ErrUnsigned means a response that had to be signed arrived unsigned.
	ErrUnsigned = errors.New("response should be signed but is not")
	// ErrUnencrypted means a response that had to be encrypted arrived in
	// clear text.
	ErrUnencrypted = errors.New("response should be encrypted but is not")
	// ErrDowngrade means the negotiation was tampered with: the signed
	// FSCTL_VALIDATE_NEGOTIATE_INFO exchange of a 3.0/3.0.2 session does
	// not match what NEGOTIATE said (3.1.1 detects the same through its
	// pre-authentication hash, as ErrBadSignature).
	ErrDowngrade = errors.New("negotiation was altered in transit")
	// ErrSecurityPolicy means the server cannot meet a signing or
	// encryption requirement of the configuration.
	ErrSecurityPolicy = errors.New("server cannot meet the security policy")
	// ErrAuthentication wraps failures of the authentication mechanism
	// itself (as opposed to the server refusing credentials, which arrives
	// as a StatusError such as STATUS_LOGON_FAILURE).
	ErrAuthentication = errors.New("authentication failed")
)

// statusError builds the error for a failed response message.
func statusError(h *wire.Header, msg []byte) error {
	e := &StatusError{Command: h.Command, Status: h.Status}
	if wire.IsErrorResponse(msg) {
		var er wire.ErrorResponse
		if er.Decode(msg) == nil && len(er.ErrorData) > 0 {
			e.ErrorData = append([]byte(nil), er.ErrorData...)
		}
	}
	return e
}
