package dcerpc

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every error about bytes that do not form a
// valid PDU or NDR stream. Callers treat it as a protocol violation.
var ErrMalformed = errors.New("dcerpc: malformed data")

// malformed returns an error wrapping ErrMalformed that says what was wrong.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Fault status codes a client meets (C706 appendix E, MS-RPCE 2.2.2.11
// and 3.1.1.5.5).
const (
	StatusAccessDenied    uint32 = 0x00000005 // nca_s_fault_access_denied / ERROR_ACCESS_DENIED
	StatusBadStubData     uint32 = 0x000006F7 // nca_s_fault_ndr / RPC_X_BAD_STUB_DATA
	StatusOpRangeError    uint32 = 0x1C010002 // nca_op_rng_error: no such operation number
	StatusUnknownIf       uint32 = 0x1C010003 // nca_unk_if: the interface is not served
	StatusProtoError      uint32 = 0x1C01000B // nca_proto_error
	StatusServerTooBusy   uint32 = 0x1C010014 // nca_server_too_busy
	StatusFaultCancel     uint32 = 0x1C00000D // nca_s_fault_cancel
	StatusRemoteNoMemory  uint32 = 0x1C00001B // nca_s_fault_remote_no_memory
	StatusContextMismatch uint32 = 0x1C00001A // nca_s_fault_context_mismatch
)

// faultNames names the status codes above for error messages.
var faultNames = map[uint32]string{
	StatusAccessDenied:    "access denied",
	StatusBadStubData:     "nca_s_fault_ndr (bad stub data)",
	StatusOpRangeError:    "nca_op_rng_error (operation number out of range)",
	StatusUnknownIf:       "nca_unk_if (unknown interface)",
	StatusProtoError:      "nca_proto_error (protocol error)",
	StatusServerTooBusy:   "nca_server_too_busy",
	StatusFaultCancel:     "nca_s_fault_cancel",
	StatusRemoteNoMemory:  "nca_s_fault_remote_no_memory",
	StatusContextMismatch: "nca_s_fault_context_mismatch",
}

// FaultError is a call the server answered with a fault PDU (C706 12.6.4.7).
type FaultError struct {
	Status uint32
}

// Error returns e.g. "dcerpc fault: nca_op_rng_error (operation number out
// of range) (0x1c010002)".
func (e *FaultError) Error() string {
	if name, ok := faultNames[e.Status]; ok {
		return fmt.Sprintf("dcerpc fault: %s (0x%08x)", name, e.Status)
	}
	return fmt.Sprintf("dcerpc fault: status 0x%08x", e.Status)
}

// BindError reports a bind the server refused: a bind_nak PDU (Nak true,
// Reason a p_reject_reason_t, C706 12.6.3.1) or a bind_ack whose result for
// the proposed context is not acceptance (Result and Reason are a
// p_cont_def_result_t and p_provider_reason_t).
type BindError struct {
	Nak    bool
	Result uint16
	Reason uint16
}

// Error describes the refusal.
func (e *BindError) Error() string {
	if e.Nak {
		return fmt.Sprintf("dcerpc bind refused (bind_nak): %s", rejectReasonName(e.Reason))
	}
	return fmt.Sprintf("dcerpc bind refused: %s: %s", resultName(e.Result), providerReasonName(e.Reason))
}

// Is lets errors.Is(err, errors.ErrUnsupported) match a bind refused
// because the server does not offer the interface or transfer syntax.
func (e *BindError) Is(target error) bool {
	return target == errors.ErrUnsupported && !e.Nak &&
		(e.Reason == ReasonAbstractSyntaxNotSupported || e.Reason == ReasonTransferSyntaxesNotSupported)
}

func resultName(r uint16) string {
	switch r {
	case ResultAcceptance:
		return "acceptance"
	case ResultUserRejection:
		return "user rejection"
	case ResultProviderRejection:
		return "provider rejection"
	case ResultNegotiateAck:
		return "negotiate ack"
	}
	return fmt.Sprintf("result %d", r)
}

func providerReasonName(r uint16) string {
	switch r {
	case ReasonNotSpecified:
		return "reason not specified"
	case ReasonAbstractSyntaxNotSupported:
		return "abstract syntax (interface) not supported"
	case ReasonTransferSyntaxesNotSupported:
		return "proposed transfer syntaxes not supported"
	case ReasonLocalLimitExceeded:
		return "local limit exceeded"
	}
	return fmt.Sprintf("reason %d", r)
}

// rejectReasonName names a bind_nak p_reject_reason_t (C706 12.6.3.1,
// MS-RPCE 2.2.2.5).
func rejectReasonName(r uint16) string {
	names := [...]string{
		0: "reason not specified",
		1: "temporary congestion",
		2: "local limit exceeded",
		3: "called presentation address unknown",
		4: "protocol version not supported",
		5: "default context not supported",
		6: "user data not readable",
		7: "no presentation service access point available",
		8: "authentication type not recognized",
		9: "invalid checksum",
	}
	if int(r) < len(names) {
		return names[r]
	}
	return fmt.Sprintf("reason %d", r)
}
