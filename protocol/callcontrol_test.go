package protocol

import (
	"testing"
	"testing/synctest"

	"github.com/smbfs/smbfs/protocol/wire"
)

// TestCallCancel checks Call.Acknowledged and Call.Cancel: CANCEL names the
// request by MessageId before its interim response and by AsyncId after,
// and Wait still collects the final response — the STATUS_CANCELLED, or
// the result of a request that finished first.
func TestCallCancel(t *testing.T) {
	cases := []struct {
		name    string
		interim bool
		final   wire.Status
	}{
		{"before interim", false, wire.StatusCancelled},
		{"after interim", true, wire.StatusCancelled},
		{"raced by the result", true, wire.StatusSuccess},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conn, p := handshake(t, nil, withCredits(10))
				call, err := conn.Start(t.Context(), nil, notify(5))
				if err != nil {
					t.Fatal(err)
				}
				m := p.wantMsg(wire.CommandChangeNotify)
				if call.Acknowledged() {
					t.Error("Acknowledged before any response")
				}
				const asyncID = 0x1234_5678
				if c.interim {
					p.send(interim(m, asyncID, 1))
					synctest.Wait()
					if !call.Acknowledged() {
						t.Error("not Acknowledged after the interim response")
					}
				}
				if err := call.Cancel(); err != nil {
					t.Fatal(err)
				}
				cm := p.wantMsg(wire.CommandCancel)
				if cm.MessageID != m.MessageID {
					t.Errorf("CANCEL MessageId %d, want %d", cm.MessageID, m.MessageID)
				}
				if c.interim != cm.IsAsync() || (c.interim && cm.AsyncID != asyncID) {
					t.Errorf("CANCEL async %v AsyncId %#x, want async %v with %#x", cm.IsAsync(), cm.AsyncID, c.interim, asyncID)
				}
				wait := goAsync(func() ([]*Response, error) { return call.Wait(t.Context()) })
				wait.wantBlocked(t)                         // Cancel did not abandon the call
				final := respTo(m, c.final, 1, errorBody()) // the body is not decoded here
				if c.interim {
					final = final.async(asyncID)
				}
				p.send(final)
				resps, err := wait.wait(t)
				if err != nil {
					t.Fatalf("Wait: %v", err)
				}
				if got := resps[0].Header.Status; got != c.final {
					t.Errorf("status %v, want %v", got, c.final)
				}
				if !call.Acknowledged() {
					t.Error("not Acknowledged after the final response")
				}
				// Cancelling a finished call sends nothing.
				if err := call.Cancel(); err != nil {
					t.Fatal(err)
				}
				p.wantNoFrame()
			})
		})
	}
}
