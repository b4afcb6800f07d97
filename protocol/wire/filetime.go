package wire

import (
	"math"
	"time"
)

// FILETIME (MS-DTYP 2.3.3) counts 100-nanosecond intervals since
// 1601-01-01 00:00:00 UTC. SMB2 carries every timestamp in that form.

// filetimeUnixOffset is the number of seconds from 1601-01-01 to 1970-01-01.
const filetimeUnixOffset = 11644473600

// filetimePerSecond is the number of FILETIME ticks in a second.
const filetimePerSecond = 10_000_000

// Special FILETIME values understood by SET_INFO with FileBasicInformation
// (MS-FSCC 2.4 FileBasicInformation): 0 leaves the time as it is; the two
// "negative" values stop or resume the automatic update of that time by
// later operations on the same handle.
const (
	FiletimeUnchanged      uint64 = 0
	FiletimeSuspendUpdates uint64 = 0xFFFFFFFFFFFFFFFF // -1
	FiletimeResumeUpdates  uint64 = 0xFFFFFFFFFFFFFFFE // -2
)

// FiletimeToTime converts a FILETIME to a time.Time in UTC. Zero, which
// servers use for "no time", becomes the zero time.Time. Every other value
// is representable, so nothing is clamped in this direction.
func FiletimeToTime(ft uint64) time.Time {
	if ft == 0 {
		return time.Time{}
	}
	// ft/filetimePerSecond < 1.9e12, far from overflowing int64 after the
	// subtraction.
	sec := int64(ft/filetimePerSecond) - filetimeUnixOffset
	nsec := int64(ft%filetimePerSecond) * 100
	return time.Unix(sec, nsec).UTC()
}

// TimeToFiletime converts t to a FILETIME, truncating to 100 ns. The zero
// time.Time becomes 0. Out-of-range instants are clamped rather than
// wrapped: anything before 1601 becomes 1 (the earliest instant FILETIME can
// carry, since 0 means "unset"), and anything past the largest positive
// FILETIME (year 30828) becomes math.MaxInt64, because Windows treats
// FILETIME as signed and the values with the top bit set are the special
// SET_INFO markers above.
func TimeToFiletime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	const maxSec = math.MaxInt64/filetimePerSecond - filetimeUnixOffset
	unix := t.Unix()
	switch {
	case unix < -filetimeUnixOffset:
		return 1
	case unix > maxSec:
		return math.MaxInt64
	}
	ft := uint64(unix+filetimeUnixOffset)*filetimePerSecond + uint64(t.Nanosecond()/100)
	switch {
	case ft == 0:
		return 1 // exactly 1601-01-01T00:00:00Z must not read as "unset"
	case ft > math.MaxInt64:
		return math.MaxInt64
	}
	return ft
}
