package pipeline

import (
	"context"
	"errors"
	"io"
)

// ReadFrom writes everything r yields to the file starting at off, reading
// r straight into chunk-sized buffers that travel through the window while
// the next one fills, so io.Copy from a local file runs at full speed. It
// returns the bytes taken from r. Like Write, it is write-behind: a WRITE
// failure may only be reported by Flush or Close, unless it happened
// before ReadFrom returns.
func (h *Handle) ReadFrom(ctx context.Context, r io.Reader, off int64) (int64, error) {
	if err := h.check(); err != nil {
		return 0, err
	}
	h.cache.drop()
	var total int64
	for {
		buf := h.s.getChunk()
		n, rerr := io.ReadFull(r, buf)
		last := rerr != nil
		if n > 0 {
			// The last, partial buffer stays queued: Close sends it in
			// the same round trip as its FLUSH and CLOSE.
			if err := h.wb.adopt(ctx, buf[:n], off+total, !last); err != nil {
				return total, err
			}
			total += int64(n)
		}
		if n == 0 {
			h.s.putChunk(buf)
		}
		switch {
		case rerr == nil:
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			return total, h.wb.failure()
		default:
			return total, rerr
		}
	}
}

// WriteTo copies the file from off to its end into w, with read-ahead
// keeping the window full while w consumes, so io.Copy to a local file runs
// at full speed. It returns the bytes written to w.
func (h *Handle) WriteTo(ctx context.Context, w io.Writer, off int64) (int64, error) {
	buf := make([]byte, h.s.readChunk)
	var total int64
	for {
		n, err := h.ReadAt(ctx, buf, off+total)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
			if m < n {
				return total, io.ErrShortWrite
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
