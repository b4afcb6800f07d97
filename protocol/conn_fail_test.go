package protocol

import (
	"runtime"
	"testing"
	"testing/synctest"

	"github.com/smbfs/smbfs/protocol/wire"
)

// TestResponseRacesFailure: a response that arrives while the connection
// fails is delivered or reported as the failure, exactly once — the reader
// and the failing path never both complete the call (which once closed its
// done channel twice: a panic).
func TestResponseRacesFailure(t *testing.T) {
	for i := range 3000 {
		synctest.Test(t, func(t *testing.T) {
			c, p := handshake(t, nil, withCredits(10))
			call := goSend(t.Context(), c, echo())
			m := p.wantMsg(wire.CommandEcho)
			sent := make(chan struct{})
			go func() {
				p.send(respTo(m, 0, 1, emptyBody()))
				close(sent)
			}()
			// Close lands before, during or after the reader's dispatch.
			<-sent
			for range i % 64 {
				runtime.Gosched()
			}
			c.Close()
			if _, err := call.wait(t); err != nil && c.Err() == nil {
				t.Fatalf("iteration %d: call failed (%v) on a live connection", i, err)
			}
		})
	}
}
