package krb5auth

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"
)

// Sentinel errors an *Error matches with errors.Is, by the Kerberos error
// code the KDC or the server returned, or by what went wrong locally.
var (
	// ErrWrongPassword: the KDC could not verify the password or key
	// (KDC_ERR_PREAUTH_FAILED).
	ErrWrongPassword = errors.New("wrong password or key")
	// ErrUnknownUser: the KDC does not know the client principal
	// (KDC_ERR_C_PRINCIPAL_UNKNOWN).
	ErrUnknownUser = errors.New("unknown user")
	// ErrUnknownService: the KDC does not know the service principal
	// (KDC_ERR_S_PRINCIPAL_UNKNOWN), usually a wrong host name in the SPN.
	ErrUnknownService = errors.New("unknown service principal")
	// ErrClockSkew: the clocks differ by more than the tolerance
	// (KRB_AP_ERR_SKEW, RFC 4120 section 3.2.3).
	ErrClockSkew = errors.New("clock skew too great")
	// ErrWrongRealm: a ticket or request for a realm the KDC or the server
	// does not serve (KDC_ERR_WRONG_REALM, or no trust leading to it).
	ErrWrongRealm = errors.New("wrong realm")
	// ErrNoCredentials: no usable credentials: no credential cache, an
	// expired one, or a keytab without the principal's key.
	ErrNoCredentials = errors.New("no usable Kerberos credentials")
	// ErrNotOffered: the server's NEGOTIATE response lists mechanisms and
	// Kerberos is not among them.
	ErrNotOffered = errors.New("the server does not offer Kerberos")
	// ErrMutualAuth: the server's AP-REP (or its mechListMIC) did not
	// verify, or the server sent none: it did not prove it holds the
	// service key.
	ErrMutualAuth = errors.New("mutual authentication failed")
	// ErrKDCUnreachable: no KDC of the realm answered.
	ErrKDCUnreachable = errors.New("no KDC reachable")
	// ErrConfig: the Kerberos configuration is incomplete or invalid.
	ErrConfig = errors.New("invalid Kerberos configuration")
)

// Error is a Kerberos failure: the KDC or the server refused, the
// configuration or credentials are unusable, or the server's answer did not
// verify. errors.Is matches it against the sentinels above and, for
// refused credentials, fs.ErrPermission.
type Error struct {
	// Op says what was being done, e.g. "get a ticket-granting ticket
	// for alice@EXAMPLE.COM".
	Op string
	// Code is the Kerberos error code (RFC 4120 section 7.5.9) the KDC or
	// the server returned, or 0 when the failure is local.
	Code int32
	// Kind is the sentinel this failure matches, or nil.
	Kind error
	// Detail adds what the code alone does not say (e.g. how far apart
	// the clocks are); may be empty.
	Detail string
	// Err is the underlying error.
	Err error
}

// Error returns e.g. "krb5: get a ticket-granting ticket for
// alice@EXAMPLE.COM: wrong password or key (KDC_ERR_PREAUTH_FAILED)". The
// text of the underlying error is left out when a Kerberos error code
// already says what happened.
func (e *Error) Error() string {
	s := "krb5: " + e.Op
	switch {
	case e.Code != 0:
		name, desc := codeText(e.Code)
		if e.Kind != nil {
			desc = e.Kind.Error()
		}
		s += ": " + desc + " (" + name + ")"
		if e.Detail != "" {
			s += ": " + e.Detail
		}
	case e.Kind != nil && e.Err != nil:
		s += ": " + e.Kind.Error() + ": " + plainText(e.Err)
	case e.Kind != nil:
		s += ": " + e.Kind.Error()
	case e.Err != nil:
		s += ": " + plainText(e.Err)
	}
	return s
}

// plainText is an error's text without the "[Root cause: X] X: " prefix
// gokrb5 puts before its messages.
func plainText(err error) string {
	return rootCause.ReplaceAllString(err.Error(), "")
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the failure's kind; refused or missing credentials also match
// fs.ErrPermission, as a refused NTLM login does.
func (e *Error) Is(target error) bool {
	if e.Kind == nil {
		return false
	}
	if target == e.Kind {
		return true
	}
	if target == fs.ErrPermission {
		switch e.Kind {
		case ErrWrongPassword, ErrUnknownUser, ErrNoCredentials:
			return true
		}
	}
	return false
}

// codeKinds maps Kerberos error codes (RFC 4120 section 7.5.9) to the
// sentinel a caller tests for.
var codeKinds = map[int32]error{
	errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN: ErrUnknownUser,
	errorcode.KDC_ERR_S_PRINCIPAL_UNKNOWN: ErrUnknownService,
	errorcode.KDC_ERR_PREAUTH_FAILED:      ErrWrongPassword,
	errorcode.KRB_AP_ERR_SKEW:             ErrClockSkew,
	errorcode.KDC_ERR_WRONG_REALM:         ErrWrongRealm,
}

// codeText returns the RFC 4120 name of a Kerberos error code and its
// description, e.g. "KDC_ERR_ETYPE_NOSUPP", "KDC has no support for
// encryption type".
func codeText(code int32) (name, desc string) {
	// errorcode.Lookup gives "(14) KDC_ERR_ETYPE_NOSUPP KDC has no support
	// for encryption type", or "Unknown ErrorCode 99".
	m := lookupText.FindStringSubmatch(errorcode.Lookup(code))
	if m == nil {
		return "error code " + strconv.Itoa(int(code)), "Kerberos error"
	}
	return m[1], m[2]
}

var (
	lookupText = regexp.MustCompile(`^\(-?\d+\) (\S+) ?(.*)$`)
	rootCause  = regexp.MustCompile(`^\[Root cause: (\S+)\] (\S+: )?`)
	// krbErrorText finds the code gokrb5 prints for a KRB-ERROR
	// ("KRB Error: (24) KDC_ERR_...", "KRB Error: Unknown ErrorCode 99"):
	// its wrappers keep only the text.
	krbErrorText = regexp.MustCompile(`KRB Error: (?:\((-?\d+)\)|Unknown ErrorCode (-?\d+))`)
)

// kerberosCode extracts the Kerberos error code from an error gokrb5
// returned, or 0 when it carries none.
func kerberosCode(err error) int32 {
	var ke messages.KRBError
	if errors.As(err, &ke) {
		return ke.ErrorCode
	}
	var kp *messages.KRBError
	if errors.As(err, &kp) {
		return kp.ErrorCode
	}
	if m := krbErrorText.FindStringSubmatch(err.Error()); m != nil {
		if n, perr := strconv.ParseInt(m[1]+m[2], 10, 32); perr == nil {
			return int32(n)
		}
	}
	return 0
}

// kdcError wraps an error from a KDC exchange into an *Error with its code
// and kind.
func kdcError(op string, err error) *Error {
	code := kerberosCode(err)
	e := &Error{Op: op, Code: code, Kind: codeKinds[code], Err: err}
	if code == 0 && strings.Contains(err.Error(), krberror.NetworkingError) {
		e.Kind = ErrKDCUnreachable
	}
	return e
}

// configError reports an unusable configuration.
func configError(format string, args ...any) *Error {
	return &Error{Op: "configure", Kind: ErrConfig, Err: fmt.Errorf(format, args...)}
}
