package protocol

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/smbfs/smbfs/protocol/wire"
)

// readData decodes the data of a READ response.
func readData(t *testing.T, r *Response) string {
	t.Helper()
	var rr wire.ReadResponse
	if err := r.Decode(&rr); err != nil {
		t.Fatalf("READ response: %v", err)
	}
	return string(rr.Data)
}

// TestRoutingOutOfOrder answers concurrent requests in reverse order; each
// caller must get its own response.
func TestRoutingOutOfOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
		const n = 5
		var calls []*async[[]*Response]
		for i := range n {
			calls = append(calls, goSend(t.Context(), c, &Request{Body: &wire.ReadRequest{Length: 100, Offset: uint64(i)}}))
		}
		frames := p.drain()
		if len(frames) != n {
			t.Fatalf("%d frames, want %d", len(frames), n)
		}
		for i := n - 1; i >= 0; i-- {
			m := frames[i].msgs[0]
			off := le64(m.msg[wire.HeaderSize+8:])
			p.send(respTo(m, 0, 1, readBody(fmt.Appendf(nil, "offset %d", off))))
		}
		for i, call := range calls {
			resps, err := call.wait(t)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := readData(t, resps[0]), fmt.Sprintf("offset %d", i); got != want {
				t.Errorf("call %d got %q, want %q", i, got, want)
			}
		}
	})
}

// le64 reads a little-endian uint64.
func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// compoundReqs is a related CREATE, READ, CLOSE chain
// (MS-SMB2 3.2.4.1.4).
func compoundReqs(s *Session, treeID uint32) []*Request {
	bodies := []wire.Request{
		&wire.CreateRequest{Name: "dir\\f.txt", DesiredAccess: wire.FileReadData, CreateDisposition: wire.FileOpen},
		&wire.ReadRequest{Length: 4096, FileID: wire.RelatedFileID},
		&wire.CloseRequest{FileID: wire.RelatedFileID},
	}
	reqs := make([]*Request, len(bodies))
	for i, b := range bodies {
		reqs[i] = &Request{Body: b, Session: s, TreeID: treeID, Related: i > 0}
		if s != nil {
			reqs[i].Encrypt = s.encryptData
		}
	}
	return reqs
}

// checkCompound checks the shape of a compound request frame: parts in
// order, consecutive MessageIds, 8-byte aligned, the related flag on all but
// the first (MS-SMB2 3.2.4.1.4).
func checkCompound(t *testing.T, f *inFrame, cmds ...wire.Command) {
	t.Helper()
	if len(f.msgs) != len(cmds) {
		t.Fatalf("compound of %d messages, want %d", len(f.msgs), len(cmds))
	}
	for i, m := range f.msgs {
		if m.Command != cmds[i] {
			t.Errorf("part %d is %v, want %v", i, m.Command, cmds[i])
		}
		if i > 0 && m.MessageID != f.msgs[i-1].MessageID+1 {
			t.Errorf("part %d MessageId %d after %d", i, m.MessageID, f.msgs[i-1].MessageID)
		}
		related := m.Flags&wire.FlagRelatedOperations != 0
		if related != (i > 0) {
			t.Errorf("part %d related flag %v", i, related)
		}
		last := i == len(f.msgs)-1
		if !last && (m.NextCommand == 0 || m.NextCommand%8 != 0 || int(m.NextCommand) != len(m.msg)) {
			t.Errorf("part %d NextCommand %d for %d bytes", i, m.NextCommand, len(m.msg))
		}
		if last && m.NextCommand != 0 {
			t.Errorf("last part NextCommand %d", m.NextCommand)
		}
	}
	// Only the last part asks for the credits that refill the balance.
	for i, m := range f.msgs[:len(f.msgs)-1] {
		if m.Credits != 1 {
			t.Errorf("part %d asks for %d credits, want its charge 1", i, m.Credits)
		}
	}
}

// TestCompoundResponses answers a compound chain as one frame and as
// separate frames in reverse order; both must complete the exchange with
// the responses in request order.
func TestCompoundResponses(t *testing.T) {
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprintf("split=%v", split), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
				call := goSend(t.Context(), c, compoundReqs(nil, 7)...)
				f := p.wantFrame()
				checkCompound(t, f, wire.CommandCreate, wire.CommandRead, wire.CommandClose)
				parts := []outMsg{
					respTo(f.msgs[0], 0, 1, errorBody()),
					respTo(f.msgs[1], 0, 1, readBody([]byte("contents"))),
					respTo(f.msgs[2], wire.StatusFileClosed, 1, errorBody()),
				}
				if split {
					p.send(parts[2])
					call.wantBlocked(t)
					p.send(parts[1])
					call.wantBlocked(t)
					p.send(parts[0])
				} else {
					p.send(parts...)
				}
				resps, err := call.wait(t)
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range resps {
					if r.Header.MessageID != f.msgs[i].MessageID || r.Header.Command != f.msgs[i].Command {
						t.Errorf("response %d is %v id %d", i, r.Header.Command, r.Header.MessageID)
					}
				}
				if readData(t, resps[1]) != "contents" || !errors.Is(resps[2].Err(), wire.StatusFileClosed) {
					t.Errorf("responses carry the wrong bodies or statuses")
				}
			})
		})
	}
}

// TestCompoundPartialChain answers two parts of a three-part chain in one
// frame: a server may answer parts separately (MS-SMB2 3.3.4.1.3), so the
// client keeps waiting for the third rather than failing.
func TestCompoundPartialChain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
		call := goSend(t.Context(), c, compoundReqs(nil, 7)...)
		f := p.wantFrame()
		p.send(respTo(f.msgs[0], 0, 1, errorBody()), respTo(f.msgs[1], 0, 1, readBody(nil)))
		call.wantBlocked(t)
		p.send(interim(f.msgs[2], 9, 1))
		call.wantBlocked(t)
		p.send(respTo(f.msgs[2], 0, 1, errorBody()).async(9))
		if _, err := call.wait(t); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMalformedResponseChain checks that a response chain that does not
// split into whole SMB2 messages fails the connection and every waiter with
// a ConnectionError.
func TestMalformedResponseChain(t *testing.T) {
	tests := []struct {
		name   string
		mangle func(chain []byte, f *inFrame) []byte
	}{
		{"NextCommand past the end", func(b []byte, f *inFrame) []byte {
			wire.SetNextCommand(b, uint32(len(b)+8))
			return b
		}},
		{"NextCommand inside the header", func(b []byte, f *inFrame) []byte {
			wire.SetNextCommand(b, 32)
			return b
		}},
		{"chain cut inside the second header", func(b []byte, f *inFrame) []byte {
			next := le32(b[20:])
			return b[:next+40]
		}},
		{"last part promises another", func(b []byte, f *inFrame) []byte {
			next := le32(b[20:])
			next2 := le32(b[next+20:])
			wire.SetNextCommand(b[next+next2:], 80)
			return b
		}},
		{"second part not SMB2", func(b []byte, f *inFrame) []byte {
			next := le32(b[20:])
			b[next] = 0xFD
			return b
		}},
		{"message shorter than a header", func(b []byte, f *inFrame) []byte {
			return b[:40]
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
				other := goSend(t.Context(), c, echo())
				p.wantMsg(wire.CommandEcho)
				call := goSend(t.Context(), c, compoundReqs(nil, 7)...)
				f := p.wantFrame()
				chain := p.chain(respTo(f.msgs[0], 0, 1, errorBody()), respTo(f.msgs[1], 0, 1, readBody(nil)), respTo(f.msgs[2], 0, 1, errorBody()))
				p.writeFrame(tc.mangle(chain, f))
				_, err := call.wait(t)
				wantConnError(t, err, wire.ErrMalformed)
				_, err = other.wait(t)
				wantConnError(t, err, wire.ErrMalformed)
				wantConnError(t, c.Err(), wire.ErrMalformed)
				p.wantHangup()
			})
		})
	}
}

// le32 reads a little-endian uint32.
func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// TestIgnoredResponses checks that an unsolicited oplock break and a
// response for an unknown MessageId are dropped without harm.
func TestIgnoredResponses(t *testing.T) {
	tests := []struct {
		name string
		msg  outMsg
	}{
		{"oplock break", outMsg{h: wire.Header{Command: wire.CommandOplockBreak, Flags: wire.FlagServerToRedir, MessageID: ^uint64(0)},
			body: append([]byte{24, 0, 1, 0, 0, 0, 0, 0}, make([]byte, 16)...)}},
		{"unknown MessageId", outMsg{h: wire.Header{Command: wire.CommandRead, Flags: wire.FlagServerToRedir, MessageID: 999}, body: readBody([]byte("stray"))}},
		{"duplicate of an answered request", outMsg{h: wire.Header{Command: wire.CommandEcho, Flags: wire.FlagServerToRedir, MessageID: 1}, body: emptyBody()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
				first := goSend(t.Context(), c, echo())
				p.send(respTo(p.wantMsg(wire.CommandEcho), 0, 1, emptyBody()))
				if _, err := first.wait(t); err != nil {
					t.Fatal(err)
				}
				call := goSend(t.Context(), c, &Request{Body: &wire.ReadRequest{Length: 10}})
				m := p.wantMsg(wire.CommandRead)
				p.send(tc.msg)
				call.wantBlocked(t)
				if err := c.Err(); err != nil {
					t.Fatalf("connection failed: %v", err)
				}
				p.send(respTo(m, 0, 1, readBody([]byte("mine"))))
				resps, err := call.wait(t)
				if err != nil {
					t.Fatal(err)
				}
				if got := readData(t, resps[0]); got != "mine" {
					t.Errorf("got %q, want %q", got, "mine")
				}
			})
		})
	}
}

// TestRequestFromServer checks that a message without SERVER_TO_REDIR, a
// request travelling the wrong way, fails the connection.
func TestRequestFromServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
		call := goSend(t.Context(), c, echo())
		m := p.wantMsg(wire.CommandEcho)
		r := respTo(m, 0, 1, emptyBody())
		r.h.Flags &^= wire.FlagServerToRedir
		p.send(r)
		_, err := call.wait(t)
		wantConnError(t, err, wire.ErrMalformed)
		_, err = c.Send(t.Context(), echo())
		wantConnError(t, err, wire.ErrMalformed)
		p.wantHangup()
	})
}
