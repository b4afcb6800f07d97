package smbfs

import (
	"context"

	"io"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Progress describes a transfer in flight.
type Progress struct {
	Done    int64         // bytes moved so far
	Total   int64         // bytes to move; -1 when unknown
	Elapsed time.Duration // since the transfer started
	Rate    float64       // bytes per second over the last few seconds
}

// ProgressFunc receives progress reports. Returning a non-nil error stops
// the transfer, which then returns that error.
type ProgressFunc func(Progress) error

// TransferOption configures Download and Upload.
type TransferOption func(*transferOptions)

type transferOptions struct {
	progress ProgressFunc
	interval time.Duration
	size     int64
	perm     fs.FileMode
}

// WithProgress calls fn as the transfer advances (at most every
// WithProgressInterval, default 200 ms) and once at the end.
func WithProgress(fn ProgressFunc) TransferOption {
	return func(o *transferOptions) { o.progress = fn }
}

// WithProgressInterval sets the time between progress reports.
func WithProgressInterval(d time.Duration) TransferOption {
	return func(o *transferOptions) { o.interval = d }
}

// WithSize tells Upload how many bytes the reader will yield, for
// Progress.Total (Upload finds it itself for *os.File and readers with a
// Len method).
func WithSize(n int64) TransferOption {
	return func(o *transferOptions) { o.size = n }
}

// WithPerm sets the mode of a file Upload creates (only the owner-write bit
// matters, see Chmod). Default 0666.
func WithPerm(perm fs.FileMode) TransferOption {
	return func(o *transferOptions) { o.perm = perm }
}

// meter counts bytes and reports progress.
type meter struct {
	o     transferOptions
	start time.Time
	mu    sync.Mutex
	done  int64
	last  time.Time
	// samples for the rate: (time, done) a few seconds back.
	refT time.Time
	refN int64
	rate float64
}

func newMeter(opts []TransferOption, total int64) *meter {
	m := &meter{o: transferOptions{interval: 200 * time.Millisecond, size: total, perm: 0o666}}
	for _, opt := range opts {
		opt(&m.o)
	}
	m.start = time.Now()
	m.refT = m.start
	return m
}

// add records n more bytes; it returns the progress function's verdict.
func (m *meter) add(n int) error {
	m.mu.Lock()
	m.done += int64(n)
	now := time.Now()
	due := m.o.progress != nil && now.Sub(m.last) >= m.o.interval
	var p Progress
	if due {
		m.last = now
		p = m.snapshotLocked(now)
	}
	m.mu.Unlock()
	if due {
		return m.report(p)
	}
	return nil
}

func (m *meter) snapshotLocked(now time.Time) Progress {
	if d := now.Sub(m.refT); d > 0 {
		m.rate = float64(m.done-m.refN) / d.Seconds()
		if d > 3*time.Second {
			m.refT, m.refN = now, m.done
		}
	}
	return Progress{Done: m.done, Total: m.o.size, Elapsed: now.Sub(m.start), Rate: m.rate}
}

func (m *meter) report(p Progress) error {
	if err := m.o.progress(p); err != nil {
		return err
	}
	return nil
}

// finish sends the final report.
func (m *meter) finish() error {
	if m.o.progress == nil {
		return nil
	}
	m.mu.Lock()
	p := m.snapshotLocked(time.Now())
	m.mu.Unlock()
	return m.report(p)
}

// meteredWriter counts what passes to w.
type meteredWriter struct {
	w io.Writer
	m *meter
}

func (mw meteredWriter) Write(p []byte) (int, error) {
	n, err := mw.w.Write(p)
	if perr := mw.m.add(n); perr != nil && err == nil {
		err = perr
	}
	return n, err
}

// meteredReader counts what comes from r.
type meteredReader struct {
	r io.Reader
	m *meter
}

func (mr meteredReader) Read(p []byte) (int, error) {
	n, err := mr.r.Read(p)
	if perr := mr.m.add(n); perr != nil {
		return n, perr
	}
	return n, err
}

// Download copies the named file into w through the pipelined window (the
// read-ahead keeps up to 4 MiB in flight, so memory stays bounded however
// large the file). It stops when the FS's context ends or the progress
// function returns an error, and returns the bytes written to w.
func (fsys *FS) Download(name string, w io.Writer, opts ...TransferOption) (int64, error) {
	f, err := fsys.openFile("download", name, os.O_RDONLY, 0)
	if err != nil {
		return 0, err
	}
	ctx := fsys.context()
	defer f.h.Close(context.WithoutCancel(ctx))
	m := newMeter(opts, f.h.Attr().Size)
	n, err := f.h.WriteTo(ctx, meteredWriter{w, m}, 0)
	if err == nil {
		err = m.finish()
	}
	return n, pathErr("download", name, err)
}

// Upload creates (or truncates) the named file and copies r into it through
// the pipelined window, then flushes it to stable storage. Memory stays
// bounded (the window's chunks) however much r yields. It stops when the
// FS's context ends or the progress function returns an error, and returns
// the bytes taken from r.
func (fsys *FS) Upload(name string, r io.Reader, opts ...TransferOption) (int64, error) {
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	m := newMeter(opts, size)
	f, err := fsys.openFile("upload", name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, m.o.perm)
	if err != nil {
		return 0, err
	}
	ctx := fsys.context()
	n, err := f.h.ReadFrom(ctx, meteredReader{r, m}, 0)
	cerr := f.h.Close(ctx)
	if err == nil {
		err = cerr
	}
	if err == nil {
		err = m.finish()
	}
	return n, pathErr("upload", name, err)
}
