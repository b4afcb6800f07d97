package protocol

import (
	"context"
	"fmt"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// Liveness (how a dead server is told from a slow one).
//
// A server proves it is alive by sending anything: a response, an interim
// STATUS_PENDING, an ECHO answer. The connection keeps the time it last
// heard from the server; while requests are outstanding a monitor checks
// that silence:
//
//   - after ProbeAfter of silence it sends an ECHO, which a live server
//     answers even while it is busy with a slow disk;
//   - after DeadAfter of silence the connection is declared dead and every
//     waiter gets a ConnectionError wrapping ErrTimeout.
//
// An idle connection (nothing outstanding) is not probed. Separately, one
// request the server never answers while it answers others fails alone
// after RequestTimeout (unless the server said STATUS_PENDING).
//
// The client's own stalls — a laptop lid closed, a long stop-the-world
// pause — are not the server's fault: the monitor ticks every
// livenessTick, and a tick that comes much later than scheduled means the
// process was not running; the silence clock restarts and the request
// clocks are credited the lost time.

// livenessTick is the period of the liveness monitor.
const livenessTick = 250 * time.Millisecond

// stallThreshold is how late a tick must be to count as a client stall.
const stallThreshold = 2 * time.Second

// clock returns the connection's monotonic time, for the liveness fields.
func (c *Conn) clock() time.Duration { return time.Since(c.born) }

// heard records traffic from the server.
func (c *Conn) heard() { c.lastHeard.Store(int64(c.clock())) }

// stalledFor returns the total time the client has been frozen so far.
func (c *Conn) stalledFor() time.Duration { return time.Duration(c.stalled.Load()) }

// monitor runs the liveness checks until the connection ends.
func (c *Conn) monitor() {
	t := time.NewTicker(livenessTick)
	defer t.Stop()
	lv := liveness{last: c.clock(), probeDone: make(chan struct{}, 1)}
	for {
		select {
		case <-c.done:
			return
		case <-lv.probeDone:
			lv.probing = false
		case <-t.C:
			if !c.checkLiveness(&lv, c.clock()) {
				return
			}
		}
	}
}

// liveness is the monitor's state between ticks.
type liveness struct {
	last      time.Duration // when the previous tick ran
	probing   bool          // an ECHO is out
	probeDone chan struct{}
}

// checkLiveness is one tick of the monitor at time now; false means the
// connection was declared dead.
func (c *Conn) checkLiveness(lv *liveness, now time.Duration) bool {
	if gap := now - lv.last; gap > stallThreshold {
		// We were not running: forgive the silence we could not have
		// heard.
		c.stalled.Add(int64(gap - livenessTick))
		c.lastHeard.Store(int64(now))
		c.log.Debug("smb2 client stall detected; liveness clocks restarted", "gap", gap)
	}
	lv.last = now
	c.mu.Lock()
	busy := len(c.pending) > 0
	c.mu.Unlock()
	if !busy {
		return true
	}
	silence := now - time.Duration(c.lastHeard.Load())
	switch {
	case silence >= c.cfg.DeadAfter:
		c.fail(&ConnectionError{Op: "liveness", Err: fmt.Errorf("%w: nothing heard from the server for %v with requests outstanding", ErrTimeout, silence.Round(time.Millisecond))})
		return false
	case silence >= c.cfg.ProbeAfter && !lv.probing:
		lv.probing = true
		go func() {
			c.probe()
			lv.probeDone <- struct{}{}
		}()
	}
	return true
}

// probe sends one ECHO and waits for its answer (any answer is a sign of
// life, recorded by the reader; a failure is the monitor's to judge).
func (c *Conn) probe() {
	req := &Request{Body: &wire.EchoRequest{}}
	c.mu.Lock()
	for _, s := range c.sessions {
		// On a session, so that a server that requires encryption or
		// signing accepts it.
		req.Session, req.Encrypt = s, s.encryptData
		break
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.DeadAfter)
	defer cancel()
	c.stats.probes.Add(1)
	if _, err := c.Send(ctx, req); err != nil {
		c.log.Debug("smb2 keepalive ECHO failed", "err", err)
	}
}
