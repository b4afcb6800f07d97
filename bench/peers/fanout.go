package peers

import (
	"context"
	"fmt"
	"io"
	"path"
	"sync"
)

// forEach runs fn for 0..n-1, on up to par goroutines at once (par <= 1:
// in order on the calling goroutine). The first error cancels the rest and
// is returned.
func forEach(ctx context.Context, par, n int, fn func(ctx context.Context, i int) error) error {
	if par <= 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(par, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}

// countBytes sums the results of a parallel download.
type countBytes struct {
	mu sync.Mutex
	n  int64
}

func (c *countBytes) add(n int64) {
	c.mu.Lock()
	c.n += n
	c.mu.Unlock()
}

// checkSize reports a short or long read.
func checkSize(name string, got, want int64) error {
	if got != want {
		return fmt.Errorf("%s: read %d bytes, want %d", name, got, want)
	}
	return nil
}

// join joins slash-separated path elements.
func join(dir, name string) string { return path.Join(dir, name) }

// Sink is an io.Writer that counts and drops what it is given. It has no
// ReadFrom method, so io.Copy into it either uses the source's WriteTo or
// a 32 KiB buffer, as copying into a socket or a pipe would.
type Sink struct{ N int64 }

// Write implements io.Writer.
func (s *Sink) Write(p []byte) (int, error) {
	s.N += int64(len(p))
	return len(p), nil
}

// onlyReader hides every method of a reader but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// OnlyReader wraps r so that only its Read method is visible, as for a
// socket or a pipe: io.Copy from it then uses the destination's ReadFrom.
func OnlyReader(r io.Reader) io.Reader { return onlyReader{r} }
