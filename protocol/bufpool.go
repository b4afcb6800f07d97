package protocol

import (
	"math/bits"
	"sync"
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
