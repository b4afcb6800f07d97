package pipeline

import (
	"context"
	"errors"
	"io"
	"sync"
)

// readCache holds file data read ahead of a sequential reader, and the
// buffer that serves small reads, for one handle. Read and ReadAt share it.
//
// A read that starts where the previous one ended is sequential. Each
// sequential read tops the cache up so that data keeps arriving ahead of the
// reader: the depth grows with the length of the sequential run (a reader
// that has read 64 KiB in a row gets 64 KiB ahead, one that has read 4 MiB
// gets the maximum), so a stream of 32 KiB Reads — what io.Copy and
// http.FileServer do — moves data as fast as one large ReadAt, while a few
// small reads cost no more than one 64 KiB READ. A read elsewhere drops
// what was read ahead. Any write drops everything, so the cache never serves
// data this handle wrote over.
//
// Memory is bounded: segments in the cache never exceed the maximum depth
// plus one read-buffer-sized segment at the read position.
type readCache struct {
	h *Handle

	mu       sync.Mutex
	segs     []*segment // sorted by offset, not overlapping
	seqEnd   int64      // where the last read ended
	seqRun   int64      // bytes read sequentially up to seqEnd
	frontier int64      // end of the furthest segment read-ahead launched
	bytes    int64      // bytes held or requested by segs
	peak     int64      // the largest bytes ever was (for tests and stats)
}

// segment is one READ's worth of file data, fetched in the background.
type segment struct {
	off    int64
	size   int // bytes asked for
	done   chan struct{}
	cancel context.CancelFunc
	// Set before done closes:
	data    []byte
	release func() // hands data's frame buffer back (protocol.Response.Release)
	eof     bool   // the file ended inside [off, off+size)
	err     error
	// Guarded by readCache.mu:
	dropped bool // the cache forgot it
	refs    int  // readers copying out of data without the lock
}

// freeLocked gives data back once the segment is forgotten and no reader
// is copying from it (the buffer is then reused for other frames).
func (s *segment) freeLocked() {
	if s.dropped && s.refs == 0 && s.release != nil {
		s.release()
		s.release = nil
		s.data = nil
	}
}

func (s *segment) end() int64 { return s.off + int64(s.size) }

// maxReadAhead is the default bound on read-ahead memory per handle.
const maxReadAhead = 4 << 20

// read serves p at off from the cache, fetching what is missing, and keeps
// read-ahead going for sequential readers. It follows io.ReaderAt: a short
// count comes with io.EOF or another error.
func (c *readCache) read(ctx context.Context, p []byte, off int64) (int, error) {
	total := 0
	for total < len(p) {
		n, eof, err := c.readSegment(ctx, p[total:], off+int64(total))
		total += n
		if err != nil {
			return total, err
		}
		if eof {
			return total, io.EOF
		}
	}
	return total, nil
}

// readSegment copies what one segment holds of [off, off+len(p)).
func (c *readCache) readSegment(ctx context.Context, p []byte, off int64) (n int, eof bool, err error) {
	for {
		c.mu.Lock()
		seg := c.findLocked(off)
		if seg == nil {
			seg = c.launchForLocked(off, len(p))
		}
		select {
		case <-seg.done:
			// Already here (the common case for small reads): serve
			// it without letting go of the lock.
			if seg.err == nil {
				n, eof = seg.copyAt(p, off)
				c.advanceLocked(off, n)
				c.mu.Unlock()
				return n, eof, nil
			}
			c.mu.Unlock()
		default:
			// Hold a reference while waiting and copying, so the
			// segment's buffer is not recycled under us.
			seg.refs++
			c.mu.Unlock()
			select {
			case <-seg.done:
			case <-ctx.Done():
				c.mu.Lock()
				seg.refs--
				seg.freeLocked()
				c.mu.Unlock()
				return 0, false, ctx.Err()
			}
		}
		if seg.err != nil {
			c.mu.Lock()
			seg.refs--
			dropped := seg.dropped
			c.removeLocked(seg)
			c.mu.Unlock()
			if dropped && errors.Is(seg.err, context.Canceled) {
				continue // forgotten while we waited: fetch again
			}
			return 0, false, seg.err
		}
		n, eof = seg.copyAt(p, off)
		c.mu.Lock()
		seg.refs--
		seg.freeLocked()
		c.advanceLocked(off, n)
		c.mu.Unlock()
		return n, eof, nil
	}
}

// copyAt copies the segment's data from file offset off into p; eof
// reports that the file ends before p is full.
func (s *segment) copyAt(p []byte, off int64) (n int, eof bool) {
	if pos := int(off - s.off); pos < len(s.data) {
		n = copy(p, s.data[pos:])
	}
	return n, n < len(p) && s.eof
}

// findLocked returns the segment covering off, if any.
func (c *readCache) findLocked(off int64) *segment {
	for _, s := range c.segs {
		if s.off <= off && off < s.end() {
			return s
		}
	}
	return nil
}

// launchForLocked starts the segment a read at off of want bytes needs. A
// read elsewhere than where the last one ended forgets the read-ahead.
func (c *readCache) launchForLocked(off int64, want int) *segment {
	if off != c.seqEnd {
		c.dropLocked()
		c.seqRun = 0
	}
	size := min(max(want, c.h.s.readBuffer), c.h.s.readChunk)
	// Do not overlap a segment that starts later.
	for _, s := range c.segs {
		if s.off > off && s.off < off+int64(size) {
			size = int(s.off - off)
		}
	}
	seg := c.startLocked(off, size)
	c.frontier = max(c.frontier, seg.end())
	return seg
}

// advanceLocked records a read of n bytes at off, frees what sequential
// reading has passed, and tops the read-ahead up.
func (c *readCache) advanceLocked(off int64, n int) {
	if off == c.seqEnd {
		c.seqRun += int64(n)
	} else {
		c.seqRun = int64(n)
	}
	c.seqEnd = off + int64(n)
	pos := c.seqEnd
	// Free segments wholly behind the reader.
	kept := c.segs[:0]
	for _, s := range c.segs {
		if s.end() <= pos && s.off < off {
			c.forgetLocked(s)
			continue
		}
		kept = append(kept, s)
	}
	clear(c.segs[len(kept):])
	c.segs = kept
	c.topUpLocked(pos)
}

// topUpLocked launches read-ahead segments so that data up to
// pos+depth is requested, where depth follows the sequential run.
func (c *readCache) topUpLocked(pos int64) {
	if c.seqRun < int64(c.h.s.readBuffer) {
		return // not (yet) a sequential reader
	}
	depth := min(c.seqRun, int64(c.h.s.readAhead))
	limit := c.h.sizeHint()
	c.frontier = max(c.frontier, pos)
	for c.frontier < pos+depth && c.frontier < limit {
		size := int(min(max(depth/4, int64(c.h.s.readBuffer)), int64(c.h.s.readChunk)))
		if c.bytes+int64(size) > int64(c.h.s.readAhead)+int64(c.h.s.readBuffer) {
			return
		}
		if c.findLocked(c.frontier) != nil {
			// Already there (a demand read got ahead): move past it.
			c.frontier = c.findLocked(c.frontier).end()
			continue
		}
		seg := c.startLocked(c.frontier, size)
		c.frontier = seg.end()
	}
}

// startLocked creates the segment [off, off+size), adds it to the cache
// and starts its READ on the handle's background context.
func (c *readCache) startLocked(off int64, size int) *segment {
	ctx, cancel := context.WithCancel(c.h.bg)
	seg := &segment{off: off, size: size, done: make(chan struct{}), cancel: cancel}
	c.insertLocked(seg)
	go func() {
		defer cancel()
		data, release, err := c.h.fetchRelease(ctx, off, size)
		c.mu.Lock()
		seg.data, seg.release = data, release
		if err == io.EOF {
			seg.eof = true
			err = nil
		}
		seg.err = err
		seg.freeLocked() // forgotten while the READ was out
		c.mu.Unlock()
		close(seg.done)
	}()
	return seg
}

// insertLocked adds seg in offset order and accounts for its memory.
func (c *readCache) insertLocked(seg *segment) {
	i := 0
	for i < len(c.segs) && c.segs[i].off < seg.off {
		i++
	}
	c.segs = append(c.segs, nil)
	copy(c.segs[i+1:], c.segs[i:])
	c.segs[i] = seg
	c.bytes += int64(seg.size)
	c.peak = max(c.peak, c.bytes)
}

// fill installs data already read at off (the READ compounded with an
// open) as a completed segment.
func (c *readCache) fill(off int64, data []byte, eof bool) {
	seg := &segment{off: off, size: len(data), done: make(chan struct{}), data: data, eof: eof, cancel: func() {}}
	if eof && len(data) == 0 {
		seg.size = 1 // an empty file: the segment still answers "EOF at off"
	}
	close(seg.done)
	c.mu.Lock()
	c.insertLocked(seg)
	c.mu.Unlock()
}

// forgetLocked releases seg; a fetch still under way is cancelled.
func (c *readCache) forgetLocked(s *segment) {
	s.dropped = true
	s.cancel()
	c.bytes -= int64(s.size)
	s.freeLocked()
}

// removeLocked takes seg out of the cache, if it is still there.
func (c *readCache) removeLocked(seg *segment) {
	for i, s := range c.segs {
		if s == seg {
			c.forgetLocked(s)
			c.segs = append(c.segs[:i], c.segs[i+1:]...)
			return
		}
	}
}

// dropLocked forgets every segment.
func (c *readCache) dropLocked() {
	for _, s := range c.segs {
		c.forgetLocked(s)
	}
	clear(c.segs)
	c.segs = c.segs[:0]
	c.frontier = 0
}

// drop forgets everything: the file's content may have changed.
func (c *readCache) drop() {
	c.mu.Lock()
	c.dropLocked()
	c.seqRun = 0
	c.mu.Unlock()
}

// peakBytes returns the most memory the cache has held or requested.
func (c *readCache) peakBytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peak
}
