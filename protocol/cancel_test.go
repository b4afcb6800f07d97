package protocol

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// notify is a CHANGE_NOTIFY, the typical long-pending request.
func notify(treeID uint32) *Request {
	return &Request{Body: &wire.ChangeNotifyRequest{OutputBufferLength: 4096, FileID: wire.FileID{Persistent: 1, Volatile: 2}}, TreeID: treeID}
}

// TestCancel checks SMB2 CANCEL (MS-SMB2 3.2.4.24): sent when the caller's
// context ends, naming the request by AsyncId once an interim response gave
// one and by MessageId before; it consumes no credit and no MessageId; the
// late final response still banks its credits.
func TestCancel(t *testing.T) {
	for _, withInterim := range []bool{true, false} {
		name := "before interim"
		if withInterim {
			name = "after interim"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, withCredits(10))
				ctx, cancel := context.WithCancel(t.Context())
				call := goSend(ctx, c, notify(5))
				m := p.wantMsg(wire.CommandChangeNotify)
				const asyncID = 0x0000_00AB_CDEF_0123
				if withInterim {
					p.send(interim(m, asyncID, 1))
					call.wantBlocked(t)
				}
				credits, _ := creditState(c)

				cancel()
				if _, err := call.wait(t); !errors.Is(err, context.Canceled) {
					t.Fatalf("error %v, want context.Canceled", err)
				}
				cm := p.wantMsg(wire.CommandCancel)
				if cm.MessageID != m.MessageID {
					t.Errorf("CANCEL MessageId %d, want %d", cm.MessageID, m.MessageID)
				}
				if withInterim {
					if !cm.IsAsync() || cm.AsyncID != asyncID {
						t.Errorf("CANCEL flags %#x AsyncId %#x, want async form with %#x", cm.Flags, cm.AsyncID, uint64(asyncID))
					}
				} else if cm.IsAsync() || cm.TreeID != 5 {
					t.Errorf("CANCEL flags %#x TreeId %d, want sync form on tree 5", cm.Flags, cm.TreeID)
				}
				if cm.CreditCharge != 0 || cm.Credits != 0 {
					t.Errorf("CANCEL CreditCharge %d CreditRequest %d, want 0 and 0", cm.CreditCharge, cm.Credits)
				}
				if body := cm.msg[wire.HeaderSize:]; len(body) != 4 || body[0] != 4 {
					t.Errorf("CANCEL body % X", body)
				}
				if now, _ := creditState(c); now != credits {
					t.Errorf("balance %d after CANCEL, was %d", now, credits)
				}

				// The next request takes the next MessageId: CANCEL took none.
				next := goSend(t.Context(), c, echo())
				e := p.wantMsg(wire.CommandEcho)
				if e.MessageID != m.MessageID+1 {
					t.Errorf("MessageId %d after CANCEL, want %d", e.MessageID, m.MessageID+1)
				}
				p.send(respTo(e, 0, 1, emptyBody()))
				next.wait(t)

				before, inFlight := creditState(c)
				if inFlight != 1 {
					t.Errorf("%d credits in flight, want the cancelled request's 1", inFlight)
				}
				final := respTo(m, wire.StatusCancelled, 5, errorBody())
				if withInterim {
					final = final.async(asyncID)
				}
				p.send(final)
				synctest.Wait()
				if after, inFlight := creditState(c); after != before+5 || inFlight != 0 {
					t.Errorf("balance %d in flight %d after the late response, want %d and 0", after, inFlight, before+5)
				}
				if err := c.Err(); err != nil {
					t.Errorf("connection failed: %v", err)
				}
			})
		})
	}
}

// TestCancelCompound checks that abandoning a chain cancels only the parts
// the server has not answered.
func TestCancelCompound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(10))
		ctx, cancel := context.WithCancel(t.Context())
		call := goSend(ctx, c, compoundReqs(nil, 3)...)
		f := p.wantFrame()
		p.send(respTo(f.msgs[0], 0, 1, errorBody()))
		p.send(interim(f.msgs[1], 0x42, 1))
		// The reader must have taken the interim (and so the AsyncId) in
		// before the caller gives up, or the CANCEL rightly goes out in the
		// synchronous form.
		call.wantBlocked(t)
		cancel()
		call.wait(t)
		var got []uint64
		for _, cf := range p.drain() {
			cm := cf.msgs[0]
			if cm.Command != wire.CommandCancel {
				t.Fatalf("%v sent, want only CANCELs", cm.Command)
			}
			got = append(got, cm.MessageID)
			if cm.MessageID == f.msgs[1].MessageID && cm.AsyncID != 0x42 {
				t.Errorf("CANCEL of the pending part names AsyncId %#x", cm.AsyncID)
			}
		}
		slices.Sort(got)
		if want := []uint64{f.msgs[1].MessageID, f.msgs[2].MessageID}; !slices.Equal(got, want) {
			t.Errorf("CANCELs for %v, want %v", got, want)
		}
	})
}

// TestRequestTimeout checks Config.RequestTimeout: a silent request fails
// with ErrTimeout (and is cancelled) at exactly the timeout, while a request
// the server acknowledged with STATUS_PENDING waits as long as it takes.
func TestRequestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 10 * time.Second
		// The liveness monitor is pushed out of the way: this test is about
		// one request, not about a silent server.
		c, p := handshake(t, &Config{RequestTimeout: timeout, ProbeAfter: 48 * time.Hour, DeadAfter: 49 * time.Hour}, withCredits(10))

		pending := goSend(t.Context(), c, notify(1))
		pm := p.wantMsg(wire.CommandChangeNotify)
		p.send(interim(pm, 7, 1))

		start := time.Now()
		silent := goSend(t.Context(), c, echo())
		sm := p.wantMsg(wire.CommandEcho)
		time.Sleep(timeout - time.Nanosecond)
		silent.wantBlocked(t)
		time.Sleep(time.Nanosecond)
		_, err := silent.wait(t)
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("silent request: %v, want ErrTimeout", err)
		}
		if d := time.Since(start); d != timeout {
			t.Errorf("timed out after %v, want %v", d, timeout)
		}
		cm := p.wantMsg(wire.CommandCancel)
		if cm.MessageID != sm.MessageID || cm.IsAsync() {
			t.Errorf("CANCEL for %d async %v, want sync CANCEL for %d", cm.MessageID, cm.IsAsync(), sm.MessageID)
		}
		if c.Err() != nil {
			t.Fatalf("a timeout failed the connection: %v", c.Err())
		}

		time.Sleep(24 * time.Hour)
		pending.wantBlocked(t)
		p.wantNoFrame() // no CANCEL for the pending one
		p.send(respTo(pm, 0, 1, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0}).async(7))
		resps, err := pending.wait(t)
		if err != nil || resps[0].Header.AsyncID != 7 {
			t.Fatalf("pending request: %v, %v", resps, err)
		}
	})
}

// TestSendWithCleanup checks that the cleanup of an abandoned exchange runs
// exactly once, with every response, whenever they arrive.
func TestSendWithCleanup(t *testing.T) {
	tests := []struct {
		name string
		// script answers the chain f; cancel abandons it at the right time.
		script func(p *peer, f *inFrame, cancel func())
	}{
		{"answered after abandon, one frame", func(p *peer, f *inFrame, cancel func()) {
			cancel()
			p.send(respTo(f.msgs[0], 0, 1, errorBody()), respTo(f.msgs[1], wire.StatusCancelled, 1, errorBody()), respTo(f.msgs[2], wire.StatusCancelled, 1, errorBody()))
		}},
		{"partly answered before abandon", func(p *peer, f *inFrame, cancel func()) {
			p.send(respTo(f.msgs[0], 0, 1, errorBody()))
			p.send(interim(f.msgs[1], 3, 1))
			synctest.Wait() // both are in before the abandon
			cancel()
			p.send(respTo(f.msgs[2], wire.StatusCancelled, 1, errorBody()))
			p.send(respTo(f.msgs[1], wire.StatusCancelled, 1, errorBody()).async(3))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := handshake(t, nil, withCredits(10))
				var mu sync.Mutex
				var runs [][]*Response
				cleanup := func(r []*Response) {
					mu.Lock()
					defer mu.Unlock()
					runs = append(runs, r)
				}
				ctx, cancel := context.WithCancel(t.Context())
				call := goAsync(func() ([]*Response, error) { return c.SendWithCleanup(ctx, cleanup, compoundReqs(nil, 3)...) })
				f := p.wantFrame()
				tc.script(p, f, func() {
					cancel()
					if _, err := call.wait(t); !errors.Is(err, context.Canceled) {
						t.Errorf("error %v, want context.Canceled", err)
					}
					mu.Lock()
					if len(runs) != 0 {
						t.Error("cleanup ran before the responses arrived")
					}
					mu.Unlock()
				})
				// A stray duplicate must not run it again.
				p.send(respTo(f.msgs[0], 0, 1, errorBody()))
				synctest.Wait()
				mu.Lock()
				defer mu.Unlock()
				if len(runs) != 1 {
					t.Fatalf("cleanup ran %d times, want once", len(runs))
				}
				for i, r := range runs[0] {
					if r == nil || r.Header.MessageID != f.msgs[i].MessageID {
						t.Errorf("cleanup response %d: %+v", i, r)
					}
				}
			})
		})
	}
}

// TestSendWithCleanupFinishedBeforeAbandon covers the race where every
// response is in but the waiter sees its context end first and abandons
// the exchange: nothing is cancelled, and cleanup runs once with the
// responses.
func TestSendWithCleanupFinishedBeforeAbandon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(10))
		var mu sync.Mutex
		var runs int
		var got []*Response
		ex, err := c.send(t.Context(), compoundReqs(nil, 3), func(r []*Response) {
			mu.Lock()
			defer mu.Unlock()
			runs++
			got = r
		})
		if err != nil {
			t.Fatal(err)
		}
		f := p.wantFrame()
		p.send(respTo(f.msgs[0], 0, 1, errorBody()), respTo(f.msgs[1], 0, 1, errorBody()), respTo(f.msgs[2], 0, 1, errorBody()))
		synctest.Wait()
		mu.Lock()
		if runs != 0 {
			t.Errorf("cleanup ran before the exchange was abandoned")
		}
		mu.Unlock()
		c.abandon(ex) // what wait does when ctx.Done wins the select
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if runs != 1 || len(got) != 3 || got[2].Header.MessageID != f.msgs[2].MessageID {
			t.Errorf("cleanup ran %d times with %d responses, want once with 3", runs, len(got))
		}
		p.wantNoFrame() // nothing to cancel
	})
}

// TestSendWithCleanupConnectionFails checks that a failed connection does
// not run cleanup (the server dropped the handles with the connection).
func TestSendWithCleanupConnectionFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(10))
		var runs atomic.Int32
		ctx, cancel := context.WithCancel(t.Context())
		call := goAsync(func() ([]*Response, error) {
			return c.SendWithCleanup(ctx, func([]*Response) { runs.Add(1) }, compoundReqs(nil, 3)...)
		})
		p.wantFrame()
		cancel()
		call.wait(t)
		p.nc.Close()
		synctest.Wait()
		if n := runs.Load(); n != 0 {
			t.Errorf("cleanup ran %d times after the connection failed", n)
		}
		wantConnError(t, c.Err(), nil)
	})
}
