package pipeline

import (
	"context"
	"sync"
	"sync/atomic"
)

// writeBehind turns a stream of small sequential writes (io.Copy writes 32
// KiB at a time) into full-size WRITEs that travel through the window while
// the caller goes on: Write copies the data into a chunk buffer and returns;
// a full buffer is sent in the background, up to Window of them in flight.
//
// A background WRITE that fails makes the error sticky: the next Write, and
// at the latest Sync and Close, return it — an error is never lost. Every
// other operation on the handle first waits for the writes in flight, so
// reads see the data and no two writes to the same bytes race.
type writeBehind struct {
	h *Handle

	mu  sync.Mutex // held by writers; orders the stream
	buf []byte     // pending data, not yet sent
	off int64      // file offset of buf[0]

	slots chan struct{}  // one per WRITE in flight
	wg    sync.WaitGroup // background WRITEs
	// busy counts queued buffers and WRITEs in flight, so that flush costs
	// nothing on a handle that is only read.
	busy atomic.Int64

	errMu sync.Mutex
	err   error // first failure of a background WRITE
	dirty bool  // something was written: Close flushes
}

func (w *writeBehind) init(h *Handle) {
	w.h = h
	w.slots = make(chan struct{}, h.s.window)
}

// failure returns the sticky error of the background writes.
func (w *writeBehind) failure() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

func (w *writeBehind) setFailure(err error) {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// write queues p for offset off. Data contiguous with the pending buffer
// joins it; anything else first sends the pending buffer.
func (w *writeBehind) write(ctx context.Context, p []byte, off int64) (int, error) {
	if err := w.failure(); err != nil {
		return 0, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dirty = true
	chunk := w.h.s.writeChunk
	if len(w.buf) > 0 && off != w.off+int64(len(w.buf)) {
		if err := w.sendLocked(ctx); err != nil {
			return 0, err
		}
	}
	n := 0
	for n < len(p) {
		if len(w.buf) == 0 {
			w.busy.Add(1)
			w.off = off + int64(n)
			if w.buf == nil {
				w.buf = w.h.s.getChunk()[:0]
			}
		}
		take := min(chunk-len(w.buf), len(p)-n)
		w.buf = append(w.buf, p[n:n+take]...)
		n += take
		if len(w.buf) == chunk {
			if err := w.sendLocked(ctx); err != nil {
				return n, err
			}
		}
	}
	w.h.growSize(off + int64(n))
	return n, nil
}

// adopt queues buf (which the caller hands over and will not touch again)
// at off: ReadFrom reads straight into chunk buffers and gives them here,
// saving a copy. With send, it goes out at once; otherwise it waits for
// the next write, a flush or Close.
func (w *writeBehind) adopt(ctx context.Context, buf []byte, off int64, send bool) error {
	if err := w.failure(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dirty = true
	if len(w.buf) > 0 {
		if err := w.sendLocked(ctx); err != nil {
			return err
		}
	}
	w.buf, w.off = buf, off
	w.busy.Add(1)
	w.h.growSize(off + int64(len(buf)))
	if !send {
		return nil
	}
	return w.sendLocked(ctx)
}

// sendLocked starts the WRITE of the pending buffer in the background,
// waiting for a free slot in the window first.
func (w *writeBehind) sendLocked(ctx context.Context) error {
	if len(w.buf) == 0 {
		return nil
	}
	select {
	case w.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	data, off := w.buf, w.off
	w.buf = nil
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer w.busy.Add(-1)
		defer func() { <-w.slots }()
		// The WRITE frame holds its own copy: recycle the buffer as soon
		// as it is made, not when the server answers.
		_, err := w.h.writeRelease(ctx, data, off, func() { w.h.s.putChunk(data) })
		if err != nil {
			w.setFailure(err)
		}
	}()
	return nil
}

// flush sends the pending buffer, waits for every background WRITE and
// returns the sticky error, if any.
func (w *writeBehind) flush(ctx context.Context) error {
	if w.busy.Load() == 0 {
		return w.failure()
	}
	w.mu.Lock()
	err := w.sendLocked(ctx)
	w.mu.Unlock()
	w.wg.Wait()
	if err != nil {
		return err
	}
	return w.failure()
}

// take waits for the WRITEs in flight and hands back the pending buffer
// unsent, so Close can put it in its final compound.
func (w *writeBehind) take() (data []byte, off int64, dirty bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wg.Wait()
	data, off = w.buf, w.off
	if len(data) > 0 {
		w.busy.Add(-1)
	}
	w.buf = nil
	return data, off, w.dirty, w.failure()
}

// markDirty records a write that went around the queue (WriteAt), so Close
// still flushes.
func (w *writeBehind) markDirty() {
	w.mu.Lock()
	w.dirty = true
	w.mu.Unlock()
}
