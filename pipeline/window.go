package pipeline

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"errors"
	"github.com/smbfs/smbfs/protocol/wire"
)

// ReadAt reads len(p) bytes at off, following the io.ReaderAt contract: a
// count below len(p) comes with an error, io.EOF when the file ends. Reads
// of up to two chunks go through the handle's cache (which reads ahead for
// sequential readers and buffers small reads); larger ones are cut into
// chunks that travel through the window straight into p.
func (h *Handle) ReadAt(ctx context.Context, p []byte, off int64) (int, error) {
	if err := h.check(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := h.settle(ctx); err != nil {
		return 0, err
	}
	if len(p) <= 2*h.s.readChunk {
		return h.cache.read(ctx, p, off)
	}
	return h.readWindow(ctx, p, off)
}

// readOnce issues a single READ for len(p) bytes (at most one chunk). A short
// count means the file ended: it comes with io.EOF.
func (h *Handle) readOnce(ctx context.Context, p []byte, off int64) (int, error) {
	data, release, err := h.fetchRelease(ctx, off, len(p))
	n := copy(p, data)
	release()
	return n, err
}

// fetch issues a single READ of n bytes at off and returns the data where
// the response holds it (no copy). Fewer than n bytes come with io.EOF. A
// READ lost with its connection is sent again after the reconnect.
func (h *Handle) fetch(ctx context.Context, off int64, n int) ([]byte, error) {
	data, _, err := h.fetchRelease(ctx, off, n)
	return data, err
}

// fetchRelease is fetch that also returns a function handing the
// response's buffer back for reuse once data is no longer needed (calling
// it is optional; after it, data must not be used).
func (h *Handle) fetchRelease(ctx context.Context, off int64, n int) ([]byte, func(), error) {
	var data []byte
	release := func() {}
	err := h.s.withRetry(ctx, "read", true, func() error {
		fid, err := h.id()
		if err != nil {
			return err
		}
		data, release, err = h.fetchOnce(ctx, fid, off, n)
		return err
	})
	return data, release, err
}

func (h *Handle) fetchOnce(ctx context.Context, fid wire.FileID, off int64, n int) ([]byte, func(), error) {
	nothing := func() {}
	resp, err := h.s.tree.Do(ctx, &wire.ReadRequest{Length: uint32(n), Offset: uint64(off), FileID: fid})
	var st wire.Status
	if errors.As(err, &st) && st == wire.StatusEndOfFile {
		return nil, nothing, io.EOF
	}
	if err != nil {
		return nil, nothing, err
	}
	var rr wire.ReadResponse
	if err := resp.Decode(&rr); err != nil {
		return nil, nothing, err
	}
	if len(rr.Data) > n {
		return nil, nothing, fmt.Errorf("smb2 READ: server returned %d bytes for a %d-byte read", len(rr.Data), n)
	}
	if len(rr.Data) < n {
		return rr.Data, resp.Release, io.EOF
	}
	return rr.Data, resp.Release, nil
}

// readWindow reads p at off in chunks through the sliding window.
func (h *Handle) readWindow(ctx context.Context, p []byte, off int64) (int, error) {
	chunk := h.s.readChunk
	counts, err := h.s.runWindow(ctx, len(p), chunk, func(ctx context.Context, i int) (int, bool, error) {
		lo := i * chunk
		hi := min(lo+chunk, len(p))
		n, err := h.readOnce(ctx, p[lo:hi], off+int64(lo))
		if err == io.EOF {
			return n, true, nil
		}
		return n, false, err
	})
	n := prefixCount(counts, chunk, len(p))
	if err != nil {
		return n, err
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// prefixCount returns the bytes moved by the chunks before the first short
// one: the data that is contiguous from the start.
func prefixCount(counts []int, chunk, total int) int {
	n := 0
	for i, c := range counts {
		n += c
		if c < min(chunk, total-i*chunk) {
			break
		}
	}
	return n
}

// Write queues p for offset off behind the caller's back (see writeBehind):
// it returns once the data is copied, and a failure shows up on a later
// Write, Flush or Close. File.Write uses it; WriteAt does not.
func (h *Handle) Write(ctx context.Context, p []byte, off int64) (int, error) {
	if err := h.check(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	h.cache.drop()
	return h.wb.write(ctx, p, off)
}

// WriteAt writes p at off and returns when the server has it: through the
// window for large p. Every chunk must be written whole or the call fails.
func (h *Handle) WriteAt(ctx context.Context, p []byte, off int64) (int, error) {
	if err := h.check(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	if err := h.settle(ctx); err != nil {
		return 0, err
	}
	h.cache.drop()
	h.wb.markDirty()
	if len(p) == 0 {
		return 0, nil
	}
	chunk := h.s.writeChunk
	counts, err := h.s.runWindow(ctx, len(p), chunk, func(ctx context.Context, i int) (int, bool, error) {
		lo := i * chunk
		hi := min(lo+chunk, len(p))
		n, err := h.writeOnce(ctx, p[lo:hi], off+int64(lo))
		return n, false, err
	})
	h.cache.drop() // a read racing the write may have cached old data
	n := prefixCount(counts, chunk, len(p))
	h.growSize(off + int64(n))
	return n, err
}

// writeOnce issues a single WRITE.
func (h *Handle) writeOnce(ctx context.Context, p []byte, off int64) (int, error) {
	return h.writeRelease(ctx, p, off, nil)
}

// writeRelease issues a single WRITE and calls release (if not nil) once p
// is no longer needed: as soon as it has been copied into the outgoing
// frame — before the response — when a lost connection is final, so a
// write-behind buffer is recycled while the WRITE is still in flight; at
// the end when the WRITE may have to be sent again after a reconnect. A
// WRITE at an explicit offset is idempotent, so it is retried.
func (h *Handle) writeRelease(ctx context.Context, p []byte, off int64, release func()) (int, error) {
	early := release != nil && !h.s.canReconnect()
	if release != nil && !early {
		defer release()
	}
	var n int
	err := h.s.withRetry(ctx, "write", true, func() error {
		fid, err := h.id()
		if err != nil {
			return err
		}
		call, err := h.s.tree.Conn().Start(ctx, nil, h.s.tree.Request(&wire.WriteRequest{Offset: uint64(off), FileID: fid, Data: p}))
		if early {
			release()
			early = false
		}
		if err != nil {
			return err
		}
		resps, err := call.Wait(ctx)
		if err != nil {
			return err
		}
		var wr wire.WriteResponse
		if err := resps[0].Decode(&wr); err != nil {
			return err
		}
		n = len(p)
		if int(wr.Count) != len(p) {
			n = min(int(wr.Count), len(p))
			return fmt.Errorf("smb2 WRITE: server wrote %d of %d bytes: %w", wr.Count, len(p), io.ErrShortWrite)
		}
		return nil
	})
	return n, err
}

// runWindow runs chunk operations 0..ceil(total/chunk)-1 with up to
// s.window in flight, starting the next the moment one finishes (a sliding
// window, not batches). Each operation also waits for the credits it needs,
// so the window never sends what the server has not funded, and fills up
// as the server grants more. op returns the bytes it moved and whether the
// data ended there (no later chunk is started). On the first error the
// others are cancelled and waited for — no goroutine outlives the call —
// and that error is returned. counts[i] is what chunk i moved.
func (s *Share) runWindow(ctx context.Context, total, chunk int, op func(context.Context, int) (int, bool, error)) ([]int, error) {
	nchunks := (total + chunk - 1) / chunk
	counts := make([]int, nchunks)
	if nchunks == 1 {
		n, _, err := op(ctx, 0)
		counts[0] = n
		return counts, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		stop     atomic.Bool
		errOnce  sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	workers := min(s.window, nchunks)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= nchunks {
					return
				}
				n, ended, err := op(ctx, i)
				counts[i] = n
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					stop.Store(true)
					cancel()
					return
				}
				if ended {
					stop.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return counts, firstErr
}
