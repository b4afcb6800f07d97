package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Change notification (MS-SMB2 3.2.4.14, 3.3.5.19): a directory handle held
// open with CHANGE_NOTIFY requests outstanding on it. Three rules shape it:
//
//   - Two requests stay outstanding per handle, and the one that completes
//     is replaced before its changes are handed up. The server queues
//     changes that arrive while no request waits, but only up to a limit
//     (Samba: 1000, then it reports STATUS_NOTIFY_ENUM_DIR), and a server
//     that does not queue at all would lose everything in the gap.
//   - A request can outlive the server's memory of it: a server may drop a
//     subscription without a word. Every RearmInterval the oldest request
//     is replaced: a new one is sent, and once the server has acknowledged
//     it (interim STATUS_PENDING), the old one is cancelled by AsyncId. The
//     old one's answer — STATUS_CANCELLED, or changes if it raced — is still
//     read, in order, so nothing is lost.
//   - FILE_ACTION_MODIFIED does not say what changed. A caller that wants
//     to tell content changes from metadata changes gets two handles: one
//     for names and content, one for metadata, each with its own
//     completion filter. FILE_NOTIFY_CHANGE_ATTRIBUTES is in both filters:
//     Samba's kernel change notify reports a write made on the server's
//     own disk (inotify IN_MODIFY) only as an attribute change, so an
//     attribute change reads as content and metadata — a spurious content
//     change rather than a missed one.

// ErrNotifyOverflow reports that the server dropped changes
// (STATUS_NOTIFY_ENUM_DIR, or an empty completion): the caller must rescan
// the directory. The watch itself goes on.
var ErrNotifyOverflow = errors.New("change notification overflow: changes were lost, rescan the directory")

// ChangeAction says what happened to an entry.
type ChangeAction uint8

// Change actions.
const (
	// ChangeAdded: the entry was created (FILE_ACTION_ADDED).
	ChangeAdded ChangeAction = iota + 1
	// ChangeRemoved: the entry was deleted (FILE_ACTION_REMOVED,
	// FILE_ACTION_REMOVED_BY_DELETE).
	ChangeRemoved
	// ChangeContent: the entry's data, size or last-write time changed
	// (FILE_ACTION_MODIFIED on the names-and-content handle, or a stream
	// action on the entry).
	ChangeContent
	// ChangeMetadata: the entry's attributes, security descriptor or
	// extended attributes changed (FILE_ACTION_MODIFIED on the metadata
	// handle).
	ChangeMetadata
	// ChangeRenamedFrom: the entry was renamed; Name is the old name
	// (FILE_ACTION_RENAMED_OLD_NAME). The new name follows.
	ChangeRenamedFrom
	// ChangeRenamedTo: the new name of a renamed entry
	// (FILE_ACTION_RENAMED_NEW_NAME).
	ChangeRenamedTo
)

// String returns the action's name.
func (a ChangeAction) String() string {
	switch a {
	case ChangeAdded:
		return "added"
	case ChangeRemoved:
		return "removed"
	case ChangeContent:
		return "content"
	case ChangeMetadata:
		return "metadata"
	case ChangeRenamedFrom:
		return "renamed-from"
	case ChangeRenamedTo:
		return "renamed-to"
	}
	return fmt.Sprintf("ChangeAction(%d)", uint8(a))
}

// Change is one reported change.
type Change struct {
	Action ChangeAction
	// Name is the entry's SMB path relative to the watched directory:
	// backslash-separated, as the server sent it (not yet unmapped).
	Name string
}

// WatchKinds selects what a watch reports.
type WatchKinds uint8

// Watch kinds.
const (
	// WatchNames: entries added, removed or renamed
	// (FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME).
	WatchNames WatchKinds = 1 << iota
	// WatchContent: data written, size or last-write time changed
	// (FILE_NOTIFY_CHANGE_SIZE | _LAST_WRITE, and _ATTRIBUTES: see above).
	WatchContent
	// WatchMetadata: attributes, creation time, security descriptor or
	// extended attributes changed (FILE_NOTIFY_CHANGE_ATTRIBUTES |
	// _CREATION | _SECURITY | _EA). Last-access time is never watched:
	// every read would report it.
	WatchMetadata
)

// Completion filters of the two handles (MS-SMB2 2.2.35).
const (
	namesFilter    = wire.NotifyChangeFileName | wire.NotifyChangeDirName
	contentFilter  = wire.NotifyChangeSize | wire.NotifyChangeLastWrite | wire.NotifyChangeAttributes
	metadataFilter = wire.NotifyChangeAttributes | wire.NotifyChangeCreation | wire.NotifyChangeSecurity | wire.NotifyChangeEA
)

// Defaults of WatchOptions.
const (
	// DefaultNotifyBuffer is the default OutputBufferLength: room for
	// about 2,000 short names per completion, and one credit.
	DefaultNotifyBuffer = 64 << 10
	// DefaultRearmInterval is how often a subscription is renewed.
	DefaultRearmInterval = 10 * time.Minute
)

// notifyDepth is how many CHANGE_NOTIFY requests stay outstanding per
// handle.
const notifyDepth = 2

// WatchOptions configure a watch. The zero value watches everything in the
// directory itself with the defaults.
type WatchOptions struct {
	// Kinds selects what to report; 0 means all kinds.
	Kinds WatchKinds
	// Recursive watches the whole subtree (SMB2_WATCH_TREE).
	Recursive bool
	// BufferSize is the OutputBufferLength of each request: how many bytes
	// of changes one completion may carry. Changes that do not fit make
	// the server report an overflow. Default DefaultNotifyBuffer, at most
	// the server's MaxTransactSize.
	BufferSize int
	// RearmInterval is how often the oldest outstanding request is
	// replaced. Default DefaultRearmInterval.
	RearmInterval time.Duration
}

// Watch is a change subscription on one directory. Next returns changes in
// the order the server reported them (per handle); Close ends it. Next and
// Close must not be called concurrently.
type Watch struct {
	s     *Share
	subs  []*subscription
	every time.Duration
	rearm *time.Timer

	// life bounds every request of the watch; Close cancels it, which
	// makes the connection send SMB2 CANCEL for whatever is outstanding.
	life context.Context
	stop context.CancelFunc
	// helpers counts goroutines that cancel replaced requests.
	helpers sync.WaitGroup

	// tree is the tree the newest request went out on: when its
	// connection breaks, resubscribe recovers from it.
	tree *protocol.Tree

	// replaced counts requests a re-arm cancelled whose STATUS_CANCELLED
	// came back (read by tests).
	replaced int

	err       error // sticky fatal error of Next
	closeOnce sync.Once
	closeErr  error
}

// subscription is one directory handle and its outstanding requests.
type subscription struct {
	w        *Watch
	h        *Handle
	req      wire.ChangeNotifyRequest
	modified ChangeAction  // what FILE_ACTION_MODIFIED means here
	queue    []*notifyCall // oldest first
}

// notifyCall is one outstanding CHANGE_NOTIFY. A goroutine waits for it,
// so that Next can select over the oldest call of every handle.
type notifyCall struct {
	call      *protocol.Call
	done      chan struct{} // closed when resp or err is set
	resp      *protocol.Response
	err       error
	cancelled atomic.Bool // we sent CANCEL (a re-arm replaced it)
}

// Watch opens the directory at path (an SMB path from the share root) and
// subscribes to its changes. ctx bounds the open and the first
// subscription: Watch returns once the server has acknowledged a request
// on every handle (an interim response), so changes made after it returns
// are reported (Samba's smbd still has to pass the subscription on to its
// notify daemon, which under load can take a moment). The subscription
// itself lasts until Close.
func (s *Share) Watch(ctx context.Context, path string, o WatchOptions) (*Watch, error) {
	kinds := o.Kinds
	if kinds == 0 {
		kinds = WatchNames | WatchContent | WatchMetadata
	}
	buf := o.BufferSize
	if buf <= 0 {
		buf = DefaultNotifyBuffer
	}
	if maxT := int(s.tree.Conn().MaxTransactSize()); maxT > 0 {
		buf = min(buf, maxT)
	}
	every := o.RearmInterval
	if every <= 0 {
		every = DefaultRearmInterval
	}
	var flags wire.ChangeNotifyFlags
	if o.Recursive {
		flags = wire.NotifyWatchTree
	}
	type plan struct {
		filter   wire.NotifyFilter
		modified ChangeAction
	}
	var plans []plan
	var main wire.NotifyFilter
	if kinds&WatchNames != 0 {
		main |= namesFilter
	}
	if kinds&WatchContent != 0 {
		main |= contentFilter
	}
	if main != 0 {
		plans = append(plans, plan{main, ChangeContent})
	}
	if kinds&WatchMetadata != 0 {
		plans = append(plans, plan{metadataFilter, ChangeMetadata})
	}
	if len(plans) == 0 {
		return nil, fmt.Errorf("watch %s: no change kinds selected (%#x)", path, uint8(kinds))
	}

	w := &Watch{s: s, every: every}
	w.life, w.stop = context.WithCancel(context.Background())
	fail := func(err error) (*Watch, error) {
		_ = w.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	for _, p := range plans {
		// FILE_LIST_DIRECTORY (FILE_READ_DATA on a directory) is the
		// access CHANGE_NOTIFY needs (MS-SMB2 3.3.5.19).
		h, err := s.Open(ctx, path, OpenOptions{Access: AccessRead, Disposition: OpenExisting, Kind: DirOnly})
		if err != nil {
			return fail(err)
		}
		sub := &subscription{w: w, h: h, modified: p.modified, req: wire.ChangeNotifyRequest{
			Flags:              flags,
			OutputBufferLength: uint32(buf),
			FileID:             h.FileID(),
			CompletionFilter:   p.filter,
		}}
		w.subs = append(w.subs, sub)
		for range notifyDepth {
			if _, err := sub.arm(); err != nil {
				return fail(err)
			}
		}
	}
	for _, sub := range w.subs {
		first := sub.queue[0]
		if !waitAcknowledged(ctx, first) {
			return fail(ctx.Err())
		}
		if err := first.fatal(); err != nil {
			return fail(err)
		}
	}
	w.rearm = time.NewTimer(every)
	return w, nil
}

// arm sends one more CHANGE_NOTIFY on the handle and starts waiting for it.
func (sub *subscription) arm() (*notifyCall, error) {
	w := sub.w
	req := sub.req // each request gets its own body
	w.tree = w.s.tree.current()
	call, err := w.tree.Conn().Start(w.life, nil, w.tree.Request(&req))
	if err != nil {
		return nil, err
	}
	nc := &notifyCall{call: call, done: make(chan struct{})}
	go func() {
		resps, err := call.Wait(w.life)
		if err == nil {
			nc.resp = resps[0]
		}
		nc.err = err
		close(nc.done)
	}()
	sub.queue = append(sub.queue, nc)
	return nc, nil
}

// fatal returns the error that ends the watch if nc completed with one:
// a connection failure, or a status other than success, overflow, or the
// STATUS_CANCELLED of a request we replaced. It must only be called once
// nc is done (or to peek at a done call).
func (nc *notifyCall) fatal() error {
	select {
	case <-nc.done:
	default:
		return nil
	}
	if nc.err != nil {
		return nc.err
	}
	switch st := nc.resp.Header.Status; {
	case st == wire.StatusSuccess, st == wire.StatusNotifyEnumDir:
		return nil
	case st == wire.StatusCancelled && nc.cancelled.Load():
		return nil
	case st == wire.StatusNotifyCleanup:
		// The handle was closed under the request (MS-SMB2 3.3.5.19):
		// a session logoff, or the watch is closing.
		return fmt.Errorf("subscription ended by the server: %w", nc.resp.Err())
	default:
		return nc.resp.Err()
	}
}

// waitAcknowledged waits until the server has acknowledged nc (an interim
// response) or answered it. It polls: the connection reports an interim
// response by state, not by event, and the wait is short — Samba answers
// within half a millisecond. It returns false only if ctx ended first; a
// request the server never acknowledges fails by itself after the
// connection's RequestTimeout.
func waitAcknowledged(ctx context.Context, nc *notifyCall) bool {
	delay := 50 * time.Microsecond
	for !nc.call.Acknowledged() {
		t := time.NewTimer(delay)
		select {
		case <-nc.done:
			t.Stop()
			return true
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		delay = min(2*delay, 20*time.Millisecond)
	}
	return true
}

// Next waits for the next batch of changes. It returns ErrNotifyOverflow
// (and the watch goes on) when the server dropped changes, and when the
// connection broke and the share reconnected: the watch is then subscribed
// again on the new connection, and what changed meanwhile is unknown. Any
// other error ends the watch and is returned again by later calls. A ctx
// that ends makes Next return ctx.Err() and leaves the watch intact, except
// while Next is subscribing again after a reconnect: then it ends the
// watch.
func (w *Watch) Next(ctx context.Context) ([]Change, error) {
	if w.err != nil {
		return nil, w.err
	}
	for {
		if w.life.Err() != nil {
			w.err = errClosed
			return nil, w.err
		}
		// Select over the oldest call of each handle (at most two).
		var heads [2]<-chan struct{}
		for i, sub := range w.subs {
			heads[i] = sub.queue[0].done
		}
		// The names handle goes first when both are ready, so that an
		// entry's creation tends to precede its metadata changes.
		var sub *subscription
		select {
		case <-heads[0]:
			sub = w.subs[0]
		default:
		}
		if sub == nil {
			select {
			case <-heads[0]:
				sub = w.subs[0]
			case <-heads[1]:
				sub = w.subs[1]
			case <-w.rearm.C:
				for _, s := range w.subs {
					if err := s.rearm(); err != nil {
						if err := w.resubscribe(ctx, err); err != nil {
							w.err = err
							return nil, err
						}
						return nil, ErrNotifyOverflow
					}
				}
				w.rearm.Reset(w.every)
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-w.life.Done():
				w.err = errClosed
				return nil, w.err
			}
		}
		changes, err := sub.complete()
		if err != nil && !errors.Is(err, ErrNotifyOverflow) {
			if err := w.resubscribe(ctx, err); err != nil {
				w.err = err
				return nil, err
			}
			return nil, ErrNotifyOverflow
		}
		if err != nil {
			return nil, err
		}
		if len(changes) > 0 {
			return changes, nil
		}
	}
}

// complete takes the oldest call off the queue — its done channel is
// closed — tops the queue back up, and only then decodes the call's
// changes, so that a request is always waiting while they are handled.
func (sub *subscription) complete() ([]Change, error) {
	nc := sub.queue[0]
	sub.queue = sub.queue[1:]
	if err := nc.fatal(); err != nil {
		return nil, err
	}
	for len(sub.queue) < notifyDepth {
		if _, err := sub.arm(); err != nil {
			return nil, err
		}
	}
	switch nc.resp.Header.Status {
	case wire.StatusCancelled:
		sub.w.replaced++
		return nil, nil
	case wire.StatusNotifyEnumDir:
		return nil, ErrNotifyOverflow
	}
	var r wire.ChangeNotifyResponse
	if err := nc.resp.Decode(&r); err != nil {
		return nil, err
	}
	if len(r.Buffer) == 0 {
		// MS-SMB2 3.3.4.4 prescribes STATUS_NOTIFY_ENUM_DIR when the
		// changes do not fit; some servers send an empty success.
		return nil, ErrNotifyOverflow
	}
	changes, err := decodeChanges(r.Buffer, sub.modified)
	if err != nil {
		return nil, &protocol.ConnectionError{Op: "decode CHANGE_NOTIFY response", Err: err}
	}
	return changes, nil
}

// decodeChanges decodes the FILE_NOTIFY_INFORMATION chain of one
// completion; modified is what FILE_ACTION_MODIFIED means on the handle.
func decodeChanges(buf []byte, modified ChangeAction) ([]Change, error) {
	infos, err := wire.ParseFileNotifyInformation(buf)
	if err != nil {
		return nil, err
	}
	changes := make([]Change, 0, len(infos))
	for _, in := range infos {
		c, ok := change(in, modified)
		if !ok {
			continue
		}
		// A server watching its disk through several kernel watches
		// repeats a modification once per watch (Samba does); one
		// report of "modified" says all the repeats do.
		if n := len(changes); n > 0 && changes[n-1] == c && (c.Action == ChangeContent || c.Action == ChangeMetadata) {
			continue
		}
		changes = append(changes, c)
	}
	return changes, nil
}

// change translates one FILE_NOTIFY_INFORMATION entry (MS-FSCC 2.7.1).
// Entries with no meaning for a watcher (the object-id tunnelling actions)
// are dropped.
func change(in wire.FileNotifyInformation, modified ChangeAction) (Change, bool) {
	name := in.FileName
	switch in.Action {
	case wire.FileActionAdded:
		return Change{ChangeAdded, name}, true
	case wire.FileActionRemoved, wire.FileActionRemovedByDelete:
		return Change{ChangeRemoved, name}, true
	case wire.FileActionModified:
		return Change{modified, name}, true
	case wire.FileActionRenamedOldName:
		return Change{ChangeRenamedFrom, name}, true
	case wire.FileActionRenamedNewName:
		return Change{ChangeRenamedTo, name}, true
	case wire.FileActionAddedStream, wire.FileActionRemovedStream, wire.FileActionModifiedStream:
		// A named stream is data of its file: report the file. In an
		// SMB name a colon only ever separates a stream name.
		base := strings.LastIndexByte(name, '\\') + 1
		if j := strings.IndexByte(name[base:], ':'); j >= 0 {
			name = name[:base+j]
		}
		return Change{ChangeContent, name}, true
	}
	return Change{}, false
}

// resubscribe answers err, the failure of a request of the watch: when
// it is the loss of the connection and the share can reconnect, it
// recovers (which reopens the directory handles on the new connection),
// drops the failed requests and registers fresh ones, and returns nil;
// the caller then reports an overflow, because changes made while no
// request was registered are lost (MS-SMB2 3.3.5.19 keeps nothing for a
// handle that is gone). Otherwise it returns err, which ends the watch.
func (w *Watch) resubscribe(ctx context.Context, err error) error {
	var r retries
	for {
		failed := w.tree
		if failed == nil || !isConnLoss(failed, err) || !w.s.canReconnect() || !w.s.mayRetry(&r) {
			return err
		}
		if err = w.renew(ctx, failed, err); err == nil {
			return nil
		}
	}
}

// renew is one attempt of resubscribe, after failed's connection broke
// with cause.
func (w *Watch) renew(ctx context.Context, failed *protocol.Tree, cause error) error {
	// Every request on the dead connection fails; wait until all have,
	// so none of them completes into a queue rebuilt below.
	for _, sub := range w.subs {
		for _, nc := range sub.queue {
			select {
			case <-nc.done:
			case <-ctx.Done():
				return fmt.Errorf("%w (renewing the subscription: %w)", cause, ctx.Err())
			}
		}
		sub.queue = nil
	}
	if rerr := w.s.recover(ctx, failed); rerr != nil {
		return fmt.Errorf("%w (reconnecting failed: %w)", cause, rerr)
	}
	for _, sub := range w.subs {
		fid, lerr := sub.h.current()
		if lerr != nil {
			return lerr // the directory is gone, or was replaced
		}
		sub.req.FileID = fid
		for range notifyDepth {
			if _, err := sub.arm(); err != nil {
				return err
			}
		}
	}
	for _, sub := range w.subs {
		first := sub.queue[0]
		if !waitAcknowledged(ctx, first) {
			return fmt.Errorf("%w (renewing the subscription: %w)", cause, ctx.Err())
		}
		if err := first.fatal(); err != nil {
			return err
		}
	}
	w.rearm.Reset(w.every)
	return nil
}

// rearm replaces the oldest outstanding request: a new one goes out, and
// the old one is cancelled once the server has acknowledged the new one, so
// that a request is registered with the server at every moment.
func (sub *subscription) rearm() error {
	if len(sub.queue) == 0 {
		return nil
	}
	old := sub.queue[0]
	fresh, err := sub.arm()
	if err != nil {
		return err
	}
	w := sub.w
	w.helpers.Add(1)
	go func() {
		defer w.helpers.Done()
		if !waitAcknowledged(w.life, fresh) {
			return
		}
		old.cancelled.Store(true)
		_ = old.call.Cancel() // a failed send means a failed connection: Next hears of it
	}()
	return nil
}

// Close ends the watch: the connection sends SMB2 CANCEL for every
// outstanding request, then the directory handles are closed (ctx bounds
// that). Later calls return the first result.
func (w *Watch) Close(ctx context.Context) error {
	w.closeOnce.Do(func() {
		w.stop()
		if w.rearm != nil {
			w.rearm.Stop()
		}
		// Every waiter returns once its CANCEL is queued; only then do
		// the CLOSEs go out, so the server sees the cancels first.
		for _, sub := range w.subs {
			for _, nc := range sub.queue {
				<-nc.done
			}
		}
		w.helpers.Wait()
		for _, sub := range w.subs {
			if err := sub.h.Close(ctx); err != nil && w.closeErr == nil {
				w.closeErr = err
			}
		}
	})
	return w.closeErr
}
