package protocol

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"

	"github.com/smbfs/smbfs/protocol/wire"
)

// TestFrameLimits checks that a frame the client must not accept fails the
// connection from its 4-byte prefix alone: the test sends no payload, so a
// client that tried to read (or allocate) it would block instead.
func TestFrameLimits(t *testing.T) {
	// MaxRead, MaxWrite and MaxTransact of 64 KiB make the limit 128 KiB.
	const limit = 128 << 10
	tests := []struct {
		name   string
		prefix []byte
	}{
		{"one byte over the limit", []byte{0, 0x02, 0x00, 0x01}},
		{"largest 24-bit length", []byte{0, 0xFF, 0xFF, 0xFF}},
		{"non-zero first byte", []byte{0x01, 0, 0, 0x40}},
		{"NetBIOS keep-alive", []byte{0x85, 0, 0, 0}},
		{"shorter than a protocol id", []byte{0, 0, 0, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := defaultNeg(wire.Dialect311)
				n.maxRead, n.maxWrite, n.maxTransact = 64<<10, 64<<10, 64<<10
				c, p := handshake(t, nil, n)
				if got := c.frameLimit.Load(); got != limit {
					t.Fatalf("frame limit %d, want %d", got, limit)
				}
				call := goSend(t.Context(), c, echo())
				p.wantMsg(wire.CommandEcho)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				p.writeRaw(tc.prefix)
				_, err := call.wait(t)
				runtime.ReadMemStats(&after)
				wantConnError(t, err, wire.ErrMalformed)
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
					t.Errorf("client allocated %d bytes for a refused frame", grew)
				}
				p.wantHangup()
			})
		})
	}
}

// TestFrameAtLimit checks that the largest legitimate response, a READ of
// MaxReadSize bytes, passes the limit.
func TestFrameAtLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := defaultNeg(wire.Dialect311)
		n.maxRead, n.maxWrite, n.maxTransact = 64<<10, 64<<10, 64<<10
		c, p := handshake(t, nil, n)
		call := goSend(t.Context(), c, &Request{Body: &wire.ReadRequest{Length: 64 << 10}})
		m := p.wantMsg(wire.CommandRead)
		data := make([]byte, 64<<10)
		data[len(data)-1] = 0x5A
		p.send(respTo(m, 0, 1, readBody(data)))
		resps, err := call.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		if got := readData(t, resps[0]); len(got) != len(data) || got[len(got)-1] != 0x5A {
			t.Errorf("READ returned %d bytes", len(got))
		}
	})
}

// TestFrameLimitBeforeNegotiate checks the 1 MiB limit that holds until the
// server's sizes are known.
func TestFrameLimitBeforeNegotiate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cli, p := newPeer(t)
		res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, nil) })
		p.wantMsg(wire.CommandNegotiate)
		p.writeRaw([]byte{0, 0x10, 0x00, 0x01}) // 1 MiB + 1
		_, err := res.wait(t)
		if !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("error %v, want ErrMalformed", err)
		}
		p.wantHangup()
	})
}

// TestFrameKinds checks frames whose protocol id the client cannot handle.
func TestFrameKinds(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    error
	}{
		{"compressed", append([]byte{0xFC, 'S', 'M', 'B'}, make([]byte, 60)...), nil},
		{"unknown protocol id", append([]byte{0xFE, 'S', 'M', 'X'}, make([]byte, 60)...), wire.ErrMalformed},
		{"SMB1 after negotiate", append([]byte{0xFF, 'S', 'M', 'B'}, make([]byte, 60)...), ErrNotSMB2},
		{"transform without a session", append([]byte{0xFD, 'S', 'M', 'B'}, make([]byte, 80)...), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, defaultNeg(wire.Dialect311))
				call := goSend(t.Context(), c, echo())
				p.wantMsg(wire.CommandEcho)
				p.writeFrame(tc.payload)
				_, err := call.wait(t)
				wantConnError(t, err, tc.want)
				p.wantHangup()
			})
		})
	}
}
