// Package faultproxy is a TCP proxy that injects network faults between a
// client and a server, for resilience tests: resetting every connection —
// at once, or when the client sends a chosen request — black-holing traffic
// (packets vanish, no RST), delaying it, and taking the "server" down and
// up again.
package faultproxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards connections from its own address to a target.
type Proxy struct {
	target string
	ln     net.Listener

	mu    sync.Mutex
	conns map[*pair]struct{}

	blackhole atomic.Bool
	down      atomic.Bool
	delay     atomic.Int64 // one-way delay, nanoseconds
	resets    atomic.Int64

	tripMu sync.Mutex
	trips  [][]byte // one-shot: reset when client data contains one

	wg     sync.WaitGroup
	closed chan struct{}
}

// pair is one proxied connection.
type pair struct {
	client, server *net.TCPConn
}

// New starts a proxy on a free loopback port forwarding to target.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, conns: make(map[*pair]struct{}), closed: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's address (host:port) for clients to dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetTarget changes where new connections go (e.g. a restarted server).
func (p *Proxy) SetTarget(target string) {
	p.mu.Lock()
	p.target = target
	p.mu.Unlock()
}

// Resets returns how many times ResetAll cut connections.
func (p *Proxy) Resets() int64 { return p.resets.Load() }

// ResetAll cuts every proxied connection with a TCP RST, as a crashed
// middlebox or server would.
func (p *Proxy) ResetAll() {
	p.mu.Lock()
	for c := range p.conns {
		c.client.SetLinger(0)
		c.server.SetLinger(0)
		c.client.Close()
		c.server.Close()
		delete(p.conns, c)
	}
	p.mu.Unlock()
	p.resets.Add(1)
}

// ResetOn arms a one-shot trap: the first chunk of client-to-server data
// containing pattern is dropped and every connection reset, so a test can
// cut the link at a chosen request (say, the one carrying a "DH2C" create
// context) rather than at a random moment. Traps set by several calls fire
// one each.
func (p *Proxy) ResetOn(pattern []byte) {
	p.tripMu.Lock()
	p.trips = append(p.trips, append([]byte(nil), pattern...))
	p.tripMu.Unlock()
}

// tripped reports (and disarms) the first trap that data springs.
func (p *Proxy) tripped(data []byte) bool {
	p.tripMu.Lock()
	defer p.tripMu.Unlock()
	for i, pat := range p.trips {
		if bytes.Contains(data, pat) {
			p.trips = slices.Delete(p.trips, i, i+1)
			return true
		}
	}
	return false
}

// BlackHole makes traffic vanish (on) or flow again (off): connections stay
// open, nothing is delivered in either direction, new connections are
// accepted and then starved — like a pulled cable.
func (p *Proxy) BlackHole(on bool) { p.blackhole.Store(on) }

// Down takes the "server" down (existing connections reset, new ones
// refused with RST) or brings it back up.
func (p *Proxy) Down(on bool) {
	p.down.Store(on)
	if on {
		p.ResetAll()
	}
}

// SetDelay delays every chunk of data by d in each direction.
func (p *Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// Close stops the proxy and cuts every connection.
func (p *Proxy) Close() error {
	close(p.closed)
	err := p.ln.Close()
	p.ResetAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		client := c.(*net.TCPConn)
		if p.down.Load() {
			client.SetLinger(0)
			client.Close()
			continue
		}
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		s, err := net.DialTimeout("tcp", target, 5*time.Second)
		if err != nil {
			client.SetLinger(0)
			client.Close()
			continue
		}
		pr := &pair{client: client, server: s.(*net.TCPConn)}
		p.mu.Lock()
		p.conns[pr] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(pr, pr.server, pr.client)
		go p.pump(pr, pr.client, pr.server)
	}
}

// pump copies src to dst, applying the faults, until either side ends.
func (p *Proxy) pump(pr *pair, dst, src *net.TCPConn) {
	defer p.wg.Done()
	defer func() {
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, pr)
		p.mu.Unlock()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			for p.blackhole.Load() {
				select {
				case <-p.closed:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
			if src == pr.client && p.tripped(buf[:n]) {
				p.ResetAll()
				return
			}
			if d := time.Duration(p.delay.Load()); d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				dst.CloseWrite()
			}
			return
		}
	}
}
