package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// Helpers shared by the tests of the core messages (header, framing,
// NEGOTIATE through WRITE, errors, compounding, UTF-16).

// coreHex decodes a hex dump laid out one field per line, so expected bytes
// can be written down next to the MS-SMB2 field tables: text after "//" is a
// comment and whitespace is ignored.
func coreHex(t testing.TB, dump string) []byte {
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

// coreRequestHeader returns the sync header the encode tests put in front
// of a request body; the header itself is checked by TestHeaderEncode.
func coreRequestHeader(cmd Command) []byte {
	h := Header{CreditCharge: 1, Command: cmd, Credits: 31, MessageID: 7, TreeID: 5, SessionID: 0x0000100000000019}
	return h.Encode(nil)
}

// coreResponse returns a sync response header for cmd followed by body.
func coreResponse(cmd Command, body []byte) []byte {
	h := Header{Command: cmd, Credits: 1, Flags: FlagServerToRedir, MessageID: 7, TreeID: 5, SessionID: 0x0000100000000019}
	return append(h.Encode(nil), body...)
}

// coreEncode encodes req behind coreRequestHeader and returns the whole
// message. It encodes req a second time behind unrelated bytes of an odd
// length, as a later part of a compound chain or a frame prefix would be,
// and fails unless the message is the same: every offset and every padding
// in SMB2 counts from the message's own header (MS-SMB2 2.2.1, 3.2.4.1.4).
func coreEncode(t *testing.T, req Request) []byte {
	t.Helper()
	hdr := coreRequestHeader(req.Command())
	msg := req.Encode(bytes.Clone(hdr))
	if !bytes.Equal(msg[:HeaderSize], hdr) {
		t.Fatalf("%v Encode changed the header", req.Command())
	}
	prefix := bytes.Repeat([]byte{0xEE}, 44+3)
	chained := req.Encode(append(bytes.Clone(prefix), hdr...))
	if !bytes.Equal(chained[:len(prefix)], prefix) {
		t.Fatalf("%v Encode changed the bytes before the header", req.Command())
	}
	if got := chained[len(prefix):]; !bytes.Equal(got, msg) {
		t.Fatalf("%v Encode depends on where the header starts:\nalone   % x\nbehind  % x", req.Command(), msg, got)
	}
	return msg
}

// coreCheckBody compares the body of msg with want and reports the first
// differing offset counted from the header, as MS-SMB2 counts offsets.
func coreCheckBody(t *testing.T, msg, want []byte) {
	t.Helper()
	got := msg[HeaderSize:]
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Fatalf("body differs at message offset %d (body offset %d), len %d want %d\ngot  % x\nwant % x",
		HeaderSize+i, i, len(got), len(want), got, want)
}

// coreWantMalformed fails unless err wraps ErrMalformed.
func coreWantMalformed(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error, want one wrapping ErrMalformed")
	}
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("error = %v, want one wrapping ErrMalformed", err)
	}
}

// coreWithin reports whether inner lies inside outer's bytes (an empty
// inner always does). Decoders promise their slices alias the message they
// were given; a slice pointing anywhere else would mean a copy at best or a
// read past the end at worst.
func coreWithin(outer, inner []byte) bool {
	if len(inner) == 0 {
		return true
	}
	o := uintptr(unsafe.Pointer(unsafe.SliceData(outer)))
	i := uintptr(unsafe.Pointer(unsafe.SliceData(inner)))
	return i >= o && i+uintptr(len(inner)) <= o+uintptr(len(outer))
}

// coreCheckAlias fails unless b lies within msg and has no spare capacity,
// so an append by the caller cannot overwrite the message after it.
func coreCheckAlias(t *testing.T, what string, msg, b []byte) {
	t.Helper()
	if !coreWithin(msg, b) {
		t.Fatalf("%s (%d bytes) does not lie within the %d-byte input", what, len(b), len(msg))
	}
	if len(b) > 0 && cap(b) != len(b) {
		t.Fatalf("%s has capacity %d beyond its length %d", what, cap(b), len(b))
	}
}

// coreTruncations returns msg cut at a few lengths that straddle the fixed
// parts of a message: nothing, inside the header, the bare header, inside
// the body, and one byte short.
func coreTruncations(msg []byte) [][]byte {
	var out [][]byte
	for _, n := range []int{0, 1, 4, HeaderSize - 1, HeaderSize, HeaderSize + 1, HeaderSize + 2, HeaderSize + 8, len(msg) / 2, len(msg) - 1} {
		if n >= 0 && n < len(msg) {
			out = append(out, msg[:n:n])
		}
	}
	return out
}

// coreSeq returns n bytes counting up from start, for recognisable GUIDs,
// salts and payloads.
func coreSeq(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}
