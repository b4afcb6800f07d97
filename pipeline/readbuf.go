package pipeline

import "sync"

// readBuffer keeps one window of file data in memory so that small reads —
// io.Reader callers asking for a few bytes at a time, as
// testing/fstest.TestFS does with 1–3-byte Reads — are served without a
// round trip each. Read and ReadAt share it; any write or size change drops
// it, so it never serves stale data this handle wrote over.
type readBuffer struct {
	mu   sync.Mutex
	off  int64  // file offset of data[0]
	data []byte // valid bytes
	eof  bool   // the file ended at off+len(data) when the data was read
	gen  uint64 // bumped by drop, so a fill racing a write is discarded
}

// read copies what it can of [off, off+len(p)) from the buffer. ok reports
// that the buffer answered the whole request: either all of p, or a short
// count because the file ends inside the request (eof).
func (b *readBuffer) read(p []byte, off int64) (n int, eof, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.data == nil || off < b.off {
		return 0, false, false
	}
	end := b.off + int64(len(b.data))
	if off > end || (off == end && !b.eof) {
		return 0, false, false
	}
	n = copy(p, b.data[off-b.off:])
	if n == len(p) {
		return n, false, true
	}
	if b.eof {
		return n, true, true
	}
	return 0, false, false
}

// generation returns the current generation, to pass to fill.
func (b *readBuffer) generation() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gen
}

// fill installs data read at off, unless the buffer was dropped since gen
// was taken (a write happened meanwhile, so the data may be stale).
func (b *readBuffer) fill(gen uint64, off int64, data []byte, eof bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.gen {
		return
	}
	b.off, b.data, b.eof = off, data, eof
}

// drop forgets the buffered data.
func (b *readBuffer) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	b.data = nil
	b.eof = false
}
