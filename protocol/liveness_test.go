package protocol

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// TestLivenessDefaults pins the layered defaults: probe a silent server
// first, declare it dead later, and time out a single lost request later
// still.
func TestLivenessDefaults(t *testing.T) {
	c := (&Config{}).withDefaults()
	if c.ProbeAfter != 10*time.Second || c.DeadAfter != 30*time.Second || c.RequestTimeout != 120*time.Second {
		t.Fatalf("defaults: probe %v, dead %v, request %v", c.ProbeAfter, c.DeadAfter, c.RequestTimeout)
	}
	if !(c.ProbeAfter < c.DeadAfter && c.DeadAfter < c.RequestTimeout && c.HandshakeTimeout < c.DeadAfter) {
		t.Fatalf("defaults are not layered: %+v", c)
	}
	if fixed := (&Config{ProbeAfter: time.Minute, DeadAfter: time.Second}).withDefaults(); fixed.DeadAfter <= fixed.ProbeAfter {
		t.Fatalf("DeadAfter %v not after ProbeAfter %v", fixed.DeadAfter, fixed.ProbeAfter)
	}
}

// TestBlackHoledServer: the server stops answering (no RST). An ECHO goes
// out after ProbeAfter of silence; at DeadAfter the connection is declared
// dead and every waiter, pending ones included, gets an error.
func TestBlackHoledServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(10))
		p.session(c, sessOpts{})
		start := time.Now()
		pending := goSend(t.Context(), c, notify(1))
		pm := p.wantMsg(wire.CommandChangeNotify)
		p.send(interim(pm, 9, 1))
		read := goSend(t.Context(), c, echo())
		p.wantMsg(wire.CommandEcho)
		// Silence from here on: no ECHO just before ProbeAfter, one just
		// after.
		time.Sleep(10*time.Second - livenessTick)
		p.wantNoFrame()
		time.Sleep(2 * livenessTick)
		p.wantMsg(wire.CommandEcho)
		time.Sleep(20 * time.Second)
		for _, call := range []*async[[]*Response]{pending, read} {
			_, err := call.wait(t)
			var ce *ConnectionError
			if !errors.As(err, &ce) || !errors.Is(err, ErrTimeout) {
				t.Fatalf("waiter on a black-holed server: %v", err)
			}
		}
		if d := time.Since(start); d < 30*time.Second || d > 30*time.Second+2*livenessTick {
			t.Errorf("declared dead after %v, want ~30 s", d)
		}
		if c.Stats().Errors.Probes != 1 {
			t.Errorf("probes %d", c.Stats().Errors.Probes)
		}
	})
}

// TestEchoKeepsALongWaitAlive: a CHANGE_NOTIFY may wait for hours; the
// server answers the keepalive ECHOs, so the connection lives on.
func TestEchoKeepsALongWaitAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(10))
		s := p.session(c, sessOpts{})
		pending := goSend(t.Context(), c, notify(1))
		pm := p.wantMsg(wire.CommandChangeNotify)
		p.send(interim(pm, 9, 1))
		for range 12 { // two minutes of ECHOs, every ~10 s of silence
			time.Sleep(10*time.Second + livenessTick)
			m := p.wantMsg(wire.CommandEcho)
			if m.SessionID != s.ID() {
				t.Errorf("keepalive ECHO outside the session: %#x", m.SessionID)
			}
			p.send(respTo(m, 0, 1, emptyBody()).signed())
		}
		pending.wantBlocked(t)
		if c.Err() != nil {
			t.Fatalf("connection failed: %v", c.Err())
		}
		p.send(respTo(pm, 0, 1, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0}).async(9))
		if _, err := pending.wait(t); err != nil {
			t.Fatal(err)
		}
	})
}

// TestClientStallIsNotTheServersFault: a monitor tick that comes minutes
// late (the process was frozen) restarts the silence clock instead of
// declaring the server dead, and requests are credited the lost time.
func TestClientStallIsNotTheServersFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, &Config{ProbeAfter: time.Hour, DeadAfter: 2 * time.Hour}, withCredits(10))
		call := goSend(t.Context(), c, echo())
		m := p.wantMsg(wire.CommandEcho)
		lv := liveness{last: c.clock(), probeDone: make(chan struct{}, 1)}
		// A tick ten hours late, as after a suspended laptop: silence
		// has lasted far beyond DeadAfter, but not the server's fault.
		c.lastHeard.Store(int64(c.clock()))
		if !c.checkLiveness(&lv, c.clock()+10*time.Hour) {
			t.Fatal("a client stall was blamed on the server")
		}
		if got := c.stalledFor(); got < 10*time.Hour-time.Second {
			t.Errorf("stall of %v recorded, want ~10 h", got)
		}
		if c.Err() != nil {
			t.Fatal(c.Err())
		}
		p.send(respTo(m, 0, 1, emptyBody()))
		if _, err := call.wait(t); err != nil {
			t.Fatal(err)
		}
	})
}

// TestIdleConnectionNotProbed: with nothing outstanding, silence is fine.
func TestIdleConnectionNotProbed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, withCredits(10))
		time.Sleep(time.Hour)
		p.wantNoFrame()
		if c.Err() != nil {
			t.Fatal(c.Err())
		}
		_ = context.Background()
	})
}
