package linkproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// pacer computes when a chunk has been serialized onto a link of a given
// rate: the virtual scheduling form of a token bucket (GCRA) with depth
// tau*rate. See the package documentation for why absolute departure
// times make timer oversleep harmless.
type pacer struct {
	nsPerByte float64       // 0: no cap
	tau       time.Duration // burst tolerance
	free      time.Time     // when the link finishes what it has been given
}

func newPacer(rate int64, burst int) pacer {
	if rate <= 0 {
		return pacer{}
	}
	ns := 8 * float64(time.Second) / float64(rate)
	return pacer{nsPerByte: ns, tau: time.Duration(float64(burst) * ns)}
}

// schedule returns when n bytes handed to the link at now have been sent.
func (p *pacer) schedule(now time.Time, n int) time.Time {
	if p.nsPerByte == 0 {
		return now
	}
	start := p.free
	if floor := now.Add(-p.tau); start.Before(floor) {
		start = floor // an idle link's bucket is full, not fuller
	}
	p.free = start.Add(time.Duration(float64(n) * p.nsPerByte))
	if p.free.Before(now) {
		return now
	}
	return p.free
}

// chunk is a piece of the stream on its way through the delay line.
type chunk struct {
	buf  *[]byte // pooled backing array, returned once written
	data []byte
	due  time.Time // when it reaches the receiver
}

// maxWriteBatch bounds how many bytes the writer gathers into one writev.
const maxWriteBatch = 1 << 20

// halfLink carries one direction of a proxied connection: a reader
// goroutine schedules each chunk as it arrives, a writer goroutine
// delivers chunks when they are due.
type halfLink struct {
	src, dst net.Conn
	delay    time.Duration
	pacer    pacer
	pool     *sync.Pool
	chunkLen int
	limit    int // queued bytes above which the reader stops reading
	obs      *observer
	abort    <-chan struct{} // closed when the connection is torn down
	fail     func()          // tears the connection down

	mu     sync.Mutex
	queue  []chunk
	head   int
	queued int
	eof    bool // the reader is done (clean EOF or error)
	clean  bool // ...and it was a clean EOF: pass the half-close on

	wake  chan struct{} // reader -> writer: a chunk or EOF was queued
	space chan struct{} // writer -> reader: the queue shrank
}

func newHalfLink(src, dst net.Conn, p Profile, pool *sync.Pool, obs *observer, abort <-chan struct{}, fail func()) *halfLink {
	limit := 4 << 20
	if p.Rate > 0 {
		// Room for everything in flight on the delay line, twice over.
		limit += int(2 * float64(p.Rate) / 8 * p.Delay.Seconds())
	}
	return &halfLink{
		src: src, dst: dst, delay: p.Delay,
		pacer: newPacer(p.Rate, p.burst()), pool: pool, chunkLen: p.chunkSize(),
		limit: limit, obs: obs, abort: abort, fail: fail,
		wake: make(chan struct{}, 1), space: make(chan struct{}, 1),
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// readLoop reads the sender until EOF or error, scheduling every chunk.
func (h *halfLink) readLoop() {
	for {
		bp := h.pool.Get().(*[]byte)
		n, err := h.src.Read((*bp)[:h.chunkLen])
		if n > 0 {
			now := time.Now()
			if h.obs.up {
				h.obs.observe((*bp)[:n])
			}
			c := chunk{buf: bp, data: (*bp)[:n], due: h.pacer.schedule(now, n).Add(h.delay)}
			if !h.push(c) {
				return
			}
		} else {
			h.pool.Put(bp)
		}
		if err != nil {
			h.mu.Lock()
			h.eof, h.clean = true, errors.Is(err, io.EOF)
			h.mu.Unlock()
			signal(h.wake)
			return
		}
	}
}

// push queues c, waiting while the queue is over its limit. It reports
// false when the connection was torn down meanwhile.
func (h *halfLink) push(c chunk) bool {
	for {
		h.mu.Lock()
		if h.queued < h.limit {
			h.queue = append(h.queue, c)
			h.queued += len(c.data)
			h.mu.Unlock()
			signal(h.wake)
			return true
		}
		h.mu.Unlock()
		select {
		case <-h.space:
		case <-h.abort:
			h.pool.Put(c.buf)
			return false
		}
	}
}

// writeLoop delivers chunks when they are due, then passes a clean EOF
// on as a half-close.
func (h *halfLink) writeLoop() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var batch []chunk
	var bufs net.Buffers
	for {
		h.mu.Lock()
		if h.head == len(h.queue) {
			eof, clean := h.eof, h.clean
			h.queue, h.head = h.queue[:0], 0
			h.mu.Unlock()
			if eof {
				h.finish(clean)
				return
			}
			select {
			case <-h.wake:
			case <-h.abort:
				return
			}
			continue
		}
		now := time.Now()
		if due := h.queue[h.head].due; due.After(now) {
			h.mu.Unlock()
			timer.Reset(due.Sub(now))
			select {
			case <-timer.C:
			case <-h.abort:
				return
			}
			continue
		}
		batch, bufs = batch[:0], bufs[:0]
		size := 0
		for h.head < len(h.queue) && size < maxWriteBatch && !h.queue[h.head].due.After(now) {
			c := h.queue[h.head]
			h.queue[h.head] = chunk{}
			h.head++
			batch = append(batch, c)
			bufs = append(bufs, c.data)
			size += len(c.data)
		}
		h.queued -= size
		h.mu.Unlock()
		signal(h.space)
		if !h.obs.up {
			// Counted just before the client can see it, so that a client
			// reacting at once never finds its answer still uncounted.
			for _, c := range batch {
				h.obs.observe(c.data)
			}
		}
		// WriteTo consumes bufs; the chunks keep their own slices.
		_, err := bufs.WriteTo(h.dst)
		h.release(batch)
		if err != nil {
			h.fail()
			return
		}
	}
}

func (h *halfLink) release(batch []chunk) {
	for i, c := range batch {
		h.pool.Put(c.buf)
		batch[i] = chunk{}
	}
}

// finish ends the direction once everything queued was delivered: a clean
// EOF becomes a half-close of the receiver, an error tears down the
// connection.
func (h *halfLink) finish(clean bool) {
	if !clean {
		h.fail()
		return
	}
	if cw, ok := h.dst.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() == nil {
			return
		}
	}
	h.fail()
}

// drain returns the buffers still queued after both loops ended.
func (h *halfLink) drain() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := h.head; i < len(h.queue); i++ {
		h.pool.Put(h.queue[i].buf)
	}
	h.queue, h.head, h.queued = nil, 0, 0
}
