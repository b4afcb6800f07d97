package smbfs_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
	"github.com/smbfs/smbfs/protocol"
)

// Timing of the watcher tests. Samba answers a change within milliseconds;
// the bounds are generous for loaded CI machines.
const (
	watchEventWait  = 10 * time.Second       // for expected events to arrive
	watchSettle     = 500 * time.Millisecond // for unexpected ones to show up
	watchCloseLimit = 5 * time.Second        // for channels to close
	// watchRegisterDelay gives Samba time to register a new watch: smbd
	// hands the subscription to its notifyd by message, after answering
	// the request, so a change made within milliseconds of Watch
	// returning can reach notifyd first and go unreported.
	watchRegisterDelay = 200 * time.Millisecond
)

// exactNotify is a server with "kernel change notify = no": it reports
// exactly the changes made over SMB, nothing from its own disk.
func exactNotifyServer(t *testing.T) *samba.Server {
	return samba.StartT(t, samba.Config{
		Name:   "notify-exact",
		Users:  []samba.User{user},
		Global: [][2]string{{"kernel change notify", "no"}},
		Shares: []samba.Share{{Name: "public", Guest: true}},
	})
}

// eventRecorder collects what a Watcher delivers.
type eventRecorder struct {
	mu     sync.Mutex
	events []smbfs.Event
	errs   []error
	closed chan struct{} // both channels closed
}

// record starts reading w's channels until both close.
func recordEvents(w *smbfs.Watcher) *eventRecorder {
	r := &eventRecorder{closed: make(chan struct{})}
	go func() {
		defer close(r.closed)
		events, errs := w.Events, w.Errors
		for events != nil || errs != nil {
			select {
			case ev, ok := <-events:
				if !ok {
					events = nil
					continue
				}
				r.mu.Lock()
				r.events = append(r.events, ev)
				r.mu.Unlock()
			case err, ok := <-errs:
				if !ok {
					errs = nil
					continue
				}
				r.mu.Lock()
				r.errs = append(r.errs, err)
				r.mu.Unlock()
			}
		}
	}()
	return r
}

// snapshot returns copies of what has arrived so far.
func (r *eventRecorder) snapshot() ([]smbfs.Event, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events), slices.Clone(r.errs)
}

// waitUntil polls until cond holds for the events and errors so far, or
// the timeout passes; it reports whether cond held.
func (r *eventRecorder) waitUntil(timeout time.Duration, cond func([]smbfs.Event, []error) bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		evs, errs := r.snapshot()
		if cond(evs, errs) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitQuiet waits until nothing has arrived for quiet (at most
// watchEventWait).
func (r *eventRecorder) waitQuiet(quiet time.Duration) {
	deadline := time.Now().Add(watchEventWait)
	evs, errs := r.snapshot()
	last, since := len(evs)+len(errs), time.Now()
	for time.Since(since) < quiet && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		evs, errs = r.snapshot()
		if n := len(evs) + len(errs); n != last {
			last, since = n, time.Now()
		}
	}
}

// waitClosed waits for both channels to close.
func (r *eventRecorder) waitClosed(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	select {
	case <-r.closed:
		return time.Since(start)
	case <-time.After(watchCloseLimit):
		t.Fatalf("watcher channels still open after %v", watchCloseLimit)
		return 0
	}
}

// contains reports whether evs has an event equal to want.
func hasEvent(evs []smbfs.Event, want smbfs.Event) bool {
	return slices.Contains(evs, want)
}

// watchCase is one change and the events it must (and may) produce.
type watchCase struct {
	name string
	// setup prepares the directory (through the other connection) before
	// the watch starts.
	setup func(t *testing.T, other *smbfs.FS)
	// change makes the change: through the other connection (other) or
	// on the server's disk (disk is the directory's path there).
	change func(other *smbfs.FS, disk string) error
	// want must all arrive.
	want []smbfs.Event
	// touched names may also see WRITE and CHMOD: FILE_ACTION_MODIFIED
	// says "something changed", and Samba's kernel change notify reports
	// on-disk changes more than once and under more than one filter.
	touched []string
}

// mustWrite writes a file through fsys or fails the test.
func writeFileT(t *testing.T, fsys *smbfs.FS, name, data string) {
	t.Helper()
	if err := fsys.WriteFile(name, []byte(data), 0o666); err != nil {
		t.Fatal(err)
	}
}

// watchSMBChanges are changes made through a second smbfs connection.
var watchSMBChanges = []watchCase{
	{
		name: "create",
		change: func(o *smbfs.FS, _ string) error {
			f, err := o.Create("new.txt")
			if err != nil {
				return err
			}
			return f.Close()
		},
		want:    []smbfs.Event{{Name: "new.txt", Op: smbfs.OpCreate}},
		touched: []string{"new.txt"},
	},
	{
		name:    "create mapped name",
		change:  func(o *smbfs.FS, _ string) error { return o.WriteFile("12:30 what?.log", []byte("x"), 0o666) },
		want:    []smbfs.Event{{Name: "12:30 what?.log", Op: smbfs.OpCreate}},
		touched: []string{"12:30 what?.log"},
	},
	{
		name:  "write",
		setup: func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "data.txt", "one") },
		change: func(o *smbfs.FS, _ string) error {
			f, err := o.OpenFile("data.txt", os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			if _, err := f.(*smbfs.File).Write([]byte(" two")); err != nil {
				return err
			}
			return f.Close()
		},
		want:    []smbfs.Event{{Name: "data.txt", Op: smbfs.OpWrite}},
		touched: []string{"data.txt"},
	},
	{
		name:   "rename",
		setup:  func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "old.txt", "x") },
		change: func(o *smbfs.FS, _ string) error { return o.Rename("old.txt", "renamed.txt") },
		want: []smbfs.Event{
			{Name: "old.txt", Op: smbfs.OpRename},
			{Name: "renamed.txt", Op: smbfs.OpCreate, OldName: "old.txt"},
		},
		touched: []string{"renamed.txt"},
	},
	{
		name:    "delete",
		setup:   func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "gone.txt", "x") },
		change:  func(o *smbfs.FS, _ string) error { return o.Remove("gone.txt") },
		want:    []smbfs.Event{{Name: "gone.txt", Op: smbfs.OpRemove}},
		touched: []string{"gone.txt"},
	},
	{
		name:    "mkdir",
		change:  func(o *smbfs.FS, _ string) error { return o.Mkdir("newdir", 0o777) },
		want:    []smbfs.Event{{Name: "newdir", Op: smbfs.OpCreate}},
		touched: []string{"newdir"},
	},
	{
		name:    "chmod",
		setup:   func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "attr.txt", "x") },
		change:  func(o *smbfs.FS, _ string) error { return o.Chmod("attr.txt", 0o444) },
		want:    []smbfs.Event{{Name: "attr.txt", Op: smbfs.OpChmod}},
		touched: []string{"attr.txt"},
	},
}

// watchDiskChanges are changes made directly in the share's directory on the
// server, which only a server with kernel change notify reports.
var watchDiskChanges = []watchCase{
	{
		name: "create",
		change: func(_ *smbfs.FS, d string) error {
			return os.WriteFile(filepath.Join(d, "disk.txt"), []byte("x"), 0o666)
		},
		want:    []smbfs.Event{{Name: "disk.txt", Op: smbfs.OpCreate}},
		touched: []string{"disk.txt"},
	},
	{
		name:  "write",
		setup: func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "data.txt", "one") },
		change: func(_ *smbfs.FS, d string) error {
			f, err := os.OpenFile(filepath.Join(d, "data.txt"), os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			if _, err := f.WriteString(" two"); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		},
		want:    []smbfs.Event{{Name: "data.txt", Op: smbfs.OpWrite}},
		touched: []string{"data.txt"},
	},
	{
		name:  "rename",
		setup: func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "old.txt", "x") },
		change: func(_ *smbfs.FS, d string) error {
			return os.Rename(filepath.Join(d, "old.txt"), filepath.Join(d, "renamed.txt"))
		},
		want: []smbfs.Event{
			{Name: "old.txt", Op: smbfs.OpRename},
			{Name: "renamed.txt", Op: smbfs.OpCreate, OldName: "old.txt"},
		},
		touched: []string{"renamed.txt"},
	},
	{
		name:    "delete",
		setup:   func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "gone.txt", "x") },
		change:  func(_ *smbfs.FS, d string) error { return os.Remove(filepath.Join(d, "gone.txt")) },
		want:    []smbfs.Event{{Name: "gone.txt", Op: smbfs.OpRemove}},
		touched: []string{"gone.txt"},
	},
	{
		name:    "mkdir",
		change:  func(_ *smbfs.FS, d string) error { return os.Mkdir(filepath.Join(d, "newdir"), 0o777) },
		want:    []smbfs.Event{{Name: "newdir", Op: smbfs.OpCreate}},
		touched: []string{"newdir"},
	},
	{
		name:    "chmod",
		setup:   func(t *testing.T, o *smbfs.FS) { writeFileT(t, o, "attr.txt", "x") },
		change:  func(_ *smbfs.FS, d string) error { return os.Chmod(filepath.Join(d, "attr.txt"), 0o444) },
		want:    []smbfs.Event{{Name: "attr.txt", Op: smbfs.OpChmod}},
		touched: []string{"attr.txt"},
	},
}

// wrongEvents returns the events of evs that c does not explain: anything
// but the wanted events and WRITE or CHMOD of a touched name.
func unexplainedEvents(c watchCase, evs []smbfs.Event) []smbfs.Event {
	var wrong []smbfs.Event
	for _, ev := range evs {
		if hasEvent(c.want, ev) {
			continue
		}
		if slices.Contains(c.touched, ev.Name) && ev.Op&^(smbfs.OpWrite|smbfs.OpChmod) == 0 {
			continue
		}
		wrong = append(wrong, ev)
	}
	return wrong
}

// runChangeCase watches a fresh directory through watcher (mounted from
// srv), makes c's change, and checks the events.
func runWatchCase(t *testing.T, srv *samba.Server, c watchCase) {
	watcher := dial(t, srv, "public", nil)
	other := dial(t, srv, "public", nil)
	_, dir := scratchNamed(t, watcher)
	wsub := subFS(t, watcher, dir)
	osub := subFS(t, other, dir)
	if c.setup != nil {
		c.setup(t, osub)
	}
	w, err := wsub.Watch(t.Context(), ".")
	if err != nil {
		t.Fatal(err)
	}
	rec := recordEvents(w)
	time.Sleep(watchRegisterDelay)
	if err := c.change(osub, filepath.Join(srv.SharePath("public"), dir)); err != nil {
		t.Fatal(err)
	}
	ok := rec.waitUntil(watchEventWait, func(evs []smbfs.Event, _ []error) bool {
		for _, want := range c.want {
			if !hasEvent(evs, want) {
				return false
			}
		}
		return true
	})
	time.Sleep(watchSettle)
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	rec.waitClosed(t)
	evs, errs := rec.snapshot()
	t.Logf("events: %v", evs)
	if !ok {
		t.Errorf("want %v among the events", c.want)
	}
	if wrong := unexplainedEvents(c, evs); len(wrong) > 0 {
		t.Errorf("unexpected events %v", wrong)
	}
	if len(errs) > 0 {
		t.Errorf("errors: %v", errs)
	}
}

// sub returns fsys.Sub(dir) as an *smbfs.FS.
func subFS(t testing.TB, fsys *smbfs.FS, dir string) *smbfs.FS {
	t.Helper()
	s, err := fsys.Sub(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*smbfs.FS)
}

// TestWatchChanges checks the events of each kind of change, made through
// a second connection and made on the server's disk.
//
// Samba reports a write over SMB only through its kernel change notify
// (the default): with "kernel change notify = no" it reports no event for
// a write at all (only for explicit size and time changes), and nothing
// made on its disk. So the exact server runs the SMB changes without the
// write, and the default server runs everything.
func TestWatchChanges(t *testing.T) {
	exact := exactNotifyServer(t)
	groups := []struct {
		name  string
		srv   *samba.Server
		cases []watchCase
	}{
		{"smb/kernel-notify", servers.main, watchSMBChanges},
		{"smb/exact-notify", exact, slices.DeleteFunc(slices.Clone(watchSMBChanges), func(c watchCase) bool { return c.name == "write" })},
		{"disk/kernel-notify", servers.main, watchDiskChanges},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					runWatchCase(t, g.srv, c)
				})
			}
		})
	}
}

// TestWatchRecursive checks that a recursive watch reports changes in
// subdirectories with their path from the FS root, and that a plain watch
// does not.
func TestWatchRecursive(t *testing.T) {
	for _, recursive := range []bool{true, false} {
		t.Run(fmt.Sprintf("recursive=%v", recursive), func(t *testing.T) {
			t.Parallel()
			watcher := dial(t, servers.main, "public", nil)
			other := dial(t, servers.main, "public", nil)
			_, dir := scratchNamed(t, watcher)
			if err := other.MkdirAll(dir+"/w/sub/deeper", 0o777); err != nil {
				t.Fatal(err)
			}
			var opts []smbfs.WatchOption
			if recursive {
				opts = append(opts, smbfs.WatchRecursive())
			}
			// Watch "<dir>/w" on the share-rooted FS: names start with it.
			w, err := watcher.Watch(t.Context(), dir+"/w", opts...)
			if err != nil {
				t.Fatal(err)
			}
			rec := recordEvents(w)
			time.Sleep(watchRegisterDelay)
			deeper := dir + "/w/sub/deeper/"
			writeFileT(t, other, deeper+"f.txt", "x")
			if err := other.Rename(deeper+"f.txt", deeper+"g.txt"); err != nil {
				t.Fatal(err)
			}
			// A move to another directory is a removal and an addition
			// (each directory sees one half), not a rename.
			if err := other.Rename(deeper+"g.txt", dir+"/w/sub/h.txt"); err != nil {
				t.Fatal(err)
			}
			writeFileT(t, other, dir+"/w/top.txt", "x") // seen either way: the end marker
			wantTop := smbfs.Event{Name: dir + "/w/top.txt", Op: smbfs.OpCreate}
			wantDeep := []smbfs.Event{
				{Name: deeper + "f.txt", Op: smbfs.OpCreate},
				{Name: deeper + "f.txt", Op: smbfs.OpRename},
				{Name: deeper + "g.txt", Op: smbfs.OpCreate, OldName: deeper + "f.txt"},
				{Name: deeper + "g.txt", Op: smbfs.OpRemove},
				{Name: dir + "/w/sub/h.txt", Op: smbfs.OpCreate},
			}
			if !rec.waitUntil(watchEventWait, func(evs []smbfs.Event, _ []error) bool { return hasEvent(evs, wantTop) }) {
				t.Fatalf("no %v", wantTop)
			}
			time.Sleep(watchSettle)
			w.Close()
			rec.waitClosed(t)
			evs, _ := rec.snapshot()
			t.Logf("events: %v", evs)
			for _, want := range wantDeep {
				if got := hasEvent(evs, want); got != recursive {
					t.Errorf("%v reported: %v, want %v", want, got, recursive)
				}
			}
			for _, ev := range evs {
				if !strings.HasPrefix(ev.Name, dir+"/w/") {
					t.Errorf("event %v outside the watched directory", ev)
				}
			}
		})
	}
}

// TestWatchManyCreations creates 1,000 files as fast as a few goroutines
// can: every creation must be reported, or an ErrOverflow must say that
// some were lost — never a silently short count.
func TestWatchManyCreations(t *testing.T) {
	const n = 1000
	exact := exactNotifyServer(t)
	cases := []struct {
		name string
		srv  *samba.Server
		opts []smbfs.WatchOption
		// overflow: the case is built to overflow (a buffer too small
		// for a burst), so ErrOverflow must arrive, and the watcher
		// must go on working after it.
		overflow bool
	}{
		{name: "kernel-notify", srv: servers.main},
		{name: "exact-notify", srv: exact},
		// 40 bytes hold one entry for "fNNNN.txt" (30 bytes), not two:
		// a burst cannot fit.
		{name: "small-buffer", srv: exact, opts: []smbfs.WatchOption{smbfs.WatchBufferSize(40)}, overflow: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			watcher := dial(t, c.srv, "public", nil)
			other := dial(t, c.srv, "public", nil)
			_, dir := scratchNamed(t, watcher)
			osub := subFS(t, other, dir)
			w, err := subFS(t, watcher, dir).Watch(t.Context(), ".", c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			rec := recordEvents(w)
			time.Sleep(watchRegisterDelay)
			start := time.Now()
			createFiles(t, osub, n)
			created := time.Since(start)
			distinct := func(evs []smbfs.Event) int {
				seen := map[string]bool{}
				for _, ev := range evs {
					if ev.Op.Has(smbfs.OpCreate) && strings.HasPrefix(ev.Name, "f") {
						seen[ev.Name] = true
					}
				}
				return len(seen)
			}
			overflowed := func(errs []error) bool {
				return slices.ContainsFunc(errs, func(err error) bool { return errors.Is(err, smbfs.ErrOverflow) })
			}
			done := rec.waitUntil(watchEventWait, func(evs []smbfs.Event, errs []error) bool {
				return distinct(evs) == n || overflowed(errs)
			})
			evs, errs := rec.snapshot()
			t.Logf("%d files created in %v; %d distinct creations reported, %d events, overflow: %v", n, created.Round(time.Millisecond), distinct(evs), len(evs), overflowed(errs))
			if !done {
				t.Fatalf("only %d of %d creations reported and no ErrOverflow (errors: %v)", distinct(evs), n, errs)
			}
			for _, err := range errs {
				if !errors.Is(err, smbfs.ErrOverflow) {
					t.Errorf("unexpected error %v", err)
				}
			}
			if c.overflow {
				if !overflowed(errs) {
					t.Fatal("no ErrOverflow with a 40-byte buffer")
				}
				// The watcher keeps going after an overflow. Let the
				// burst's tail drain first: a change batched with it
				// would overflow again.
				rec.waitQuiet(time.Second)
				writeFileT(t, osub, "after.txt", "x")
				after := smbfs.Event{Name: "after.txt", Op: smbfs.OpCreate}
				if !rec.waitUntil(watchEventWait, func(evs []smbfs.Event, _ []error) bool { return hasEvent(evs, after) }) {
					t.Errorf("no %v after the overflow", after)
				}
			}
			w.Close()
			rec.waitClosed(t)
		})
	}
}

// createMany creates files f0000.txt … through fsys from 8 goroutines.
func createFiles(t *testing.T, fsys *smbfs.FS, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fsys.WriteFile(fmt.Sprintf("f%04d.txt", i), nil, 0o666); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestWatchRearm renews the subscription every 20 ms while files are
// created: every creation still arrives (the old request is cancelled only
// once the new one is registered, and its answer is still read).
func TestWatchRearm(t *testing.T) {
	exact := exactNotifyServer(t)
	watcher := dial(t, exact, "public", nil)
	other := dial(t, exact, "public", nil)
	_, dir := scratchNamed(t, watcher)
	osub := subFS(t, other, dir)
	w, err := subFS(t, watcher, dir).Watch(t.Context(), ".", smbfs.WatchRearmInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	rec := recordEvents(w)
	time.Sleep(watchRegisterDelay)
	const n = 100
	for i := range n {
		writeFileT(t, osub, fmt.Sprintf("r%03d.txt", i), "")
		time.Sleep(3 * time.Millisecond) // spread over ~15 re-arms
	}
	want := func(evs []smbfs.Event) []string {
		var missing []string
		for i := range n {
			if name := fmt.Sprintf("r%03d.txt", i); !hasEvent(evs, smbfs.Event{Name: name, Op: smbfs.OpCreate}) {
				missing = append(missing, name)
			}
		}
		return missing
	}
	rec.waitUntil(watchEventWait, func(evs []smbfs.Event, _ []error) bool { return len(want(evs)) == 0 })
	w.Close()
	rec.waitClosed(t)
	evs, errs := rec.snapshot()
	if missing := want(evs); len(missing) > 0 {
		t.Errorf("%d creations missing: %v", len(missing), missing)
	}
	if len(errs) > 0 {
		t.Errorf("errors: %v", errs)
	}
	// The connection is healthy after all those CANCELs.
	if _, err := other.Stat(dir); err != nil {
		t.Errorf("Stat after re-arms: %v", err)
	}
}

// TestWatchClose checks that Close and the end of the Watch context both
// close the channels promptly, send no error, and leave the connection
// usable — for a new watcher too.
func TestWatchClose(t *testing.T) {
	stops := []struct {
		name string
		stop func(w *smbfs.Watcher, cancel context.CancelFunc)
	}{
		{"Close", func(w *smbfs.Watcher, _ context.CancelFunc) { w.Close() }},
		{"context", func(_ *smbfs.Watcher, cancel context.CancelFunc) { cancel() }},
	}
	for _, s := range stops {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			fsys := dial(t, servers.main, "public", nil)
			dsub, dir := scratchNamed(t, fsys)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			w, err := dsub.Watch(ctx, ".", smbfs.WatchRecursive())
			if err != nil {
				t.Fatal(err)
			}
			rec := recordEvents(w)
			start := time.Now()
			s.stop(w, cancel)
			rec.waitClosed(t)
			t.Logf("channels closed %v after %s", time.Since(start).Round(time.Microsecond), s.name)
			if err := w.Close(); err != nil { // idempotent
				t.Errorf("Close after stop: %v", err)
			}
			if _, errs := rec.snapshot(); len(errs) > 0 {
				t.Errorf("errors on a clean stop: %v", errs)
			}
			if err := fsys.Client().Conn().Err(); err != nil {
				t.Fatalf("connection failed: %v", err)
			}
			if _, err := fsys.ReadDir(dir); err != nil {
				t.Errorf("ReadDir after the watcher stopped: %v", err)
			}
			// A new watcher on the same connection works.
			w2, err := dsub.Watch(t.Context(), ".")
			if err != nil {
				t.Fatal(err)
			}
			rec2 := recordEvents(w2)
			time.Sleep(watchRegisterDelay)
			writeFileT(t, dsub, "x.txt", "x")
			if !rec2.waitUntil(watchEventWait, func(evs []smbfs.Event, _ []error) bool {
				return hasEvent(evs, smbfs.Event{Name: "x.txt", Op: smbfs.OpCreate})
			}) {
				t.Error("second watcher saw no CREATE")
			}
			w2.Close()
			rec2.waitClosed(t)
		})
	}
}

// TestWatchConnectionDies kills the connection under a watcher: it must end
// with a connection error on Errors, then close both channels — also when
// the reader only drains Events and an overflow report sits unread.
func TestWatchConnectionDies(t *testing.T) {
	t.Run("reading both", func(t *testing.T) {
		fsys := dial(t, servers.main, "public", nil)
		// The scratch directory lives on a second connection, which
		// survives to clean it up.
		_, dir := scratchNamed(t, dial(t, servers.main, "public", nil))
		w, err := subFS(t, fsys, dir).Watch(context.Background(), ".")
		if err != nil {
			t.Fatal(err)
		}
		rec := recordEvents(w)
		start := time.Now()
		fsys.Client().Conn().Close()
		rec.waitClosed(t)
		t.Logf("channels closed %v after the connection died", time.Since(start).Round(time.Microsecond))
		_, errs := rec.snapshot()
		if len(errs) != 1 {
			t.Fatalf("errors %v, want exactly one", errs)
		}
		wantConnClosed(t, errs[0])
		if err := w.Close(); err != nil {
			t.Errorf("Close after the connection died: %v", err)
		}
	})
	t.Run("overflow unread", func(t *testing.T) {
		exact := exactNotifyServer(t)
		fsys := dial(t, exact, "public", nil)
		other := dial(t, exact, "public", nil)
		_, dir := scratchNamed(t, other)
		w, err := subFS(t, fsys, dir).Watch(context.Background(), ".", smbfs.WatchBufferSize(16))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		// Drain Events only, as a careless reader would.
		eventsClosed := make(chan struct{})
		go func() {
			for range w.Events {
			}
			close(eventsClosed)
		}()
		time.Sleep(watchRegisterDelay)
		// A 16-byte buffer holds no entry at all: every change overflows.
		writeFileT(t, subFS(t, other, dir), "one.txt", "")
		deadline := time.Now().Add(watchEventWait)
		for len(w.Errors) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if len(w.Errors) == 0 {
			t.Fatal("no overflow report queued")
		}
		fsys.Client().Conn().Close()
		select {
		case <-eventsClosed:
		case <-time.After(watchCloseLimit):
			t.Fatal("Events still open after the connection died")
		}
		var errs []error
		for err := range w.Errors {
			errs = append(errs, err)
		}
		if len(errs) != 1 {
			t.Fatalf("errors %v, want only the final one", errs)
		}
		wantConnClosed(t, errs[0])
	})
}

// wantConnClosed checks that err reports the connection closed under the
// watcher.
func wantConnClosed(t *testing.T, err error) {
	t.Helper()
	var ce *protocol.ConnectionError
	if !errors.As(err, &ce) || !errors.Is(err, fs.ErrClosed) {
		t.Errorf("error %v (%T), want a *protocol.ConnectionError matching fs.ErrClosed", err, err)
	}
	t.Logf("final error: %v", err)
}

// TestWatchErrors checks the errors Watch itself returns.
func TestWatchErrors(t *testing.T) {
	fsys := dial(t, servers.main, "public", nil)
	d := scratch(t, fsys)
	writeFileT(t, d, "file.txt", "x")
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		dir  string
		opts []smbfs.WatchOption
		want error
	}{
		{"missing", t.Context(), "nope", nil, fs.ErrNotExist},
		{"file", t.Context(), "file.txt", nil, syscall.ENOTDIR},
		{"invalid path", t.Context(), "../x", nil, fs.ErrInvalid},
		{"no ops", t.Context(), ".", []smbfs.WatchOption{smbfs.WatchOps(0)}, fs.ErrInvalid},
		{"cancelled", cancelled, ".", nil, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := d.Watch(c.ctx, c.dir, c.opts...)
			if err == nil {
				w.Close()
				t.Fatal("Watch succeeded")
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) {
				t.Errorf("error %v (%T), want *fs.PathError", err, err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
			t.Logf("%v", err)
		})
	}
}

// TestWatchOps checks that WatchOps restricts what is delivered.
func TestWatchOps(t *testing.T) {
	exact := exactNotifyServer(t)
	watcher := dial(t, exact, "public", nil)
	other := dial(t, exact, "public", nil)
	_, dir := scratchNamed(t, watcher)
	osub := subFS(t, other, dir)
	writeFileT(t, osub, "a.txt", "x")
	w, err := subFS(t, watcher, dir).Watch(t.Context(), ".", smbfs.WatchOps(smbfs.OpRemove))
	if err != nil {
		t.Fatal(err)
	}
	rec := recordEvents(w)
	time.Sleep(watchRegisterDelay)
	writeFileT(t, osub, "b.txt", "x")
	if err := osub.Chmod("a.txt", 0o444); err != nil {
		t.Fatal(err)
	}
	if err := osub.Remove("b.txt"); err != nil {
		t.Fatal(err)
	}
	want := smbfs.Event{Name: "b.txt", Op: smbfs.OpRemove}
	ok := rec.waitUntil(watchEventWait, func(evs []smbfs.Event, _ []error) bool { return hasEvent(evs, want) })
	time.Sleep(watchSettle)
	w.Close()
	rec.waitClosed(t)
	evs, _ := rec.snapshot()
	if !ok {
		t.Errorf("no %v", want)
	}
	for _, ev := range evs {
		if ev.Op != smbfs.OpRemove {
			t.Errorf("%v delivered to a REMOVE-only watcher", ev)
		}
	}
}

// TestWatchSecure watches over signed and encrypted sessions: interim and
// final CHANGE_NOTIFY responses pass the connection's checks, and CANCEL
// goes out signed or sealed like every other request.
func TestWatchSecure(t *testing.T) {
	cases := []struct {
		name string
		srv  func() *samba.Server
	}{
		{"signing", func() *samba.Server { return servers.signing }},
		{"encryption", func() *samba.Server { return servers.encrypt }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fsys := scratch(t, dial(t, c.srv(), "private", &user))
			w, err := fsys.Watch(t.Context(), ".", smbfs.WatchRearmInterval(10*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			rec := recordEvents(w)
			time.Sleep(watchRegisterDelay)
			time.Sleep(50 * time.Millisecond) // a few re-arms: CANCELs on the wire
			writeFileT(t, fsys, "s.txt", "x")
			want := smbfs.Event{Name: "s.txt", Op: smbfs.OpCreate}
			if !rec.waitUntil(watchEventWait, func(evs []smbfs.Event, _ []error) bool { return hasEvent(evs, want) }) {
				t.Errorf("no %v", want)
			}
			w.Close()
			rec.waitClosed(t)
			if _, errs := rec.snapshot(); len(errs) > 0 {
				t.Errorf("errors: %v", errs)
			}
			if err := fsys.Client().Conn().Err(); err != nil {
				t.Errorf("connection failed: %v", err)
			}
		})
	}
}
