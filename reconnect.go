package smbfs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Reconnecting.
//
// When the connection breaks, the first operation to notice asks the client
// for a new session (Client.resession): the client redials with backoff
// inside a total time budget, renegotiates, and authenticates afresh with
// the same credentials (new keys); then each mounted share connects its
// tree again and reclaims its open files (pipeline, durable.go). All the
// goroutines that saw the same failure share that one reconnect. Attempts
// are logged and reported to the hook of WithReconnectHook, and counted in
// Stats.Reconnects.

// ReconnectEvent describes one reconnect attempt.
type ReconnectEvent struct {
	Attempt int           // 1 for the first attempt after a failure
	Elapsed time.Duration // since the failure was noticed
	Cause   error         // why the connection was lost
	Err     error         // nil: this attempt succeeded
}

// WithReconnect sets the total time a reconnect may take, across attempts
// with exponential backoff (default 60 s); 0 disables reconnecting, making
// a lost connection final. The same budget bounds how long an idempotent
// operation keeps being retried, from its first lost connection, when new
// connections break in turn (a flapping link).
func WithReconnect(budget time.Duration) Option {
	return func(o *options) { o.reconnectBudget, o.reconnectSet = budget, true }
}

// WithReconnectHook calls fn after every reconnect attempt, successful or
// not, on the goroutine that is reconnecting: keep it short.
func WithReconnectHook(fn func(ReconnectEvent)) Option {
	return func(o *options) { o.reconnectHook = fn }
}

// ErrReconnectFailed is matched by errors of operations that needed a
// reconnect the client could not make within its budget.
var ErrReconnectFailed = errors.New("could not reconnect to the server")

// reconnectBudget returns the effective budget (0: never reconnect).
func (o *options) reconnectBudgetOrDefault() time.Duration {
	if o.reconnectSet {
		return o.reconnectBudget
	}
	return 60 * time.Second
}

// current returns the connection and session in use.
func (c *Client) current() (*protocol.Conn, *protocol.Session) {
	c.stateMu.RLock()
	defer c.stateMu.RUnlock()
	return c.conn, c.sess
}

// shutdown marks the client closed (no more reconnects) and returns what
// is in use, for Close to log off and close.
func (c *Client) shutdown() (*protocol.Conn, *protocol.Session) {
	c.reconnectMu.Lock()
	defer c.reconnectMu.Unlock()
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	c.closed = true
	return c.conn, c.sess
}

// addMount records a mounted share and gives it the client's reconnect.
func (c *Client) addMount(m *mount, share string) {
	c.stateMu.Lock()
	c.mounts = append(c.mounts, m)
	c.stateMu.Unlock()
	budget := c.opts.reconnectBudgetOrDefault()
	if budget <= 0 {
		return
	}
	m.share.SetReconnector(func(ctx context.Context, failed *protocol.Tree) (*protocol.Tree, error) {
		lost := failed.Session()
		start := time.Now()
		for attempt := 1; ; attempt++ {
			sess, err := c.resession(ctx, lost)
			if err != nil {
				return nil, err
			}
			t, err := sess.TreeConnect(ctx, share)
			// The new connection may break before the tree is connected
			// (the fault that broke the last one struck again): that
			// calls for another connection, not for giving up.
			var ce *protocol.ConnectionError
			if err == nil || !errors.As(err, &ce) || sess.Conn().Err() == nil ||
				attempt == maxTreeReconnects || time.Since(start) > budget {
				return t, err
			}
			lost = sess
		}
	}, budget)
}

// maxTreeReconnects bounds how often a share's reconnect starts over because
// the new connection broke before its tree was connected — a backstop:
// the reconnect budget bounds the time it may take.
const maxTreeReconnects = 32

// installBreakHandler routes conn's oplock breaks to the share holding the
// handle.
func (c *Client) installBreakHandler(conn *protocol.Conn) {
	conn.SetBreakHandler(func(b wire.OplockBreak) {
		c.stateMu.RLock()
		mounts := append([]*mount(nil), c.mounts...)
		c.stateMu.RUnlock()
		for _, m := range mounts {
			if m.share.HandleBreak(b) {
				return
			}
		}
	})
}

// resession returns a working session to replace failed: the current one if
// someone already reconnected, else a new connection and session.
func (c *Client) resession(ctx context.Context, failed *protocol.Session) (*protocol.Session, error) {
	c.reconnectMu.Lock()
	defer c.reconnectMu.Unlock()
	conn, sess := c.current()
	if sess != failed {
		return sess, nil
	}
	if c.closed {
		return nil, &protocol.ConnectionError{Op: "reconnect", Err: protocol.ErrClosed}
	}
	cause := conn.Err()
	budget := c.opts.reconnectBudgetOrDefault()
	log := c.opts.proto.Logger
	start := time.Now()
	backoff := 100 * time.Millisecond
	// Each attempt is bounded by what is left of the budget, so a server
	// that accepts connections and then says nothing cannot stretch it.
	actx, cancel := context.WithDeadline(ctx, start.Add(budget))
	defer cancel()
	for attempt := 1; ; attempt++ {
		nconn, nsess, err := c.dialSession(actx)
		ev := ReconnectEvent{Attempt: attempt, Elapsed: time.Since(start), Cause: cause, Err: err}
		if c.opts.reconnectHook != nil {
			c.opts.reconnectHook(ev)
		}
		if err == nil {
			c.installBreakHandler(nconn)
			c.stateMu.Lock()
			c.conn, c.sess = nconn, nsess
			c.stateMu.Unlock()
			conn.Close()
			c.reconnects.Add(1)
			if log != nil {
				log.Info("smbfs: reconnected", "server", c.addr, "attempt", attempt, "elapsed", ev.Elapsed, "cause", cause)
			}
			return nsess, nil
		}
		if log != nil {
			log.Warn("smbfs: reconnect attempt failed", "server", c.addr, "attempt", attempt, "err", err)
		}
		if time.Since(start)+backoff > budget {
			return nil, fmt.Errorf("%w after %d attempts in %v: %w", ErrReconnectFailed, attempt, time.Since(start).Round(time.Millisecond), err)
		}
		select {
		case <-time.After(backoff):
		case <-actx.Done():
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("%w after %d attempts in %v: %w", ErrReconnectFailed, attempt, time.Since(start).Round(time.Millisecond), err)
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// dialSession opens a new connection and session with the client's
// address, options and credentials (a fresh Authenticator: new keys).
func (c *Client) dialSession(ctx context.Context) (*protocol.Conn, *protocol.Session, error) {
	conn, err := protocol.Dial(ctx, c.addr, &c.opts.proto)
	if err != nil {
		return nil, nil, err
	}
	auth, err := c.newAuth()
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	sess, err := conn.SessionSetup(ctx, auth)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, sess, nil
}

// WithLiveness sets how long the server may stay silent, while requests are
// outstanding, before the client sends an ECHO (probe, default 10 s) and
// before it declares the connection dead and reconnects (dead, default
// 30 s).
func WithLiveness(probe, dead time.Duration) Option {
	return func(o *options) { o.proto.ProbeAfter, o.proto.DeadAfter = probe, dead }
}
