package protocol

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// framePool recycles the buffers of outgoing frames by power-of-two size
// class. A pipelined transfer sends a 1 MiB frame per chunk; without
// recycling each becomes garbage the moment the writer is done with it, and
// the heap (and so the process) grows to twice what is really in flight.
type framePool struct {
	classes [maxPoolClass - minPoolClass + 1]sync.Pool
}

// Size classes: a power of two from 4 KiB to 16 MiB, plus room for the
// headers, so that the frame of a 1 MiB WRITE (1 MiB of data and a few
// hundred bytes of headers) takes a 1 MiB class and not a 2 MiB one.
const (
	minPoolClass = 12
	maxPoolClass = 24
	poolSlack    = 4096
)

// poolClass returns the pool index for a capacity of at least n bytes.
func poolClass(n int) int {
	c := bits.Len(uint(max(n-poolSlack, 1) - 1))
	return max(c, minPoolClass) - minPoolClass
}

// classSize is the capacity of buffers of class c.
func classSize(c int) int { return 1<<(c+minPoolClass) + poolSlack }

// get returns an empty buffer with capacity at least n.
func (p *framePool) get(n int) []byte {
	c := poolClass(n)
	if c >= len(p.classes) {
		return make([]byte, 0, n)
	}
	if b, ok := p.classes[c].Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, classSize(c))
}

// put returns b for reuse. Only buffers whose capacity is exactly a class
// size (those get made) go back.
func (p *framePool) put(b []byte) {
	c := poolClass(cap(b))
	if c < len(p.classes) && cap(b) == classSize(c) {
		p.classes[c].Put(&b)
	}
}

// frameRef counts the references to one pooled receive buffer: the reader's
// own while it dispatches, and one per Response carved out of it. The last
// release returns the buffer to the pool.
type frameRef struct {
	buf  []byte
	pool *framePool
	refs atomic.Int32
}

// newFrameRef returns a reference count of 1 (the reader's) on buf.
func newFrameRef(buf []byte, pool *framePool) *frameRef {
	r := &frameRef{buf: buf, pool: pool}
	r.refs.Store(1)
	return r
}

// acquire adds a reference; nil stays nil (an unpooled buffer).
func (r *frameRef) acquire() *frameRef {
	if r != nil {
		r.refs.Add(1)
	}
	return r
}

// release drops a reference, recycling the buffer after the last one.
func (r *frameRef) release() {
	if r == nil {
		return
	}
	if r.refs.Add(-1) == 0 {
		r.pool.put(r.buf)
	}
}
