package protocol

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// startWaiters leaves three requests in flight and a fourth waiting for
// credits, on a connection granted three.
func startWaiters(t *testing.T) (*Conn, *peer, []*async[[]*Response]) {
	t.Helper()
	c, p := handshake(t, &Config{CreditWait: time.Hour, RequestTimeout: time.Hour}, withCredits(3))
	var calls []*async[[]*Response]
	for range 4 {
		calls = append(calls, goSend(t.Context(), c, echo()))
	}
	if n := len(p.drain()); n != 3 {
		t.Fatalf("%d requests sent, want 3", n)
	}
	for _, call := range calls {
		call.wantBlocked(t)
	}
	return c, p, calls
}

// TestServerHangsUp checks that when the server closes the socket every
// waiter, including one waiting for credits, fails at once with a
// ConnectionError, and so does every later request.
func TestServerHangsUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p, calls := startWaiters(t)
		start := time.Now()
		p.nc.Close()
		for i, call := range calls {
			_, err := call.wait(t)
			wantConnError(t, err, io.EOF)
			if i == 0 {
				t.Logf("waiter error: %v", err)
			}
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("waiters failed after %v, want at once", d)
		}
		select {
		case <-c.Done():
		default:
			t.Error("Done not closed")
		}
		wantConnError(t, c.Err(), io.EOF)
		_, err := c.Send(t.Context(), echo())
		wantConnError(t, err, io.EOF)
		if err := c.Close(); err != nil {
			t.Errorf("Close after failure: %v", err)
		}
	})
}

// TestCloseFailsWaiters checks that Close fails every waiter with an error
// wrapping ErrClosed and hangs up.
func TestCloseFailsWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p, calls := startWaiters(t)
		if err := c.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for _, call := range calls {
			_, err := call.wait(t)
			wantConnError(t, err, ErrClosed)
		}
		_, err := c.Send(t.Context(), echo())
		wantConnError(t, err, ErrClosed)
		if err := c.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		p.wantHangup()
	})
}

// TestCloseWhileServerNotReading checks that Close returns even when the
// writer is stuck in a write the server never reads.
func TestCloseWhileServerNotReading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cli, srv := net.Pipe()
		defer srv.Close()
		c := rawHandshake(t, cli, srv, nil)
		call := goSend(t.Context(), c, &Request{Body: &wire.WriteRequest{Data: make([]byte, 1<<20)}})
		call.wantBlocked(t)
		c.Close()
		_, err := call.wait(t)
		wantConnError(t, err, ErrClosed)
	})
}

// TestWriteTimeout checks that a server that stops reading fails the
// connection after Config.WriteTimeout instead of wedging every sender.
func TestWriteTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const wt = 30 * time.Second
		cli, srv := net.Pipe()
		defer srv.Close()
		c := rawHandshake(t, cli, srv, &Config{WriteTimeout: wt, RequestTimeout: time.Hour, ProbeAfter: time.Hour, DeadAfter: 2 * time.Hour})
		defer c.Close()
		start := time.Now()
		call := goSend(t.Context(), c, echo())
		time.Sleep(wt - time.Nanosecond)
		call.wantBlocked(t)
		time.Sleep(time.Nanosecond)
		_, err := call.wait(t)
		wantConnError(t, err, os.ErrDeadlineExceeded)
		if d := time.Since(start); d != wt {
			t.Errorf("failed after %v, want the write timeout %v", d, wt)
		}
	})
}

// rawHandshake answers the client's NEGOTIATE on srv by hand, without a
// peer reading the stream, so the test can then stop reading altogether.
func rawHandshake(t *testing.T, cli, srv net.Conn, cfg *Config) *Conn {
	t.Helper()
	res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, cfg) })
	var prefix [4]byte
	io.ReadFull(srv, prefix[:])
	req := make([]byte, int(prefix[1])<<16|int(prefix[2])<<8|int(prefix[3]))
	io.ReadFull(srv, req)
	h, _ := wire.DecodeHeader(req)
	resp := (&peer{t: t}).chain(respTo(inMsg{Header: h, msg: req}, 0, 100, defaultNeg(wire.Dialect311).body()))
	srv.Write(append(wire.AppendFramePrefix(nil, len(resp)), resp...))
	c, err := res.wait(t)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDialLoopbackNoLeak runs a whole connection over real loopback TCP
// (which synctest bubbles do not allow) and checks that Close leaves no
// goroutine behind.
func TestDialLoopbackNoLeak(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP: %v", err)
	}
	defer ln.Close()
	before := runtime.NumGoroutine()

	served := make(chan error, 1)
	go func() { served <- serveEchoes(ln) }()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, ln.Addr().String(), nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if c.Dialect() != wire.Dialect311 || c.ServerName() != "127.0.0.1" {
		t.Errorf("dialect %v server name %q", c.Dialect(), c.ServerName())
	}
	for range 3 {
		if _, err := c.Send(ctx, echo()); err != nil {
			t.Fatalf("echo: %v", err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Fatalf("server: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serveEchoes accepts one connection, answers NEGOTIATE with 3.1.1 and
// every ECHO until the client hangs up.
func serveEchoes(ln net.Listener) error {
	nc, err := ln.Accept()
	if err != nil {
		return err
	}
	defer nc.Close()
	p := &peer{}
	for {
		var prefix [4]byte
		if _, err := io.ReadFull(nc, prefix[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		req := make([]byte, int(prefix[1])<<16|int(prefix[2])<<8|int(prefix[3]))
		if _, err := io.ReadFull(nc, req); err != nil {
			return err
		}
		h, err := wire.DecodeHeader(req)
		if err != nil {
			return err
		}
		var body []byte
		switch h.Command {
		case wire.CommandNegotiate:
			body = defaultNeg(wire.Dialect311).body()
		case wire.CommandEcho:
			body = emptyBody()
		default:
			return errors.New("unexpected " + h.Command.String())
		}
		resp := p.chain(respTo(inMsg{Header: h, msg: req}, 0, 10, body))
		if _, err := nc.Write(append(wire.AppendFramePrefix(nil, len(resp)), resp...)); err != nil {
			return err
		}
	}
}
