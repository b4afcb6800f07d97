package wire

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every error that reports bytes that do not form
// a valid message. Callers treat it as a protocol violation by the peer.
var ErrMalformed = errors.New("smb2: malformed message")

// malformed returns an error wrapping ErrMalformed that names what was wrong.
func malformed(what string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(what, args...))
}

// needLen reports an error when b is shorter than n bytes.
func needLen(b []byte, n int, what string) error {
	if len(b) < n {
		return malformed("%s: %d bytes, need at least %d", what, len(b), n)
	}
	return nil
}

// BufferAt returns msg[offset:offset+length] after checking that the range
// lies inside msg. A zero length yields an empty (nil) slice whatever the
// offset, as servers send arbitrary offsets for empty buffers.
func BufferAt(msg []byte, offset, length uint32, what string) ([]byte, error) {
	if length == 0 {
		return nil, nil
	}
	end := uint64(offset) + uint64(length)
	if end > uint64(len(msg)) {
		return nil, malformed("%s: buffer [%d, %d) outside message of %d bytes", what, offset, end, len(msg))
	}
	return msg[offset:end:end], nil
}

// checkStructureSize verifies the StructureSize field that starts every
// message body (MS-SMB2 2.2.x). Some sizes carry a low bit meaning "a
// variable buffer follows"; the caller passes the exact documented value.
func checkStructureSize(body []byte, want uint16, what string) error {
	if err := needLen(body, 2, what); err != nil {
		return err
	}
	if got := le.Uint16(body); got != want {
		return malformed("%s: StructureSize %d, want %d", what, got, want)
	}
	return nil
}
