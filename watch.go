package smbfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol"
)

// Op describes a set of changes to a file, like fsnotify.Op.
type Op uint32

// The changes a Watcher reports. A rename is reported as OpRename of the
// old name followed by OpCreate of the new name (see Event.OldName).
const (
	// OpCreate: a file or directory was created, or renamed to this name.
	OpCreate Op = 1 << iota
	// OpWrite: the file's data, size or last-write time changed.
	OpWrite
	// OpRemove: the file or directory was removed.
	OpRemove
	// OpRename: the file or directory was renamed away from this name.
	OpRename
	// OpChmod: attributes (such as read-only), creation time, security
	// descriptor or extended attributes changed.
	OpChmod
)

// opNames are the fsnotify-style names of the Op bits, in bit order.
var opNames = [...]string{"CREATE", "WRITE", "REMOVE", "RENAME", "CHMOD"}

// allOps is every Op bit.
const allOps = OpCreate | OpWrite | OpRemove | OpRename | OpChmod

// String returns the names of the bits set, joined by "|", such as
// "CREATE|WRITE"; the empty set prints as "[no events]".
func (op Op) String() string {
	var parts []string
	for i, name := range opNames {
		if op&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	if rest := op &^ allOps; rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(rest)))
	}
	if len(parts) == 0 {
		return "[no events]"
	}
	return strings.Join(parts, "|")
}

// Has reports whether op contains every bit of h.
func (op Op) Has(h Op) bool { return op&h == h }

// Event is one change in a watched directory.
type Event struct {
	// Name is the path of the changed file, slash-separated and relative
	// to the root of the FS the watch was made on (so it can be passed
	// straight back to that FS).
	Name string
	// Op is what happened.
	Op Op
	// OldName is set on the OpCreate that ends a rename: the path (like
	// Name) the entry had before. It is empty for a plain creation, and
	// for an entry renamed from outside the watched tree.
	OldName string
}

// Has reports whether the event's Op contains op.
func (e Event) Has(op Op) bool { return e.Op.Has(op) }

// String returns e.g. `CREATE "dir/a.txt"` or
// `CREATE "b.txt" (renamed from "a.txt")`.
func (e Event) String() string {
	s := fmt.Sprintf("%s %q", e.Op, e.Name)
	if e.OldName != "" {
		s += fmt.Sprintf(" (renamed from %q)", e.OldName)
	}
	return s
}

// ErrOverflow is matched (errors.Is) by the error a Watcher sends when the
// server dropped changes — too many happened before they could be
// delivered (STATUS_NOTIFY_ENUM_DIR). The events are lost: rescan the
// directory (ReadDir) to catch up. The watcher keeps running. A watcher
// whose connection broke and was re-established (see WithReconnect) sends
// it too: changes made while it was not subscribed are lost the same way.
var ErrOverflow = errors.New("smbfs: too many changes, events were lost: rescan the directory")

// WatchOption configures Watch.
type WatchOption func(*watchOptions)

type watchOptions struct {
	recursive bool
	ops       Op
	buffer    int
	rearm     time.Duration
}

// WatchRecursive watches the whole tree under the directory, not just its
// own entries (SMB2_WATCH_TREE).
func WatchRecursive() WatchOption {
	return func(o *watchOptions) { o.recursive = true }
}

// WatchOps restricts the watch to the given operations (default: all).
// It sets the server's completion filter: OpCreate, OpRemove and OpRename
// ask for name changes (FILE_NOTIFY_CHANGE_FILE_NAME | _DIR_NAME), OpWrite
// for size and last-write changes, OpChmod for attribute, creation-time,
// security and extended-attribute changes. Events of other operations the
// server reports anyway (a name change brings creations and removals
// alike) are dropped.
func WatchOps(ops Op) WatchOption {
	return func(o *watchOptions) { o.ops = ops }
}

// WatchBufferSize sets how many bytes of changes one server completion may
// carry (the CHANGE_NOTIFY OutputBufferLength). More changes than fit
// between two completions make the server report an overflow (ErrOverflow).
// Default 64 KiB (about 2,000 short names); at most the server's
// MaxTransactSize.
func WatchBufferSize(n int) WatchOption {
	return func(o *watchOptions) { o.buffer = n }
}

// WatchRearmInterval sets how often the watcher renews its subscription,
// because a server can silently forget a long-pending request. Default
// 10 minutes.
func WatchRearmInterval(d time.Duration) WatchOption {
	return func(o *watchOptions) { o.rearm = d }
}

// Watcher delivers the changes in a directory on the server, like an
// fsnotify.Watcher. Read Events and Errors until they are closed (a
// watcher waits for Events to be read: the server queues changes
// meanwhile, and reports an overflow when its queue fills). Both are
// closed when Close is called, when the context given to Watch ends, or
// after a fatal error (such as a connection that failed and could not be
// re-established) has been sent on Errors. ErrOverflow errors are not
// fatal.
type Watcher struct {
	// Events delivers changes in the order the server reported them.
	Events <-chan Event
	// Errors delivers ErrOverflow (the watch goes on) and, last, the
	// error that ended the watch, if any. It holds one error, and sending
	// on it never blocks the watcher: while an overflow report waits
	// unread, later overflows fold into it, and the final error replaces
	// it — so a reader busy with Events still sees the channels close.
	Errors <-chan error

	cancel   context.CancelFunc
	done     chan struct{}
	closeErr error // set before done closes
}

// eventBuffer is the capacity of Events: it smooths bursts; the real
// buffer is the server's queue, which reports an overflow when it fills.
const eventBuffer = 128

// Watch starts watching dir (a directory path as for Open; "." is the FS
// root) for changes. The initial open uses the FS's context (WithContext);
// ctx bounds the watcher's life: when it ends, the watcher closes as by
// Close. Watch returns once the server has acknowledged the subscription
// (an interim response), so changes made after it returns are reported —
// give Samba a moment more: smbd passes a new subscription to its notify
// daemon by message, and under load a change made within milliseconds can
// overtake it.
//
// Changes made through any client, and on the server's own disk where the
// server supports that (Samba: "kernel change notify", the default), are
// reported; a server may report extra events for changes made on disk.
// The watcher holds one directory handle (two when both OpWrite and
// OpChmod are watched, so that a write can be told from an attribute
// change) with two CHANGE_NOTIFY requests outstanding on each.
func (fsys *FS) Watch(ctx context.Context, dir string, opts ...WatchOption) (*Watcher, error) {
	o := watchOptions{ops: allOps}
	for _, opt := range opts {
		opt(&o)
	}
	if _, _, err := fsys.resolve("watch", dir); err != nil {
		return nil, err
	}
	var kinds pipeline.WatchKinds
	if o.ops&(OpCreate|OpRemove|OpRename) != 0 {
		kinds |= pipeline.WatchNames
	}
	if o.ops&OpWrite != 0 {
		kinds |= pipeline.WatchContent
	}
	if o.ops&OpChmod != 0 {
		kinds |= pipeline.WatchMetadata
	}
	if kinds == 0 {
		return nil, &fs.PathError{Op: "watch", Path: dir, Err: &Error{Kind: fs.ErrInvalid, Err: fmt.Errorf("no operations to watch in %v", o.ops)}}
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "watch", Path: dir, Err: classify(err)}
	}
	// Through a DFS link the directory lives on another share (dfs.go).
	var pw *pipeline.Watch
	err := fsys.at("watch", dir, func(l location) (err error) {
		pw, err = l.m.share.Watch(fsys.context(), l.path, pipeline.WatchOptions{
			Kinds:         kinds,
			Recursive:     o.recursive,
			BufferSize:    o.buffer,
			RearmInterval: o.rearm,
		})
		return err
	})
	if err != nil {
		return nil, pathErr("watch", dir, err)
	}
	life, cancel := context.WithCancel(ctx)
	events := make(chan Event, eventBuffer)
	errs := make(chan error, 1)
	w := &Watcher{Events: events, Errors: errs, cancel: cancel, done: make(chan struct{})}
	r := &watchRun{fsys: fsys, dir: dir, ops: o.ops, pw: pw, events: events, errs: errs}
	go func() {
		w.closeErr = r.run(life)
		close(w.done)
	}()
	return w, nil
}

// Close stops the watch: outstanding requests are cancelled (SMB2 CANCEL),
// the directory handles closed, and both channels closed before Close
// returns. The connection stays usable. Later calls return the first
// result.
func (w *Watcher) Close() error {
	w.cancel()
	<-w.done
	return w.closeErr
}

// watchRun is the goroutine behind a Watcher.
type watchRun struct {
	fsys   *FS
	dir    string
	ops    Op
	pw     *pipeline.Watch
	events chan<- Event
	errs   chan error // the run also drains it, to make room for the last error
	// renamedFrom is the old name of a rename whose new name has not
	// arrived yet.
	renamedFrom string
}

// run delivers changes until ctx ends or the watch fails, then closes the
// subscription and both channels. It returns the error of closing the
// directory handles, for Close.
func (r *watchRun) run(ctx context.Context) error {
	defer close(r.errs)
	defer close(r.events)
	fatal := r.loop(ctx)
	closeCtx, cancel := context.WithTimeout(context.Background(), r.fsys.m.client.opts.closeTimeout())
	defer cancel()
	closeErr := r.pw.Close(closeCtx)
	var ce *protocol.ConnectionError
	if errors.As(closeErr, &ce) {
		closeErr = nil // the connection is gone: so are the handles
	}
	if fatal != nil {
		r.putLast(fatal)
	}
	return pathErr("watch", r.dir, closeErr)
}

// putLast puts the error that ended the watch on Errors without blocking.
// Errors has room for one error; should an overflow report still sit there
// unread, the final error replaces it, so that a reader busy with Events
// still sees the channels close.
func (r *watchRun) putLast(err error) {
	for {
		select {
		case r.errs <- err:
			return
		default:
		}
		select {
		case <-r.errs:
		default:
		}
	}
}

// loop runs until ctx ends (nil) or the watch fails (the error to report).
func (r *watchRun) loop(ctx context.Context) error {
	for {
		changes, err := r.pw.Next(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, pipeline.ErrNotifyOverflow):
			r.renamedFrom = ""
			select {
			case r.errs <- &fs.PathError{Op: "watch", Path: r.dir, Err: ErrOverflow}:
			default:
				// An overflow report is already waiting unread; it
				// says all this one would ("rescan").
			}
			continue
		case err != nil:
			return pathErr("watch", r.dir, err)
		}
		for _, c := range changes {
			ev, ok := r.event(c)
			if !ok || ev.Op&r.ops == 0 {
				continue
			}
			select {
			case r.events <- ev:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// event translates a change into an Event, pairing the two halves of a
// rename. Names no Go path can hold are dropped.
func (r *watchRun) event(c pipeline.Change) (Event, bool) {
	name, ok := r.goName(c.Name)
	if !ok {
		return Event{}, false
	}
	switch c.Action {
	case pipeline.ChangeAdded:
		return Event{Name: name, Op: OpCreate}, true
	case pipeline.ChangeRemoved:
		return Event{Name: name, Op: OpRemove}, true
	case pipeline.ChangeContent:
		return Event{Name: name, Op: OpWrite}, true
	case pipeline.ChangeMetadata:
		return Event{Name: name, Op: OpChmod}, true
	case pipeline.ChangeRenamedFrom:
		r.renamedFrom = name
		return Event{Name: name, Op: OpRename}, true
	case pipeline.ChangeRenamedTo:
		old := r.renamedFrom
		r.renamedFrom = ""
		return Event{Name: name, Op: OpCreate, OldName: old}, true
	}
	return Event{}, false
}

// goName turns a name relative to the watched directory, as the server
// sent it, into a path relative to the FS root: each component unmapped by
// decodeComponent, joined to the watched directory.
func (r *watchRun) goName(smbName string) (string, bool) {
	if smbName == "" {
		return r.dir, true // the watched directory itself
	}
	if !utf8.ValidString(smbName) {
		return "", false // a UTF-16 decode never yields this; a Go path cannot hold it
	}
	parts := strings.Split(smbName, `\`)
	for i, p := range parts {
		d := decodeComponent(p, r.fsys.mapping)
		if d == "" || d == "." || d == ".." || strings.Contains(d, "/") {
			return "", false
		}
		parts[i] = d
	}
	rel := strings.Join(parts, "/")
	if r.dir == "." {
		return rel, true
	}
	return path.Join(r.dir, rel), true
}
