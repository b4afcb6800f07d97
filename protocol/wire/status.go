package wire

import "fmt"

// Status is an NTSTATUS code (MS-ERREF 2.3) as carried in the SMB2 header.
// It implements error so a failed request can return it directly; callers
// reach it with errors.As.
type Status uint32

// NTSTATUS values an SMB2 client meets (MS-ERREF 2.3.1).
const (
	StatusSuccess                Status = 0x00000000
	StatusPending                Status = 0x00000103
	StatusNotifyCleanup          Status = 0x0000010B
	StatusNotifyEnumDir          Status = 0x0000010C
	StatusObjectNameExists       Status = 0x40000000
	StatusBufferOverflow         Status = 0x80000005
	StatusNoMoreFiles            Status = 0x80000006
	StatusStoppedOnSymlink       Status = 0x8000002D
	StatusUnsuccessful           Status = 0xC0000001
	StatusNotImplemented         Status = 0xC0000002
	StatusInvalidInfoClass       Status = 0xC0000003
	StatusInfoLengthMismatch     Status = 0xC0000004
	StatusInvalidHandle          Status = 0xC0000008
	StatusInvalidParameter       Status = 0xC000000D
	StatusNoSuchDevice           Status = 0xC000000E
	StatusNoSuchFile             Status = 0xC000000F
	StatusInvalidDeviceRequest   Status = 0xC0000010
	StatusEndOfFile              Status = 0xC0000011
	StatusMoreProcessingRequired Status = 0xC0000016
	StatusNoMemory               Status = 0xC0000017
	StatusAccessDenied           Status = 0xC0000022
	StatusBufferTooSmall         Status = 0xC0000023
	StatusObjectTypeMismatch     Status = 0xC0000024
	StatusObjectNameInvalid      Status = 0xC0000033
	StatusObjectNameNotFound     Status = 0xC0000034
	StatusObjectNameCollision    Status = 0xC0000035
	StatusObjectPathInvalid      Status = 0xC0000039
	StatusObjectPathNotFound     Status = 0xC000003A
	StatusObjectPathSyntaxBad    Status = 0xC000003B
	StatusSharingViolation       Status = 0xC0000043
	StatusEANotSupported         Status = 0xC000004F
	StatusFileLockConflict       Status = 0xC0000054
	StatusLockNotGranted         Status = 0xC0000055
	StatusDeletePending          Status = 0xC0000056
	StatusPrivilegeNotHeld       Status = 0xC0000061
	StatusNoSuchUser             Status = 0xC0000064
	StatusWrongPassword          Status = 0xC000006A
	StatusLogonFailure           Status = 0xC000006D
	StatusAccountRestriction     Status = 0xC000006E
	StatusInvalidLogonHours      Status = 0xC000006F
	StatusInvalidWorkstation     Status = 0xC0000070
	StatusPasswordExpired        Status = 0xC0000071
	StatusAccountDisabled        Status = 0xC0000072
	StatusDiskFull               Status = 0xC000007F
	StatusInsufficientResources  Status = 0xC000009A
	StatusMediaWriteProtected    Status = 0xC00000A2
	StatusPipeNotAvailable       Status = 0xC00000AC
	StatusPipeBusy               Status = 0xC00000AE
	StatusPipeDisconnected       Status = 0xC00000B0
	StatusPipeClosing            Status = 0xC00000B1
	StatusIOTimeout              Status = 0xC00000B5
	StatusFileIsADirectory       Status = 0xC00000BA
	StatusNotSupported           Status = 0xC00000BB
	StatusBadNetworkPath         Status = 0xC00000BE
	StatusNetworkBusy            Status = 0xC00000BF
	StatusInvalidNetworkResponse Status = 0xC00000C3
	StatusUnexpectedNetworkError Status = 0xC00000C4
	StatusNetworkNameDeleted     Status = 0xC00000C9
	StatusNetworkAccessDenied    Status = 0xC00000CA
	StatusBadDeviceType          Status = 0xC00000CB
	StatusBadNetworkName         Status = 0xC00000CC
	StatusRequestNotAccepted     Status = 0xC00000D0
	StatusNotSameDevice          Status = 0xC00000D4
	StatusFileRenamed            Status = 0xC00000D5
	StatusDirectoryNotEmpty      Status = 0xC0000101
	StatusNotADirectory          Status = 0xC0000103
	StatusCancelled              Status = 0xC0000120
	StatusCannotDelete           Status = 0xC0000121
	StatusFileClosed             Status = 0xC0000128
	StatusTimeDifferenceAtDC     Status = 0xC0000133
	StatusPipeBroken             Status = 0xC000014B
	StatusFSDriverRequired       Status = 0xC000019C
	StatusUserSessionDeleted     Status = 0xC0000203
	StatusNotFound               Status = 0xC0000225
	StatusPasswordMustChange     Status = 0xC0000224
	StatusAccountLockedOut       Status = 0xC0000234
	StatusPathNotCovered         Status = 0xC0000257
	StatusNetworkSessionExpired  Status = 0xC000035C
	StatusFileNotAvailable       Status = 0xC0000467
)

var statusNames = map[Status]string{
	StatusSuccess:                "STATUS_SUCCESS",
	StatusPending:                "STATUS_PENDING",
	StatusNotifyCleanup:          "STATUS_NOTIFY_CLEANUP",
	StatusNotifyEnumDir:          "STATUS_NOTIFY_ENUM_DIR",
	StatusObjectNameExists:       "STATUS_OBJECT_NAME_EXISTS",
	StatusBufferOverflow:         "STATUS_BUFFER_OVERFLOW",
	StatusNoMoreFiles:            "STATUS_NO_MORE_FILES",
	StatusStoppedOnSymlink:       "STATUS_STOPPED_ON_SYMLINK",
	StatusUnsuccessful:           "STATUS_UNSUCCESSFUL",
	StatusNotImplemented:         "STATUS_NOT_IMPLEMENTED",
	StatusInvalidInfoClass:       "STATUS_INVALID_INFO_CLASS",
	StatusInfoLengthMismatch:     "STATUS_INFO_LENGTH_MISMATCH",
	StatusInvalidHandle:          "STATUS_INVALID_HANDLE",
	StatusInvalidParameter:       "STATUS_INVALID_PARAMETER",
	StatusNoSuchDevice:           "STATUS_NO_SUCH_DEVICE",
	StatusNoSuchFile:             "STATUS_NO_SUCH_FILE",
	StatusInvalidDeviceRequest:   "STATUS_INVALID_DEVICE_REQUEST",
	StatusEndOfFile:              "STATUS_END_OF_FILE",
	StatusMoreProcessingRequired: "STATUS_MORE_PROCESSING_REQUIRED",
	StatusNoMemory:               "STATUS_NO_MEMORY",
	StatusAccessDenied:           "STATUS_ACCESS_DENIED",
	StatusBufferTooSmall:         "STATUS_BUFFER_TOO_SMALL",
	StatusObjectTypeMismatch:     "STATUS_OBJECT_TYPE_MISMATCH",
	StatusObjectNameInvalid:      "STATUS_OBJECT_NAME_INVALID",
	StatusObjectNameNotFound:     "STATUS_OBJECT_NAME_NOT_FOUND",
	StatusObjectNameCollision:    "STATUS_OBJECT_NAME_COLLISION",
	StatusObjectPathInvalid:      "STATUS_OBJECT_PATH_INVALID",
	StatusObjectPathNotFound:     "STATUS_OBJECT_PATH_NOT_FOUND",
	StatusObjectPathSyntaxBad:    "STATUS_OBJECT_PATH_SYNTAX_BAD",
	StatusSharingViolation:       "STATUS_SHARING_VIOLATION",
	StatusEANotSupported:         "STATUS_EAS_NOT_SUPPORTED",
	StatusFileLockConflict:       "STATUS_FILE_LOCK_CONFLICT",
	StatusLockNotGranted:         "STATUS_LOCK_NOT_GRANTED",
	StatusDeletePending:          "STATUS_DELETE_PENDING",
	StatusPrivilegeNotHeld:       "STATUS_PRIVILEGE_NOT_HELD",
	StatusNoSuchUser:             "STATUS_NO_SUCH_USER",
	StatusWrongPassword:          "STATUS_WRONG_PASSWORD",
	StatusLogonFailure:           "STATUS_LOGON_FAILURE",
	StatusAccountRestriction:     "STATUS_ACCOUNT_RESTRICTION",
	StatusInvalidLogonHours:      "STATUS_INVALID_LOGON_HOURS",
	StatusInvalidWorkstation:     "STATUS_INVALID_WORKSTATION",
	StatusPasswordExpired:        "STATUS_PASSWORD_EXPIRED",
	StatusAccountDisabled:        "STATUS_ACCOUNT_DISABLED",
	StatusDiskFull:               "STATUS_DISK_FULL",
	StatusInsufficientResources:  "STATUS_INSUFFICIENT_RESOURCES",
	StatusMediaWriteProtected:    "STATUS_MEDIA_WRITE_PROTECTED",
	StatusPipeNotAvailable:       "STATUS_PIPE_NOT_AVAILABLE",
	StatusPipeBusy:               "STATUS_PIPE_BUSY",
	StatusPipeDisconnected:       "STATUS_PIPE_DISCONNECTED",
	StatusPipeClosing:            "STATUS_PIPE_CLOSING",
	StatusIOTimeout:              "STATUS_IO_TIMEOUT",
	StatusFileIsADirectory:       "STATUS_FILE_IS_A_DIRECTORY",
	StatusNotSupported:           "STATUS_NOT_SUPPORTED",
	StatusBadNetworkPath:         "STATUS_BAD_NETWORK_PATH",
	StatusNetworkBusy:            "STATUS_NETWORK_BUSY",
	StatusInvalidNetworkResponse: "STATUS_INVALID_NETWORK_RESPONSE",
	StatusUnexpectedNetworkError: "STATUS_UNEXPECTED_NETWORK_ERROR",
	StatusNetworkNameDeleted:     "STATUS_NETWORK_NAME_DELETED",
	StatusNetworkAccessDenied:    "STATUS_NETWORK_ACCESS_DENIED",
	StatusBadDeviceType:          "STATUS_BAD_DEVICE_TYPE",
	StatusBadNetworkName:         "STATUS_BAD_NETWORK_NAME",
	StatusRequestNotAccepted:     "STATUS_REQUEST_NOT_ACCEPTED",
	StatusNotSameDevice:          "STATUS_NOT_SAME_DEVICE",
	StatusFileRenamed:            "STATUS_FILE_RENAMED",
	StatusDirectoryNotEmpty:      "STATUS_DIRECTORY_NOT_EMPTY",
	StatusNotADirectory:          "STATUS_NOT_A_DIRECTORY",
	StatusCancelled:              "STATUS_CANCELLED",
	StatusCannotDelete:           "STATUS_CANNOT_DELETE",
	StatusFileClosed:             "STATUS_FILE_CLOSED",
	StatusTimeDifferenceAtDC:     "STATUS_TIME_DIFFERENCE_AT_DC",
	StatusPipeBroken:             "STATUS_PIPE_BROKEN",
	StatusFSDriverRequired:       "STATUS_FS_DRIVER_REQUIRED",
	StatusUserSessionDeleted:     "STATUS_USER_SESSION_DELETED",
	StatusNotFound:               "STATUS_NOT_FOUND",
	StatusPasswordMustChange:     "STATUS_PASSWORD_MUST_CHANGE",
	StatusAccountLockedOut:       "STATUS_ACCOUNT_LOCKED_OUT",
	StatusPathNotCovered:         "STATUS_PATH_NOT_COVERED",
	StatusNetworkSessionExpired:  "STATUS_NETWORK_SESSION_EXPIRED",
	StatusFileNotAvailable:       "STATUS_FILE_NOT_AVAILABLE",
}

// String returns the symbolic name, e.g. "STATUS_ACCESS_DENIED", or the hex
// value for codes this package does not name.
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("NTSTATUS 0x%08X", uint32(s))
}

// Error makes a Status usable as an error value.
func (s Status) Error() string { return s.String() }

// Severity bits of an NTSTATUS (MS-ERREF 2.3): 00 success, 01 information,
// 10 warning, 11 error.
func (s Status) severity() uint32 { return uint32(s) >> 30 }

// IsError reports whether s has error severity.
func (s Status) IsError() bool { return s.severity() == 3 }

// IsWarning reports whether s has warning severity (e.g.
// STATUS_BUFFER_OVERFLOW, which still carries a valid, partial body).
func (s Status) IsWarning() bool { return s.severity() == 2 }
