package wire

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestStatusString(t *testing.T) {
	tests := []struct {
		s    Status
		want string
	}{
		{StatusSuccess, "STATUS_SUCCESS"},
		{StatusPending, "STATUS_PENDING"},
		{StatusBufferOverflow, "STATUS_BUFFER_OVERFLOW"},
		{StatusMoreProcessingRequired, "STATUS_MORE_PROCESSING_REQUIRED"},
		{StatusAccessDenied, "STATUS_ACCESS_DENIED"},
		{StatusObjectNameNotFound, "STATUS_OBJECT_NAME_NOT_FOUND"},
		{StatusEANotSupported, "STATUS_EAS_NOT_SUPPORTED"},
		{StatusFileNotAvailable, "STATUS_FILE_NOT_AVAILABLE"},
		{Status(0xC0001234), "NTSTATUS 0xC0001234"},
		{Status(0x00000001), "NTSTATUS 0x00000001"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Status(%#08x).String() = %q, want %q", uint32(tt.s), got, tt.want)
		}
		if got := tt.s.Error(); got != tt.want {
			t.Errorf("Status(%#08x).Error() = %q, want %q", uint32(tt.s), got, tt.want)
		}
	}

	seen := map[string]Status{}
	for s, name := range statusNames {
		if !strings.HasPrefix(name, "STATUS_") {
			t.Errorf("%#08x is named %q", uint32(s), name)
		}
		if prev, dup := seen[name]; dup {
			t.Errorf("%q names both %#08x and %#08x", name, uint32(prev), uint32(s))
		}
		seen[name] = s
	}
}

// Severity is the top two bits of an NTSTATUS (MS-ERREF 2.3).
func TestStatusSeverity(t *testing.T) {
	tests := []struct {
		s                Status
		isError, warning bool
	}{
		{StatusSuccess, false, false},
		{StatusPending, false, false},
		{StatusNotifyEnumDir, false, false},
		{StatusObjectNameExists, false, false}, // informational
		{StatusBufferOverflow, false, true},
		{StatusNoMoreFiles, false, true},
		{StatusStoppedOnSymlink, false, true},
		{Status(0xBFFFFFFF), false, true},
		{Status(0xC0000000), true, false},
		{StatusAccessDenied, true, false},
		{StatusMoreProcessingRequired, true, false},
		{Status(0xFFFFFFFF), true, false},
	}
	for _, tt := range tests {
		if tt.s.IsError() != tt.isError || tt.s.IsWarning() != tt.warning {
			t.Errorf("%v: IsError %v IsWarning %v, want %v %v", tt.s, tt.s.IsError(), tt.s.IsWarning(), tt.isError, tt.warning)
		}
	}
}

func TestStatusAsError(t *testing.T) {
	err := fmt.Errorf("open foo: %w", StatusLogonFailure)
	var s Status
	if !errors.As(err, &s) || s != StatusLogonFailure {
		t.Fatalf("errors.As = %v, %v", s, err)
	}
	if !errors.Is(err, StatusLogonFailure) || errors.Is(err, StatusAccessDenied) {
		t.Fatal("errors.Is does not compare statuses by value")
	}
	if errors.Is(StatusAccessDenied, ErrMalformed) {
		t.Fatal("a status must not be mistaken for a malformed message")
	}
}

func TestCommandString(t *testing.T) {
	want := map[Command]string{
		CommandNegotiate: "NEGOTIATE", CommandSessionSetup: "SESSION_SETUP", CommandLogoff: "LOGOFF",
		CommandTreeConnect: "TREE_CONNECT", CommandTreeDisconnect: "TREE_DISCONNECT", CommandCreate: "CREATE",
		CommandClose: "CLOSE", CommandFlush: "FLUSH", CommandRead: "READ", CommandWrite: "WRITE",
		CommandLock: "LOCK", CommandIoctl: "IOCTL", CommandCancel: "CANCEL", CommandEcho: "ECHO",
		CommandQueryDirectory: "QUERY_DIRECTORY", CommandChangeNotify: "CHANGE_NOTIFY",
		CommandQueryInfo: "QUERY_INFO", CommandSetInfo: "SET_INFO", CommandOplockBreak: "OPLOCK_BREAK",
		Command(0x0013): "COMMAND_0x0013", Command(0xFFFF): "COMMAND_0xFFFF",
	}
	for c, w := range want {
		if got := c.String(); got != w {
			t.Errorf("Command(%#04x).String() = %q, want %q", uint16(c), got, w)
		}
	}
}

func TestDialect(t *testing.T) {
	tests := []struct {
		d    Dialect
		name string
		is3x bool
	}{
		{Dialect202, "2.0.2", false},
		{Dialect210, "2.1", false},
		{DialectWildcard, "2.???", false},
		{Dialect300, "3.0", true},
		{Dialect302, "3.0.2", true},
		{Dialect311, "3.1.1", true},
		{Dialect(0x0222), "0x0222", false},
		{Dialect(0), "0x0000", false},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.name {
			t.Errorf("Dialect(%#04x).String() = %q, want %q", uint16(tt.d), got, tt.name)
		}
		if got := tt.d.Is3x(); got != tt.is3x {
			t.Errorf("Dialect(%#04x).Is3x() = %v, want %v", uint16(tt.d), got, tt.is3x)
		}
	}
}
