package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// fsccHex decodes a hex dump written one field per line, so expected
// encodings can follow the field tables of MS-SMB2 and MS-FSCC: everything
// after "//" on a line is a comment and whitespace is ignored.
func fsccHex(t testing.TB, dump string) []byte {
	t.Helper()
	var sb strings.Builder
	for line := range strings.Lines(dump) {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		sb.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(sb.String())
	if err != nil {
		t.Fatalf("bad hex dump: %v", err)
	}
	return b
}

// fsccHeader returns a sync SMB2 header for cmd; response sets
// FlagServerToRedir.
func fsccHeader(cmd Command, response bool) []byte {
	h := Header{Command: cmd, MessageID: 5, TreeID: 1, SessionID: 0x11}
	if response {
		h.Flags = FlagServerToRedir
	}
	return h.Encode(nil)
}

// fsccResponse returns a response message for cmd: header then body.
func fsccResponse(cmd Command, body []byte) []byte {
	return append(fsccHeader(cmd, true), body...)
}

// The requests of this change implement Request and report their payload
// sizes: MS-SMB2 3.2.4.1.5 charges only READ, WRITE, IOCTL and
// QUERY_DIRECTORY by size, but Samba verifies the CreditCharge of
// QUERY_INFO, SET_INFO and CHANGE_NOTIFY against their buffers as well, and
// a larger charge is never refused.
var (
	_ Request = (*QueryDirectoryRequest)(nil)
	_ Request = (*QueryInfoRequest)(nil)
	_ Request = (*SetInfoRequest)(nil)
	_ Request = (*IoctlRequest)(nil)
	_ Request = (*ChangeNotifyRequest)(nil)
)

// fsccPayloadSized is the optional method of multi-credit requests.
type fsccPayloadSized interface{ PayloadSizes() (send, recv int) }

func TestFsccRequestsChargedBySize(t *testing.T) {
	tests := []struct {
		req        Request
		send, recv int
	}{
		{&QueryDirectoryRequest{Pattern: "*", OutputBufferLength: 1 << 20}, 2, 1 << 20},
		{&QueryInfoRequest{Input: make([]byte, 10), OutputBufferLength: 70000}, 10, 70000},
		{&SetInfoRequest{Buffer: make([]byte, 100000)}, 100000, 0},
		{&IoctlRequest{Input: make([]byte, 3), MaxOutputResponse: 65537}, 3, 65537},
		{&ChangeNotifyRequest{OutputBufferLength: 4096}, 0, 4096},
	}
	for _, tt := range tests {
		p, ok := tt.req.(fsccPayloadSized)
		if !ok {
			t.Errorf("%T does not report PayloadSizes", tt.req)
			continue
		}
		if s, r := p.PayloadSizes(); s != tt.send || r != tt.recv {
			t.Errorf("%T.PayloadSizes() = %d, %d; want %d, %d", tt.req, s, r, tt.send, tt.recv)
		}
	}
}

// fsccEncodeBody encodes req after a header and returns the body. It
// encodes a second time behind 40 unrelated bytes, as for a later message of
// a compound chain, and fails unless the body is the same, since every
// offset must count from the message's own header.
func fsccEncodeBody(t *testing.T, req Request) []byte {
	t.Helper()
	hdr := fsccHeader(req.Command(), false)
	body := req.Encode(bytes.Clone(hdr))[HeaderSize:]
	prefix := bytes.Repeat([]byte{0xEE}, 40)
	chained := req.Encode(append(prefix, hdr...))
	if !bytes.Equal(chained[:len(prefix)], prefix) {
		t.Fatalf("%v Encode changed the bytes before the header", req.Command())
	}
	if got := chained[len(prefix)+HeaderSize:]; !bytes.Equal(got, body) {
		t.Fatalf("%v Encode depends on the message's position in the chain:\nalone   % x\nchained % x", req.Command(), body, got)
	}
	return body
}

// fsccWantMalformed fails unless err wraps ErrMalformed.
func fsccWantMalformed(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("error = %v, want one wrapping ErrMalformed", err)
	}
}
