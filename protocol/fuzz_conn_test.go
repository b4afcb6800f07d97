package protocol

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/smbfs/smbfs/protocol/wire"
)

// FuzzServerFrames plays a malicious server: after a real handshake and a
// signed, encrypted-capable session, the client sends an ECHO and the
// server answers with arbitrary bytes. Whatever they are, the client must
// neither panic nor hang: the request ends with a response, an error, or
// (in the fake time of the bubble) a timeout.
func FuzzServerFrames(f *testing.F) {
	good := func(frame []byte) []byte { return append(wire.AppendFramePrefix(nil, len(frame)), frame...) }
	echoResp := (&wire.Header{Command: wire.CommandEcho, Flags: wire.FlagServerToRedir, MessageID: 3, Credits: 1}).Encode(nil)
	echoResp = append(echoResp, emptyBody()...)
	f.Add(good(echoResp))
	f.Add(good([]byte{0xFD, 'S', 'M', 'B'}))
	f.Add(good(compressMessage(append(make([]byte, 112), compressibleData()...), 112, true, true)))
	f.Add([]byte{0, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0xFF, 'S', 'M', 'B'})
	f.Fuzz(func(t *testing.T, raw []byte) {
		synctest.Test(t, func(t *testing.T) {
			c, p := handshake(t, &Config{CreditWait: 1e9}, compressionNeg(true))
			s := p.session(c, sessOpts{})
			call := goSend(context.Background(), c, s.Request(&wire.EchoRequest{}))
			p.wantMsg(wire.CommandEcho)
			p.writeRaw(raw)
			p.nc.Close() // then hang up, so a partial frame ends too
			call.wait(t)
		})
	})
}
