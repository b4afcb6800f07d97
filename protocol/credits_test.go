package protocol

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// withCredits is a 3.1.1 NEGOTIATE response granting n credits.
func withCredits(n uint16) negResp {
	r := defaultNeg(wire.Dialect311)
	r.credits = n
	return r
}

// TestCreditsBoundOutstanding scripts a server that grants exactly what it
// wants outstanding and checks the client never exceeds it (MS-SMB2
// 3.2.4.1.5, 3.2.5.1.4).
func TestCreditsBoundOutstanding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(3))
		var calls []*async[[]*Response]
		for range 6 {
			calls = append(calls, goSend(t.Context(), c, echo()))
		}
		granted, answered := 3, 0
		var outstanding []inMsg
		take := func(want int) {
			t.Helper()
			frames := p.drain()
			if len(frames) != want {
				t.Fatalf("client sent %d requests, want %d (granted %d, answered %d)", len(frames), want, granted, answered)
			}
			for _, f := range frames {
				outstanding = append(outstanding, f.msgs...)
			}
			if len(outstanding)+answered > granted {
				t.Fatalf("%d requests sent with %d credits granted", len(outstanding)+answered, granted)
			}
		}
		answer := func(credits uint16) {
			m := outstanding[0]
			outstanding = outstanding[1:]
			p.send(respTo(m, 0, credits, emptyBody()))
			granted += int(credits)
			answered++
		}
		take(3)
		answer(1) // one credit back: one more request
		take(1)
		answer(0) // none back: the client must wait
		take(0)
		answer(2) // two back: the remaining two go out
		take(2)
		for len(outstanding) > 0 {
			answer(1)
		}
		var ids []uint64
		for i, call := range calls {
			resps, err := call.wait(t)
			if err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
			ids = append(ids, resps[0].Header.MessageID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []uint64{1, 2, 3, 4, 5, 6}) {
			t.Errorf("MessageIds %v, want 1..6", ids)
		}
		if credits, inFlight := creditState(c); credits != 3 || inFlight != 0 {
			t.Errorf("balance %d in flight %d, want 3 and 0", credits, inFlight)
		}
	})
}

// TestCreditRequestTracksTarget checks the CreditRequest the client sends:
// enough to bring its balance back to Config.CreditTarget, and just the
// charge when it has plenty.
func TestCreditRequestTracksTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, &Config{CreditTarget: 8}, withCredits(3))
		call := goSend(t.Context(), c, echo())
		m := p.wantMsg(wire.CommandEcho)
		// Balance 3, charge 1: asks for its own credit and 5 more, so that
		// granting it all leaves 8.
		if m.Credits != 6 {
			t.Errorf("CreditRequest %d, want 6", m.Credits)
		}
		// A second request while the first is in flight: balance 2, one
		// credit in flight, so it too asks for 1 + 5.
		call2 := goSend(t.Context(), c, echo())
		m2 := p.wantMsg(wire.CommandEcho)
		if m2.Credits != 6 {
			t.Errorf("CreditRequest %d with one request in flight, want 6", m2.Credits)
		}
		p.send(respTo(m2, 0, 1, emptyBody()))
		call2.wait(t)
		p.send(respTo(m, 0, m.Credits, emptyBody()))
		call.wait(t)
		if credits, _ := creditState(c); credits != 8 {
			t.Errorf("balance %d after the grant, want the target 8", credits)
		}
		call = goSend(t.Context(), c, echo())
		m = p.wantMsg(wire.CommandEcho)
		if m.Credits != 1 {
			t.Errorf("CreditRequest %d at the target, want 1", m.Credits)
		}
		p.send(respTo(m, 0, 1, emptyBody()))
		call.wait(t)
	})
}

// TestCreditCharge checks CreditCharge and MessageId consumption of
// multi-credit requests (MS-SMB2 3.1.5.2, 3.2.4.1.5).
func TestCreditCharge(t *testing.T) {
	tests := []struct {
		name string
		body wire.Request
		want uint16
	}{
		{"READ 1 MiB", &wire.ReadRequest{Length: 1 << 20}, 16},
		{"READ 64 KiB", &wire.ReadRequest{Length: 65536}, 1},
		{"READ 64 KiB + 1", &wire.ReadRequest{Length: 65537}, 2},
		{"READ 0", &wire.ReadRequest{}, 1},
		{"READ 8 MiB", &wire.ReadRequest{Length: 8 << 20}, 128},
		{"WRITE 1 MiB", &wire.WriteRequest{Data: make([]byte, 1<<20)}, 16},
		{"WRITE 100", &wire.WriteRequest{Data: make([]byte, 100)}, 1},
		{"IOCTL 200 KiB out", &wire.IoctlRequest{MaxOutputResponse: 200 << 10}, 4},
		{"ECHO", &wire.EchoRequest{}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, withCredits(512))
				call := goSend(t.Context(), c, &Request{Body: tc.body})
				m := p.wantMsg(tc.body.Command())
				if m.CreditCharge != tc.want {
					t.Errorf("CreditCharge %d, want %d", m.CreditCharge, tc.want)
				}
				if m.Credits < tc.want {
					t.Errorf("CreditRequest %d below the charge %d", m.Credits, tc.want)
				}
				if _, inFlight := creditState(c); inFlight != int(tc.want) {
					t.Errorf("%d credits in flight, want %d", inFlight, tc.want)
				}
				// The request used MessageIds m.MessageID .. +charge-1.
				next := goSend(t.Context(), c, echo())
				e := p.wantMsg(wire.CommandEcho)
				if e.MessageID != m.MessageID+uint64(tc.want) {
					t.Errorf("next MessageId %d after %d with charge %d", e.MessageID, m.MessageID, tc.want)
				}
				p.send(respTo(e, 0, 1, emptyBody()))
				p.send(respTo(m, 0, tc.want, errorBody()))
				if _, err := call.wait(t); err != nil {
					t.Fatal(err)
				}
				if _, err := next.wait(t); err != nil {
					t.Fatal(err)
				}
				if credits, inFlight := creditState(c); credits != 512 || inFlight != 0 {
					t.Errorf("balance %d in flight %d after all answered, want 512 and 0", credits, inFlight)
				}
			})
		})
	}
}

// TestCreditsBanked checks that grants are banked from every kind of
// response, not just successful final ones (MS-SMB2 3.2.5.1.4).
func TestCreditsBanked(t *testing.T) {
	tests := []struct {
		name string
		// grant makes the server give one credit back while the client
		// has none and a second request waits; a is the first request.
		grant func(t *testing.T, p *peer, a inMsg, cancelA context.CancelFunc)
		// wantA checks the first request's result.
		wantA func(t *testing.T, resps []*Response, err error)
	}{
		{
			name: "interim response",
			grant: func(t *testing.T, p *peer, a inMsg, _ context.CancelFunc) {
				p.send(interim(a, 77, 1))
			},
		},
		{
			name: "error response",
			grant: func(t *testing.T, p *peer, a inMsg, _ context.CancelFunc) {
				p.send(respTo(a, wire.StatusAccessDenied, 1, errorBody()))
			},
			wantA: func(t *testing.T, resps []*Response, err error) {
				if err != nil || !errors.Is(resps[0].Err(), wire.StatusAccessDenied) {
					t.Errorf("first request: %v, %v; want STATUS_ACCESS_DENIED", resps, err)
				}
			},
		},
		{
			name: "response to an abandoned request",
			grant: func(t *testing.T, p *peer, a inMsg, cancelA context.CancelFunc) {
				cancelA()
				cm := p.wantMsg(wire.CommandCancel) // CANCEL needs no credit
				if cm.MessageID != a.MessageID {
					t.Errorf("CANCEL for MessageId %d, want %d", cm.MessageID, a.MessageID)
				}
				p.wantNoFrame()
				p.send(respTo(a, wire.StatusCancelled, 1, errorBody()))
			},
			wantA: func(t *testing.T, resps []*Response, err error) {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("first request: %v, want context.Canceled", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, withCredits(1))
				ctxA, cancelA := context.WithCancel(t.Context())
				defer cancelA()
				callA := goSend(ctxA, c, echo())
				a := p.wantMsg(wire.CommandEcho)
				callB := goSend(t.Context(), c, echo())
				p.wantNoFrame() // no credit left
				callB.wantBlocked(t)

				tc.grant(t, p, a, cancelA)
				b := p.wantMsg(wire.CommandEcho)
				if b.MessageID != a.MessageID+1 {
					t.Errorf("second request MessageId %d, want %d", b.MessageID, a.MessageID+1)
				}
				p.send(respTo(b, 0, 1, emptyBody()))
				if _, err := callB.wait(t); err != nil {
					t.Errorf("second request: %v", err)
				}
				if tc.name == "interim response" {
					callA.wantBlocked(t)
					p.send(respTo(a, 0, 1, emptyBody()).async(77))
				}
				resps, err := callA.wait(t)
				if tc.wantA != nil {
					tc.wantA(t, resps, err)
				} else if err != nil {
					t.Errorf("first request: %v", err)
				}
				if err := c.Err(); err != nil {
					t.Errorf("connection failed: %v", err)
				}
			})
		})
	}
}

// TestCreditWaitFails checks that a request that cannot get its credits
// fails with ErrNoCredits after Config.CreditWait rather than going out
// shortened, and that the connection survives.
func TestCreditWaitFails(t *testing.T) {
	tests := []struct {
		name    string
		granted uint16
		busy    bool         // one echo holds a credit and stays unanswered
		body    wire.Request // the request that cannot get credits
	}{
		{"no credit left", 1, true, &wire.EchoRequest{}},
		{"1 MiB READ with 8 credits", 8, false, &wire.ReadRequest{Length: 1 << 20}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const wait = 5 * time.Second
				c, p := handshake(t, &Config{CreditWait: wait, RequestTimeout: time.Hour}, withCredits(tc.granted))
				var busy inMsg
				var busyCall *async[[]*Response]
				if tc.busy {
					busyCall = goSend(t.Context(), c, echo())
					busy = p.wantMsg(wire.CommandEcho)
				}
				start := time.Now()
				call := goSend(t.Context(), c, &Request{Body: tc.body})
				time.Sleep(wait - time.Nanosecond)
				call.wantBlocked(t)
				time.Sleep(time.Nanosecond)
				_, err := call.wait(t)
				if !errors.Is(err, ErrNoCredits) {
					t.Fatalf("error %v, want ErrNoCredits", err)
				}
				if d := time.Since(start); d != wait {
					t.Errorf("failed after %v, want %v", d, wait)
				}
				p.wantNoFrame() // nothing went out, in particular no shorter READ

				// The connection is still usable, and the failed request
				// consumed no MessageId.
				if tc.busy {
					p.send(respTo(busy, 0, 1, emptyBody()))
					busyCall.wait(t)
				}
				call = goSend(t.Context(), c, echo())
				m := p.wantMsg(wire.CommandEcho)
				want := uint64(1) // NEGOTIATE had 0
				if tc.busy {
					want = busy.MessageID + 1
				}
				if m.MessageID != want {
					t.Errorf("next MessageId %d, want %d", m.MessageID, want)
				}
				p.send(respTo(m, 0, 1, emptyBody()))
				if _, err := call.wait(t); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestCreditsNoOverflow has a server grant 65535 credits in every response,
// interim ones included: the balance stays bounded and requests keep
// working.
func TestCreditsNoOverflow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(0xFFFF))
		for i := range 40 {
			call := goSend(t.Context(), c, &Request{Body: &wire.ReadRequest{Length: 1 << 20}})
			m := p.wantMsg(wire.CommandRead)
			if m.CreditCharge != 16 || m.Credits != 16 {
				t.Fatalf("round %d: CreditCharge %d CreditRequest %d, want 16 and 16 (balance above target)", i, m.CreditCharge, m.Credits)
			}
			p.send(interim(m, uint64(i+1), 0xFFFF))
			p.send(respTo(m, 0, 0xFFFF, readBody([]byte("x"))).async(uint64(i + 1)))
			if _, err := call.wait(t); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
			credits, inFlight := creditState(c)
			if credits < 0 || credits > maxCredits || inFlight != 0 {
				t.Fatalf("round %d: balance %d in flight %d", i, credits, inFlight)
			}
		}
		// Unknown and unsolicited responses granting the maximum do not
		// push the balance past the bound either.
		for i := range 10 {
			p.send(outMsg{h: wire.Header{Command: wire.CommandEcho, Credits: 0xFFFF, Flags: wire.FlagServerToRedir, MessageID: uint64(1_000_000 + i)}, body: emptyBody()})
		}
		synctest.Wait()
		if credits, _ := creditState(c); credits != maxCredits {
			t.Errorf("balance %d, want it held at %d", credits, maxCredits)
		}
	})
}

// TestCreditChargeBounded checks that no request can wrap the 16-bit
// CreditCharge: a payload no frame could carry is refused before it
// takes MessageIds.
func TestCreditChargeBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(512))
		bad := goSend(t.Context(), c, &Request{Body: &wire.IoctlRequest{CtlCode: 0x11C017, MaxOutputResponse: 0xFFFFFFFF}})
		for _, f := range p.drain() {
			m := f.msgs[0]
			t.Errorf("IOCTL with a 4 GiB MaxOutputResponse went out: CreditCharge %d, MessageId %d", m.CreditCharge, m.MessageID)
			p.send(respTo(m, wire.StatusInvalidParameter, 1, errorBody()))
		}
		if _, err := bad.wait(t); err == nil {
			t.Error("IOCTL with a 4 GiB MaxOutputResponse succeeded")
		}
		call := goSend(t.Context(), c, echo())
		m := p.wantMsg(wire.CommandEcho)
		if m.MessageID != 1 {
			t.Errorf("MessageId %d after the refused request, want 1", m.MessageID)
		}
		p.send(respTo(m, 0, 1, emptyBody()))
		if _, err := call.wait(t); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDialect202Credits checks 2.0.2: no CreditCharge (MS-SMB2 2.2.1.2) and
// no payload over 64 KiB.
func TestDialect202Credits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := defaultNeg(wire.Dialect202)
		n.caps = wire.CapLargeMTU // meaningless for 2.0.2
		c, p := handshake(t, &Config{MaxDialect: wire.Dialect202}, n)
		call := goSend(t.Context(), c, &Request{Body: &wire.ReadRequest{Length: 65536}})
		m := p.wantMsg(wire.CommandRead)
		if m.CreditCharge != 0 {
			t.Errorf("2.0.2 READ with CreditCharge %d, want 0", m.CreditCharge)
		}
		p.send(respTo(m, 0, 1, readBody([]byte("data"))))
		if _, err := call.wait(t); err != nil {
			t.Fatal(err)
		}
		for _, body := range []wire.Request{
			&wire.ReadRequest{Length: 65537},
			&wire.WriteRequest{Data: make([]byte, 65537)},
			&wire.IoctlRequest{MaxOutputResponse: 65537},
		} {
			_, err := c.Send(t.Context(), &Request{Body: body})
			if err == nil || !strings.Contains(err.Error(), "65536") && !strings.Contains(err.Error(), "multi-credit") {
				t.Errorf("%v of more than 64 KiB: error %v, want a refusal", body.Command(), err)
			}
		}
		p.wantNoFrame()
	})
}
