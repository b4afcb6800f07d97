package linkproxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Proxy listens on a loopback port and forwards every connection to a
// target address through an emulated link. Its methods are safe for
// concurrent use.
type Proxy struct {
	profile Profile
	target  string
	ln      net.Listener
	pool    sync.Pool
	track   *tracker
	dialer  net.Dialer

	mu     sync.Mutex
	conns  map[uint64]*proxyConn
	nextID uint64
	closed bool

	wg sync.WaitGroup // the accept loop and every connection
}

// Start listens on 127.0.0.1 at a free port and forwards connections to
// target through a link described by p. A direct profile (no delay, no
// cap) still proxies, and counts, but adds nothing but a copy.
func Start(target string, p Profile) (*Proxy, error) {
	if p.Delay < 0 || p.Rate < 0 || p.Burst < 0 {
		return nil, fmt.Errorf("linkproxy: invalid profile %+v", p)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("linkproxy: %w", err)
	}
	px := &Proxy{
		profile: p,
		target:  target,
		ln:      ln,
		track:   newTracker(),
		conns:   map[uint64]*proxyConn{},
		dialer:  net.Dialer{Timeout: 10 * time.Second},
	}
	size := p.chunkSize()
	px.pool.New = func() any {
		b := make([]byte, size)
		return &b
	}
	px.wg.Add(1)
	go px.acceptLoop()
	return px, nil
}

// Addr returns the "127.0.0.1:port" address clients connect to.
func (px *Proxy) Addr() string { return px.ln.Addr().String() }

// Profile returns the link the proxy emulates.
func (px *Proxy) Profile() Profile { return px.profile }

// Stats returns the counters since the proxy started; subtract two
// snapshots (Stats.Sub) to get the traffic of one step.
func (px *Proxy) Stats() Stats { return px.track.snapshot() }

// Close stops listening, tears down every connection and waits until all
// of the proxy's goroutines have ended.
func (px *Proxy) Close() error {
	px.mu.Lock()
	if px.closed {
		px.mu.Unlock()
		return nil
	}
	px.closed = true
	conns := make([]*proxyConn, 0, len(px.conns))
	for _, c := range px.conns {
		conns = append(conns, c)
	}
	px.mu.Unlock()
	err := px.ln.Close()
	for _, c := range conns {
		c.teardown()
	}
	px.wg.Wait()
	return err
}

func (px *Proxy) acceptLoop() {
	defer px.wg.Done()
	for {
		client, err := px.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Transient (e.g. out of descriptors): back off briefly.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		px.mu.Lock()
		if px.closed {
			px.mu.Unlock()
			client.Close()
			return
		}
		id := px.nextID
		px.nextID++
		c := &proxyConn{px: px, id: id, client: client, abort: make(chan struct{})}
		px.conns[id] = c
		px.wg.Add(1)
		px.mu.Unlock()
		go c.run()
	}
}

// proxyConn is one client connection and its connection to the target.
type proxyConn struct {
	px     *Proxy
	id     uint64
	client net.Conn
	server net.Conn // set by run before anything can tear it down

	once  sync.Once
	mu    sync.Mutex
	abort chan struct{}
}

// teardown closes both sockets, which ends every loop of the connection.
func (c *proxyConn) teardown() {
	c.once.Do(func() {
		close(c.abort)
		c.client.Close()
		c.mu.Lock()
		if c.server != nil {
			c.server.Close()
		}
		c.mu.Unlock()
	})
}

func (c *proxyConn) run() {
	px := c.px
	defer px.wg.Done()
	defer func() {
		px.mu.Lock()
		delete(px.conns, c.id)
		px.mu.Unlock()
	}()
	defer c.teardown()

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-c.abort:
			cancel()
		case <-ctx.Done():
		}
	}()
	server, err := px.dialer.DialContext(ctx, "tcp", px.target)
	cancel()
	if err != nil {
		return
	}
	c.mu.Lock()
	c.server = server
	aborted := false
	select {
	case <-c.abort:
		aborted = true
	default:
	}
	c.mu.Unlock()
	if aborted {
		server.Close()
		return
	}

	px.track.connOpened()
	defer px.track.connClosed(c.id)
	up := newHalfLink(c.client, server, px.profile, &px.pool,
		&observer{t: px.track, conn: c.id, up: true}, c.abort, c.teardown)
	down := newHalfLink(server, c.client, px.profile, &px.pool,
		&observer{t: px.track, conn: c.id, up: false}, c.abort, c.teardown)
	var wg sync.WaitGroup
	for _, f := range []func(){up.readLoop, up.writeLoop, down.readLoop, down.writeLoop} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	// Both directions end on their own after a clean close by both ends;
	// otherwise one of them tears the connection down, which ends the rest.
	wg.Wait()
	up.drain()
	down.drain()
}
