package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

var fileCounter atomic.Int64

// tempName returns a file name unique to this run.
func tempName(t testing.TB) string {
	return fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), fileCounter.Add(1))
}

func randomData(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// create opens a fresh file for reading and writing, removed at cleanup.
func create(t testing.TB, s *Share) (*Handle, string) {
	t.Helper()
	name := tempName(t)
	h, err := s.Open(context.Background(), name, OpenOptions{Access: AccessRead | AccessWrite, Disposition: CreateOrTruncate, Kind: FileOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.Close(context.Background())
		s.Remove(context.Background(), name)
	})
	return h, name
}

// chunkedShares returns shares where the chunk size is 64 KiB: the server
// with 64 KiB limits, and the main server with small chunks configured.
func chunkedShares(t *testing.T) map[string]*Share {
	return map[string]*Share{
		"smallio": connect(t, servers.smallio, "private", Config{}),
		"main-64k-chunks": connect(t, servers.main, "private", Config{
			ReadChunk: 64 << 10, WriteChunk: 64 << 10, ReadBuffer: 16 << 10, ReadAhead: 512 << 10, Window: 5,
		}),
	}
}

// TestChunkBoundaries checks every way of moving data against a local model
// at and around chunk boundaries: a wrong byte at any boundary fails.
func TestChunkBoundaries(t *testing.T) {
	for name, s := range chunkedShares(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			chunk := s.readChunk
			size := 40*chunk + 13
			model := randomData(size)
			h, _ := create(t, s)
			// One large WriteAt through the window.
			if n, err := h.WriteAt(ctx, model, 0); n != size || err != nil {
				t.Fatalf("WriteAt: %d, %v", n, err)
			}
			// Reads at, just before and just after boundaries, of lengths
			// around the chunk size.
			for _, k := range []int{0, 1, 2, 7, 31, 39} {
				for _, delta := range []int{-1, 0, 1} {
					off := k*chunk + delta
					if off < 0 {
						continue
					}
					for _, n := range []int{1, chunk - 1, chunk, chunk + 1, 3*chunk + 5, 17 * chunk} {
						buf := make([]byte, n)
						got, err := h.ReadAt(ctx, buf, int64(off))
						want := min(n, size-off)
						if got != want || (got < n && err != io.EOF) || (got == n && err != nil) {
							t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d", n, off, got, err, want)
						}
						if !bytes.Equal(buf[:got], model[off:off+got]) {
							t.Fatalf("ReadAt(%d bytes at %d): wrong bytes", n, off)
						}
					}
				}
			}
			// Overwrite ranges that straddle boundaries, with WriteAt and
			// with queued Writes, then compare the whole file.
			for i, r := range []struct{ off, n int }{{chunk - 3, 7}, {5*chunk - 1, 2*chunk + 2}, {size - 10, 10}} {
				patch := randomData(r.n)
				copy(model[r.off:], patch)
				if i%2 == 0 {
					if _, err := h.WriteAt(ctx, patch, int64(r.off)); err != nil {
						t.Fatal(err)
					}
				} else if _, err := h.Write(ctx, patch, int64(r.off)); err != nil {
					t.Fatal(err)
				}
			}
			// Sequential writes in awkward pieces through write-behind.
			pos := 0
			for _, piece := range []int{1000, 33333, chunk, chunk + 1, 3, 2*chunk - 7} {
				p := randomData(piece)
				copy(model[10*chunk+pos:], p)
				if _, err := h.Write(ctx, p, int64(10*chunk+pos)); err != nil {
					t.Fatal(err)
				}
				pos += piece
			}
			got := make([]byte, size+100)
			n, err := h.ReadAt(ctx, got, 0)
			if n != size || err != io.EOF || !bytes.Equal(got[:n], model) {
				t.Fatalf("final read: %d, %v, equal %v", n, err, bytes.Equal(got[:n], model))
			}
			// Sequential small reads (the read-ahead path) see it all too.
			var seq bytes.Buffer
			small := make([]byte, 1000)
			for off := int64(0); ; {
				n, err := h.ReadAt(ctx, small, off)
				seq.Write(small[:n])
				off += int64(n)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(seq.Bytes(), model) {
				t.Fatalf("sequential read: %d bytes, equal %v", seq.Len(), bytes.Equal(seq.Bytes(), model))
			}
		})
	}
}

func TestReadAheadMemoryBound(t *testing.T) {
	cfg := Config{ReadAhead: 2 << 20}
	s := connect(t, servers.main, "private", cfg)
	ctx := context.Background()
	size := 24 << 20
	data := randomData(size)
	h, name := create(t, s)
	if _, err := h.WriteAt(ctx, data, 0); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(ctx, name, OpenOptions{Access: AccessRead, Kind: FileOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	buf := make([]byte, 32<<10)
	var got bytes.Buffer
	for off := int64(0); ; {
		n, err := r.ReadAt(ctx, buf, off)
		got.Write(buf[:n])
		off += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if off == 8<<20 {
			// A read elsewhere drops the read-ahead...
			if _, err := r.ReadAt(ctx, make([]byte, 10), 20<<20); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatal("wrong bytes")
	}
	bound := int64(cfg.ReadAhead + s.readBuffer + s.readChunk)
	if peak := r.ReadAheadPeak(); peak > bound || peak < int64(cfg.ReadAhead)/2 {
		t.Fatalf("read-ahead peak %d bytes; want within (%d, %d]", peak, cfg.ReadAhead/2, bound)
	}
}

// waitIdle waits until the connection has nothing outstanding and every
// credit charged has come back.
func waitIdle(t *testing.T, s *Share) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.tree.Conn().Stats()
		if len(st.Outstanding) == 0 && st.CreditsInFlight == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection never went idle: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGoroutines waits until the goroutine count falls back to base.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines leaked: %d > %d\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCancelLeaksNothing(t *testing.T) {
	s := connect(t, servers.main, "private", Config{ReadChunk: 256 << 10, WriteChunk: 256 << 10})
	ctx := context.Background()
	h, _ := create(t, s)
	data := randomData(48 << 20)
	if _, err := h.WriteAt(ctx, data, 0); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	base := runtime.NumGoroutine()
	before := s.tree.Conn().Stats()

	for _, op := range []string{"ReadAt", "WriteAt", "Write"} {
		cctx, cancel := context.WithTimeout(ctx, 3*time.Millisecond)
		var err error
		switch op {
		case "ReadAt":
			_, err = h.ReadAt(cctx, make([]byte, len(data)), 0)
		case "WriteAt":
			_, err = h.WriteAt(cctx, data, 0)
		case "Write":
			for off := 0; off < len(data) && err == nil; off += 32 << 10 {
				_, err = h.Write(cctx, data[off:off+32<<10], int64(off))
			}
			if err == nil {
				err = h.wb.flush(cctx)
			}
		}
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s under a 3 ms deadline: %v; want context.DeadlineExceeded", op, err)
		}
		waitIdle(t, s)
		waitGoroutines(t, base)
	}
	after := s.tree.Conn().Stats()
	if after.CreditsAvailable < before.CreditsAvailable/2 {
		t.Fatalf("credits leaked: %d available before, %d after", before.CreditsAvailable, after.CreditsAvailable)
	}
	// The connection still works. A background WRITE that the deadline
	// cut is reported by Close; if instead the deadline struck a Write or
	// flush while it waited for room in the window (it said so itself),
	// the data it had queued is still written by Close.
	if _, err := h.ReadAt(ctx, make([]byte, 10), 0); err != nil {
		t.Fatal(err)
	}
	sticky := h.wb.failure()
	err := h.Close(ctx)
	switch {
	case sticky != nil && !errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("Close after a cancelled background write (%v): %v", sticky, err)
	case sticky == nil && err != nil:
		t.Fatalf("Close with queued data and no failed background write: %v", err)
	}
}

func TestErrorInTheMiddleOfTheWindow(t *testing.T) {
	s := connect(t, servers.full, "full", Config{WriteChunk: 256 << 10})
	ctx := context.Background()
	size := 2 * fullSize
	data := randomData(size)
	isDiskFull := func(err error) bool {
		var st wire.Status
		return errors.As(err, &st) && st == wire.StatusDiskFull
	}
	t.Run("WriteAt", func(t *testing.T) {
		h, _ := create(t, s)
		n, err := h.WriteAt(ctx, data, 0)
		if !isDiskFull(err) || n >= size {
			t.Fatalf("WriteAt of %d bytes onto %d: %d, %v; want STATUS_DISK_FULL", size, fullSize, n, err)
		}
		h.Truncate(ctx, 0)
	})
	t.Run("write-behind", func(t *testing.T) {
		h, _ := create(t, s)
		var err error
		for off := 0; off < size && err == nil; off += 32 << 10 {
			_, err = h.Write(ctx, data[off:off+32<<10], int64(off))
		}
		if err == nil {
			err = h.Close(ctx)
		} else {
			h.Close(ctx)
		}
		if !isDiskFull(err) {
			t.Fatalf("queued writes past the end of the disk: %v; want STATUS_DISK_FULL by Close at the latest", err)
		}
	})
	t.Run("ReadFrom", func(t *testing.T) {
		h, _ := create(t, s)
		_, err := h.ReadFrom(ctx, bytes.NewReader(data), 0)
		if cerr := h.Close(ctx); err == nil {
			err = cerr
		}
		if !isDiskFull(err) {
			t.Fatalf("ReadFrom past the end of the disk: %v; want STATUS_DISK_FULL", err)
		}
	})
}

func TestStreams(t *testing.T) {
	s := connect(t, servers.main, "private", Config{})
	ctx := context.Background()
	data := randomData(10<<20 + 77)
	h, name := create(t, s)
	if n, err := h.ReadFrom(ctx, bytes.NewReader(data), 0); n != int64(len(data)) || err != nil {
		t.Fatalf("ReadFrom: %d, %v", n, err)
	}
	if err := h.Close(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(ctx, name, OpenOptions{Access: AccessRead})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	var out bytes.Buffer
	if n, err := r.WriteTo(ctx, &out, 0); n != int64(len(data)) || err != nil {
		t.Fatalf("WriteTo: %d, %v", n, err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("wrong bytes")
	}
	got, err := s.ReadFile(ctx, name)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadFile: %d bytes, %v", len(got), err)
	}
}
