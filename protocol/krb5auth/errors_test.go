package krb5auth

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"
)

func TestKerberosCode(t *testing.T) {
	ke := messages.KRBError{ErrorCode: errorcode.KDC_ERR_PREAUTH_FAILED}
	tests := []struct {
		name string
		err  error
		want int32
	}{
		{"KRBError value", ke, 24},
		{"KRBError pointer", &messages.KRBError{ErrorCode: 37}, 37},
		{"wrapped by fmt", fmt.Errorf("x: %w", ke), 24},
		// gokrb5 flattens the KRB-ERROR into text when it wraps it.
		{"flattened by krberror", krberror.Errorf(ke, krberror.KDCError, "AS Exchange Error: kerberos error response from KDC"), 24},
		{"no code", errors.New("connection refused"), 0},
	}
	for _, tt := range tests {
		if got := kerberosCode(tt.err); got != tt.want {
			t.Errorf("%s: code %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestKDCErrorKinds(t *testing.T) {
	tests := []struct {
		code int32
		kind error
		text string
	}{
		{errorcode.KDC_ERR_PREAUTH_FAILED, ErrWrongPassword, "krb5: op: wrong password or key (KDC_ERR_PREAUTH_FAILED)"},
		{errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN, ErrUnknownUser, "krb5: op: unknown user (KDC_ERR_C_PRINCIPAL_UNKNOWN)"},
		{errorcode.KDC_ERR_S_PRINCIPAL_UNKNOWN, ErrUnknownService, "krb5: op: unknown service principal (KDC_ERR_S_PRINCIPAL_UNKNOWN)"},
		{errorcode.KRB_AP_ERR_SKEW, ErrClockSkew, "krb5: op: clock skew too great (KRB_AP_ERR_SKEW)"},
		{errorcode.KDC_ERR_WRONG_REALM, ErrWrongRealm, "krb5: op: wrong realm (KDC_ERR_WRONG_REALM)"},
		{errorcode.KDC_ERR_ETYPE_NOSUPP, nil, "krb5: op: KDC has no support for encryption type (KDC_ERR_ETYPE_NOSUPP)"},
		{99, nil, "krb5: op: Kerberos error (error code 99)"},
	}
	for _, tt := range tests {
		err := kdcError("op", krberror.Errorf(messages.KRBError{ErrorCode: tt.code}, krberror.KDCError, "exchange"))
		if err.Kind != tt.kind || err.Code != tt.code {
			t.Errorf("code %d: kind %v code %d", tt.code, err.Kind, err.Code)
		}
		if err.Error() != tt.text {
			t.Errorf("code %d: %q, want %q", tt.code, err.Error(), tt.text)
		}
	}
	net := kdcError("op", krberror.Errorf(errors.New("dial tcp: connection refused"), krberror.NetworkingError, "AS Exchange Error"))
	if !errors.Is(net, ErrKDCUnreachable) {
		t.Errorf("network failure: kind %v", net.Kind)
	}
	if want := "krb5: op: no KDC reachable: AS Exchange Error: dial tcp: connection refused"; net.Error() != want {
		t.Errorf("%q, want %q", net.Error(), want)
	}
}

func TestErrorIs(t *testing.T) {
	tests := []struct {
		kind       error
		permission bool
	}{
		{ErrWrongPassword, true},
		{ErrUnknownUser, true},
		{ErrNoCredentials, true},
		{ErrClockSkew, false},
		{ErrConfig, false},
		{nil, false},
	}
	for _, tt := range tests {
		e := fmt.Errorf("wrapped: %w", &Error{Op: "op", Kind: tt.kind})
		if tt.kind != nil && !errors.Is(e, tt.kind) {
			t.Errorf("errors.Is(%v, its kind) = false", e)
		}
		if errors.Is(e, fs.ErrPermission) != tt.permission {
			t.Errorf("%v: errors.Is(fs.ErrPermission) = %v", tt.kind, !tt.permission)
		}
		if tt.kind != ErrWrongRealm && errors.Is(e, ErrWrongRealm) {
			t.Errorf("%v matches ErrWrongRealm", tt.kind)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Op: "op"}, "krb5: op"},
		{&Error{Op: "op", Err: errors.New("boom")}, "krb5: op: boom"},
		{&Error{Op: "op", Kind: ErrConfig}, "krb5: op: invalid Kerberos configuration"},
		{&Error{Op: "op", Kind: ErrConfig, Err: errors.New("boom")}, "krb5: op: invalid Kerberos configuration: boom"},
		{&Error{Op: "op", Code: 37, Kind: ErrClockSkew, Detail: "an hour off", Err: errors.New("hidden")}, "krb5: op: clock skew too great (KRB_AP_ERR_SKEW): an hour off"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}
