package smbfs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/faultproxy"
	"github.com/smbfs/smbfs/fstest/samba"
	"github.com/smbfs/smbfs/pipeline"
)

// durableServer starts the durable-handles preset and a fault proxy in
// front of it.
func durableServer(t *testing.T) (*samba.Server, *faultproxy.Proxy) {
	t.Helper()
	srv := samba.StartT(t, samba.Durable())
	p, err := faultproxy.New(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return srv, p
}

// dialThrough dials the durable share through the fault proxy p, closing
// the connection at cleanup (after the cleanups the test registers later,
// such as a scratch directory's removal).
func dialThrough(t *testing.T, p *faultproxy.Proxy, opts ...smbfs.Option) *smbfs.FS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fsys, err := smbfs.Dial(ctx, samba.URLFor(p.Addr(), "durable", &user), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

// generated is a reproducible pseudo-random stream of n bytes.
func generated(seed byte, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{seed}), n)
}

func sum(r io.Reader) []byte {
	h := sha256.New()
	io.Copy(h, r)
	return h.Sum(nil)
}

func TestDurableHandleGranted(t *testing.T) {
	srv, _ := durableServer(t)
	fsys := dial(t, srv, "durable", &user)
	f, err := fsys.Create("d")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !smbfs.DurableForTest(f) {
		t.Fatal("the durable share did not grant a durable handle")
	}
}

// TestTransfersSurviveResets: the connection is reset 20 times during a
// 1 GiB upload and 20 times during its download; the client reconnects,
// reclaims its durable handle and resumes, and the bytes come out
// identical.
func TestTransfersSurviveResets(t *testing.T) {
	const size = 1 << 30
	srv, p := durableServer(t)
	var attempts, failures atomic.Int64
	fsys := dialThrough(t, p,
		smbfs.WithReconnectHook(func(ev smbfs.ReconnectEvent) {
			attempts.Add(1)
			if ev.Err != nil {
				failures.Add(1)
			}
		}))

	// resetter cuts the connection 20 times while a transfer runs.
	resetter := func(done <-chan struct{}) *sync.WaitGroup {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				select {
				case <-done:
					return
				case <-time.After(time.Duration(150+rand.IntN(200)) * time.Millisecond):
				}
				p.ResetAll()
			}
		}()
		return &wg
	}

	done := make(chan struct{})
	wg := resetter(done)
	start := time.Now()
	n, err := fsys.Upload("big.bin", generated(7, size))
	close(done)
	wg.Wait()
	upResets := p.Resets()
	t.Logf("upload: %d bytes in %v with %d resets", n, time.Since(start), upResets)
	if err != nil || n != size {
		t.Fatalf("upload through resets: %d bytes, %v", n, err)
	}

	done = make(chan struct{})
	wg = resetter(done)
	start = time.Now()
	h := sha256.New()
	m, err := fsys.Download("big.bin", h)
	close(done)
	wg.Wait()
	t.Logf("download: %d bytes in %v with %d resets; %d reconnect attempts, %d failed; Stats.Reconnects %d",
		m, time.Since(start), p.Resets()-upResets, attempts.Load(), failures.Load(), fsys.Client().Stats().Reconnects)
	if err != nil || m != size {
		t.Fatalf("download through resets: %d bytes, %v", m, err)
	}
	if !bytes.Equal(h.Sum(nil), sum(generated(7, size))) {
		t.Fatal("downloaded bytes differ from what was uploaded")
	}
	if got := sum(openOnDisk(t, srv, "durable", "big.bin")); !bytes.Equal(got, sum(generated(7, size))) {
		t.Fatal("the file on the server differs from what was uploaded")
	}
	if p.Resets() < 30 || fsys.Client().Stats().Reconnects < 10 {
		t.Errorf("only %d resets and %d reconnects: the transfer outran the resetter", p.Resets(), fsys.Client().Stats().Reconnects)
	}
	fsys.Remove("big.bin")
}

// openOnDisk opens a file in a share's directory directly.
func openOnDisk(t *testing.T, srv *samba.Server, share, name string) io.Reader {
	t.Helper()
	f, err := os.Open(filepath.Join(srv.SharePath(share), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestOpenFileSurvivesAReset: a file open across resets keeps working for
// reads and writes; its durable handle is reclaimed each time.
func TestOpenFileSurvivesAReset(t *testing.T) {
	srv, p := durableServer(t)
	fsys := dialThrough(t, p)
	f, err := fsys.OpenFile("open.bin", os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	file := f.(*smbfs.File)
	want := randomBytes(5 << 20)
	for i := 0; i < 5; i++ {
		if _, err := file.WriteAt(want[i<<20:(i+1)<<20], int64(i)<<20); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		p.ResetAll()
		got := make([]byte, (i+1)<<20)
		if _, err := file.ReadAt(got, 0); err != nil || !bytes.Equal(got, want[:(i+1)<<20]) {
			t.Fatalf("read after reset %d: %v", i, err)
		}
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
	if got := sum(openOnDisk(t, srv, "durable", "open.bin")); !bytes.Equal(got, sum(bytes.NewReader(want))) {
		t.Fatal("file on disk differs")
	}
	if n := fsys.Client().Stats().Reconnects; n < 5 {
		t.Errorf("%d reconnects for 5 resets", n)
	}
}

// TestReconnectWhenTheNewConnectionBreaks: the fault that broke a
// connection strikes again while the client is recovering — once before the
// tree is reconnected, once in the middle of reclaiming the durable handle
// (the proxy resets the link on the request carrying the DH2C context). The
// client starts over with another connection each time; the open file is
// not declared lost, and its bytes end up right.
func TestReconnectWhenTheNewConnectionBreaks(t *testing.T) {
	srv, p := durableServer(t)
	var cutTreeConnect atomic.Bool
	var reconnected atomic.Int64
	fsys := dialThrough(t, p,
		smbfs.WithReconnectHook(func(ev smbfs.ReconnectEvent) {
			if ev.Err != nil {
				return
			}
			reconnected.Add(1)
			// The hook runs once the new session is up and before the
			// share's tree is connected on it.
			if cutTreeConnect.CompareAndSwap(true, false) {
				p.ResetAll()
			}
		}))
	f, err := fsys.OpenFile("again.bin", os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	file := f.(*smbfs.File)
	if !smbfs.DurableForTest(file) {
		t.Fatal("no durable handle granted")
	}
	want := randomBytes(2 << 20)
	if _, err := file.WriteAt(want[:1<<20], 0); err != nil {
		t.Fatal(err)
	}

	cutTreeConnect.Store(true)
	p.ResetOn([]byte("DH2C"))
	p.ResetAll()
	if _, err := file.WriteAt(want[1<<20:], 1<<20); err != nil {
		t.Fatalf("write after the resets: %v", err)
	}
	got := make([]byte, len(want))
	if _, err := file.ReadAt(got, 0); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back: %v (equal %v)", err, bytes.Equal(got, want))
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
	if got := sum(openOnDisk(t, srv, "durable", "again.bin")); !bytes.Equal(got, sum(bytes.NewReader(want))) {
		t.Fatal("file on disk differs")
	}
	if cutTreeConnect.Load() {
		t.Error("the reconnect hook never cut a new connection")
	}
	// 1 reset by the test, 1 by the hook, 1 by the DH2C trap: three new
	// connections before one lasted.
	if n := p.Resets(); n != 3 {
		t.Errorf("%d resets, want 3 (did the DH2C trap fire?)", n)
	}
	if n := reconnected.Load(); n != 3 {
		t.Errorf("%d successful reconnects, want 3", n)
	}
}

// TestBatchAfterAReset: a batch sent on a connection that has already
// broken reconnects at its first operation, and every operation, the
// Mkdir after it included, runs on the new connection.
func TestBatchAfterAReset(t *testing.T) {
	_, p := durableServer(t)
	fsys := dialThrough(t, p)
	dir := scratch(t, fsys)
	for _, name := range []string{"a", "b", "c"} {
		writeFileT(t, dir, name, "content of "+name)
	}
	p.ResetAll()
	// Let the client see the reset before the batch is sent.
	deadline := time.Now().Add(5 * time.Second)
	for fsys.Client().Stats().Failure == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	res := dir.Batch(smbfs.ReadFileOp("a"), smbfs.StatOp("b"), smbfs.ReadFileOp("c"), smbfs.MkdirOp("d", 0o755))
	for i, r := range res {
		if r.Err != nil {
			t.Errorf("operation %d after the reset: %v", i, r.Err)
		}
	}
	if string(res[0].Data) != "content of a" || res[1].Info == nil || string(res[2].Data) != "content of c" {
		t.Errorf("results after the reset: %q, %v, %q", res[0].Data, res[1].Info, res[2].Data)
	}
	if n := fsys.Client().Stats().Reconnects; n != 1 {
		t.Errorf("%d reconnects, want 1", n)
	}
}

// TestNonIdempotentNotRetried: a Remove whose connection dies before the
// answer is not retried; its error says it may have taken effect. The
// next operation reconnects.
func TestNonIdempotentNotRetried(t *testing.T) {
	_, p := durableServer(t)
	fsys := dialThrough(t, p, smbfs.WithLiveness(500*time.Millisecond, time.Second))
	if err := fsys.WriteFile("victim", []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	p.BlackHole(true)
	err := fsys.Remove("victim")
	p.BlackHole(false)
	var ie *pipeline.IndeterminateError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "may have taken effect") {
		t.Fatalf("Remove on a dying connection: %v; want IndeterminateError", err)
	}
	// Idempotent operations reconnect transparently.
	if err := fsys.WriteFile("after", []byte("y"), 0o666); err != nil {
		t.Fatal(err)
	}
	fsys.Remove("after")
}

// TestBlackHoledLink: packets vanish, no RST. Operations fail within a
// documented bound (DeadAfter, then the reconnect budget), never hang.
func TestBlackHoledLink(t *testing.T) {
	_, p := durableServer(t)
	fsys := dialThrough(t, p,
		smbfs.WithLiveness(500*time.Millisecond, 2*time.Second), smbfs.WithReconnect(3*time.Second))
	if err := fsys.WriteFile("x", []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	p.BlackHole(true)
	defer p.BlackHole(false)
	start := time.Now()
	_, err := fsys.Stat("x")
	d := time.Since(start)
	if err == nil {
		t.Fatal("Stat through a black hole succeeded")
	}
	if !errors.Is(err, smbfs.ErrReconnectFailed) {
		t.Errorf("error %v; want ErrReconnectFailed", err)
	}
	if d > 2*time.Second+3*time.Second+2*time.Second {
		t.Fatalf("took %v; bound is DeadAfter 2 s + budget 3 s", d)
	}
	t.Logf("black hole reported after %v: %v", d, err)
}

// TestSlowServer: 500 ms each way is slow, not dead.
func TestSlowServer(t *testing.T) {
	_, p := durableServer(t)
	p.SetDelay(500 * time.Millisecond)
	fsys := dialThrough(t, p)
	data := randomBytes(300 << 10)
	if err := fsys.WriteFile("slow", data, 0o666); err != nil {
		t.Fatal(err)
	}
	got, err := fsys.ReadFile("slow")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back: %v", err)
	}
	if n := fsys.Client().Stats().Reconnects; n != 0 {
		t.Errorf("a slow server caused %d reconnects", n)
	}
	fsys.Remove("slow")
}

// TestFlappingServer: a server up 5 s and down 5 s. While it is down,
// operations fail within the reconnect budget with a clear error; once it
// is back, they work again.
func TestFlappingServer(t *testing.T) {
	_, p := durableServer(t)
	fsys := dialThrough(t, p, smbfs.WithReconnect(2*time.Second))
	for cycle := 0; cycle < 2; cycle++ {
		p.Down(true)
		start := time.Now()
		err := fsys.WriteFile("flap", []byte("down"), 0o666)
		if !errors.Is(err, smbfs.ErrReconnectFailed) || time.Since(start) > 4*time.Second {
			t.Fatalf("cycle %d, server down: %v after %v; want ErrReconnectFailed within the 2 s budget", cycle, err, time.Since(start))
		}
		time.Sleep(5*time.Second - time.Since(start))
		p.Down(false)
		if err := fsys.WriteFile("flap", []byte("up"), 0o666); err != nil {
			t.Fatalf("cycle %d, server back: %v", cycle, err)
		}
		time.Sleep(time.Second)
	}
}

// startRestartable starts the durable-handle server with its share in a
// directory of the test's own, so that the files outlive a restart of smbd;
// it returns the configuration to start the server again with.
func startRestartable(t *testing.T, prefix string) (*samba.Server, samba.Config) {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	cfg := samba.Durable()
	cfg.Shares[0].Path = dir
	return samba.StartT(t, cfg), cfg
}

// TestServerRestartDuringTransfer: smbd is killed and started again on the
// same port mid-upload. Its durable-handle state is gone, so the handle is
// reopened by path — the file identity check passes, it is the same file —
// and the upload completes byte-identical.
func TestServerRestartDuringTransfer(t *testing.T) {
	srv, cfg := startRestartable(t, "smbfs-restart-")
	fsys, err := smbfs.Dial(context.Background(), srv.URL("durable", &user))
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	const size = 256 << 20
	done := make(chan error, 1)
	var sent atomic.Int64
	go func() {
		_, err := fsys.Upload("restart.bin", io.TeeReader(generated(9, size), writerFunc(func(p []byte) (int, error) {
			sent.Add(int64(len(p)))
			return len(p), nil
		})))
		done <- err
	}()
	for sent.Load() < size/4 {
		time.Sleep(10 * time.Millisecond)
	}
	port := srv.Port()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	cfg.Port = port
	srv2 := samba.StartT(t, cfg)
	if err := <-done; err != nil {
		t.Fatalf("upload across a server restart: %v", err)
	}
	if got := sum(openOnDisk(t, srv2, "durable", "restart.bin")); !bytes.Equal(got, sum(generated(9, size))) {
		t.Fatal("file on disk differs")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestWatchSurvivesReconnect: a watcher whose connection is reset keeps
// going on the new connection: it reports ErrOverflow once (changes made
// while nothing was registered are lost: rescan) and then the changes made
// after the reconnect, with no final error.
func TestWatchSurvivesReconnect(t *testing.T) {
	_, p := durableServer(t)
	fsys := dialThrough(t, p, smbfs.WithReconnect(10*time.Second))
	dir, _ := scratchNamed(t, fsys)
	rec := watchWorking(t, dir)

	for i := range 2 {
		p.ResetAll()
		if !rec.waitUntil(watchEventWait, overflows(i+1)) {
			evs, errs := rec.snapshot()
			t.Fatalf("reset %d: no ErrOverflow after the reset: events %v, errors %v", i+1, evs, errs)
		}
		after := fmt.Sprintf("after-%d.txt", i+1)
		time.Sleep(watchRegisterDelay)
		writeFileT(t, dir, after, "y")
		if !rec.waitUntil(watchEventWait, created(after)) {
			evs, errs := rec.snapshot()
			t.Fatalf("reset %d: no Create for %s: events %v, errors %v", i+1, after, evs, errs)
		}
	}
	select {
	case <-rec.closed:
		_, errs := rec.snapshot()
		t.Fatalf("the watcher ended: %v", errs)
	default:
	}
	wantOnlyOverflows(t, rec)
	if n := fsys.Client().Stats().Reconnects; n < 2 {
		t.Fatalf("%d reconnects for 2 resets", n)
	}
}

// TestServerRestartDuringWatch: smbd is stopped and started again on the
// same port under a watcher. The watcher reconnects with the client,
// reports ErrOverflow (what changed while the server was down is unknown)
// and then reports changes made after the restart.
func TestServerRestartDuringWatch(t *testing.T) {
	srv, cfg := startRestartable(t, "smbfs-restart-watch-")
	fsys, err := smbfs.Dial(context.Background(), srv.URL("durable", &user), smbfs.WithReconnect(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	rec := watchWorking(t, fsys)

	port := srv.Port()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	cfg.Port = port
	samba.StartT(t, cfg)
	if !rec.waitUntil(30*time.Second, overflows(1)) {
		evs, errs := rec.snapshot()
		t.Fatalf("no ErrOverflow after the restart: events %v, errors %v", evs, errs)
	}
	time.Sleep(watchRegisterDelay)
	writeFileT(t, fsys, "after.txt", "y")
	if !rec.waitUntil(watchEventWait, created("after.txt")) {
		evs, errs := rec.snapshot()
		t.Fatalf("no Create for after.txt after the restart: events %v, errors %v", evs, errs)
	}
	wantOnlyOverflows(t, rec)
}

// watchWorking watches fsys's root and proves the watch is registered: a
// file created through fsys arrives as CREATE before the test goes on. The
// watcher is closed at cleanup.
func watchWorking(t *testing.T, fsys *smbfs.FS) *eventRecorder {
	t.Helper()
	w, err := fsys.Watch(context.Background(), ".")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	rec := recordEvents(w)
	time.Sleep(watchRegisterDelay)
	writeFileT(t, fsys, "before.txt", "x")
	if !rec.waitUntil(watchEventWait, created("before.txt")) {
		evs, errs := rec.snapshot()
		t.Fatalf("no Create for before.txt: events %v, errors %v", evs, errs)
	}
	return rec
}

// created is a waitUntil condition: an OpCreate event for name arrived.
func created(name string) func([]smbfs.Event, []error) bool {
	return func(evs []smbfs.Event, _ []error) bool {
		return slices.ContainsFunc(evs, func(e smbfs.Event) bool { return e.Name == name && e.Has(smbfs.OpCreate) })
	}
}

// overflows is a waitUntil condition: n ErrOverflow reports arrived.
func overflows(n int) func([]smbfs.Event, []error) bool {
	return func(_ []smbfs.Event, errs []error) bool {
		got := 0
		for _, err := range errs {
			if errors.Is(err, smbfs.ErrOverflow) {
				got++
			}
		}
		return got >= n
	}
}

// wantOnlyOverflows fails t if the watcher reported an error other than
// ErrOverflow.
func wantOnlyOverflows(t *testing.T, rec *eventRecorder) {
	t.Helper()
	_, errs := rec.snapshot()
	for _, err := range errs {
		if !errors.Is(err, smbfs.ErrOverflow) {
			t.Fatalf("error other than ErrOverflow: %v", err)
		}
	}
}
