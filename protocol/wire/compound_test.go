package wire

import (
	"bytes"
	"testing"
)

// coreChain builds a compound response chain the way MS-SMB2 3.3.4.1.3
// describes it: each message but the last padded to 8 bytes, its
// NextCommand the padded length, the last with NextCommand 0.
func coreChain(msgs ...[]byte) []byte {
	var chain []byte
	for i, m := range msgs {
		m = bytes.Clone(m)
		if i < len(msgs)-1 {
			m = PadForCompound(m)
			SetNextCommand(m, uint32(len(m)))
			SetFlags(m, Flags(m)|FlagRelatedOperations)
		}
		chain = append(chain, m...)
	}
	return chain
}

func TestNextMessage(t *testing.T) {
	read := coreResponse(CommandRead, coreHex(t, `11 00 50 00 05000000 00000000 00000000 68656C6C6F`)) // 85 bytes
	closeResp := coreResponse(CommandClose, coreHex(t, coreCloseResponseHex))                          // 124 bytes
	echo := coreResponse(CommandEcho, []byte{4, 0, 0, 0})                                              // 68 bytes
	chain := coreChain(read, closeResp, echo)
	if len(chain) != 88+128+68 {
		t.Fatalf("chain is %d bytes", len(chain))
	}

	wantLens := []int{88, 128, 68}
	wantCmds := []Command{CommandRead, CommandClose, CommandEcho}
	rest := chain
	for i := range wantLens {
		msg, r, err := NextMessage(rest)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		// A non-final part is capped, so appending to it cannot clobber
		// the next one.
		last := i == len(wantLens)-1
		if len(msg) != wantLens[i] || (!last && cap(msg) != len(msg)) || !coreWithin(chain, msg) {
			t.Fatalf("message %d: %d bytes (cap %d), want %d", i, len(msg), cap(msg), wantLens[i])
		}
		h, err := DecodeHeader(msg)
		if err != nil || h.Command != wantCmds[i] {
			t.Fatalf("message %d: header %+v, %v", i, h, err)
		}
		rest = r
	}
	if rest != nil {
		t.Fatalf("rest after the last message = % X, want nil", rest)
	}

	// Each part still decodes: the padding belongs to the message.
	msg, rest, _ := NextMessage(chain)
	var rr ReadResponse
	if err := rr.Decode(msg); err != nil || string(rr.Data) != "hello" {
		t.Fatalf("first part: %q, %v", rr.Data, err)
	}
	if !bytes.Equal(msg[85:], []byte{0, 0, 0}) {
		t.Fatalf("padding = % X", msg[85:])
	}
	msg, _, _ = NextMessage(rest)
	var cr CloseResponse
	if err := cr.Decode(msg); err != nil || cr.EndOfFile != 4097 {
		t.Fatalf("second part: %+v, %v", cr, err)
	}

	t.Run("single message", func(t *testing.T) {
		msg, rest, err := NextMessage(echo)
		if err != nil || !bytes.Equal(msg, echo) || rest != nil {
			t.Fatalf("NextMessage = % X, % X, %v", msg, rest, err)
		}
	})
	t.Run("bare header", func(t *testing.T) {
		msg, rest, err := NextMessage(echo[:HeaderSize])
		if err != nil || len(msg) != HeaderSize || rest != nil {
			t.Fatalf("NextMessage = %d bytes, % X, %v", len(msg), rest, err)
		}
	})
	t.Run("next message exactly a header", func(t *testing.T) {
		c := coreChain(read, echo[:HeaderSize])
		msg, rest, err := NextMessage(c)
		if err != nil || len(msg) != 88 || len(rest) != HeaderSize {
			t.Fatalf("NextMessage = %d bytes, %d rest, %v", len(msg), len(rest), err)
		}
	})
}

func TestNextMessageMalformed(t *testing.T) {
	read := coreResponse(CommandRead, coreHex(t, `11 00 50 00 05000000 00000000 00000000 68656C6C6F`))
	echo := coreResponse(CommandEcho, []byte{4, 0, 0, 0})
	chain := coreChain(read, echo) // 88 + 68 bytes
	withNext := func(next uint32) []byte {
		c := bytes.Clone(chain)
		SetNextCommand(c, next)
		return c
	}
	tests := []struct {
		name  string
		chain []byte
	}{
		{"empty", nil},
		{"short of a header", echo[:HeaderSize-1]},
		{"transform header inside a chain", append([]byte{0xFD}, echo[1:]...)},
		{"SMB1", append([]byte{0xFF}, echo[1:]...)},
		{"NextCommand 1", withNext(1)},
		{"NextCommand 63, inside the header", withNext(63)},
		{"NextCommand beyond the chain", withNext(uint32(len(chain) + 8))},
		{"NextCommand 0xFFFFFFFF", withNext(0xFFFFFFFF)},
		// The last message must carry NextCommand 0 (MS-SMB2 2.2.1.1); a
		// non-zero one at or near the end means the chain was cut.
		{"NextCommand at the end of the chain", withNext(uint32(len(chain)))},
		{"NextCommand leaving less than a header", withNext(uint32(len(chain) - HeaderSize + 1))},
		{"chain cut inside the second header", chain[:88+HeaderSize-1]},
		{"chain cut right after the first message", chain[:88]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, rest, err := NextMessage(tt.chain)
			coreWantMalformed(t, err)
			if msg != nil || rest != nil {
				t.Fatal("slices returned with an error")
			}
		})
	}

	// A bad link later in the chain is reported when that message is split.
	bad := coreChain(read, read, echo)
	SetNextCommand(bad[88:], 0xFFFF)
	_, rest, err := NextMessage(bad)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = NextMessage(rest)
	coreWantMalformed(t, err)
}

func TestPadForCompound(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 64, 85, 124, 127, 128} {
		msg := bytes.Repeat([]byte{0xEE}, n)
		got := PadForCompound(bytes.Clone(msg))
		want := (n + 7) / 8 * 8
		if len(got) != want || !bytes.Equal(got[:n], msg) || bytes.IndexByte(got[n:], 0xEE) >= 0 {
			t.Errorf("PadForCompound(%d bytes) = % X", n, got)
		}
	}
}
