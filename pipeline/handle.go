package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Handle is an open file or directory on a share. Its methods are safe for
// concurrent use.
type Handle struct {
	s      *Share
	attr   Attr // as of the open
	closed atomic.Bool
	size   atomic.Int64 // the file size as far as this handle knows

	// fidMu guards fid and lost, which a reconnect changes (durable.go).
	fidMu sync.RWMutex
	fid   wire.FileID
	lost  error // the handle could not be reclaimed after a reconnect

	// What a reconnect needs to reclaim the open (durable.go).
	path       string
	opts       OpenOptions
	durable    bool     // the server granted a durable handle
	createGUID [16]byte // names the open in DH2Q/DH2C
	index      uint64   // FileInternalInformation: the file's identity

	// bg is the context of background work (read-ahead); Close cancels it.
	bg       context.Context
	cancelBG context.CancelFunc

	cache readCache   // read-ahead and small-read buffer
	wb    writeBehind // sequential writes

	// listing state for ReadDir.
	listMu   sync.Mutex
	listDone bool
}

// firstReadSize is how much an open for reading fetches in the same round
// trip (CREATE+READ compounded): the whole of a small file, and the first
// 128 KiB — the Linux default read-ahead — of a large one.
const firstReadSize = 128 << 10

// Open opens path with o. An open for reading only compounds the first READ
// with the CREATE, so opening and reading a small file costs one round trip.
// Files are opened durable where the server grants it (see durable.go), and
// the file's identity is queried in the same round trip. If the connection
// drops, an Open that cannot have created anything is retried after the
// reconnect.
func (s *Share) Open(ctx context.Context, path string, o OpenOptions) (*Handle, error) {
	var h *Handle
	err := s.withRetry(ctx, "open", o.Disposition != CreateNew, func() error {
		var err error
		h, err = s.open(ctx, path, o)
		return err
	})
	return h, err
}

func (s *Share) open(ctx context.Context, path string, o OpenOptions) (*Handle, error) {
	create := o.createRequest(path)
	var guid [16]byte
	if s.durable && o.Kind != DirOnly {
		guid = newCreateGUID()
		s.requestDurable(create, guid)
	}
	parts := []wire.Request{create, wire.QueryInfoFor(wire.RelatedFileID, &wire.FileInternalInformation{}, 64)}
	first := min(firstReadSize, s.readChunk)
	prefetch := o.Access == AccessRead && o.Kind != DirOnly && !o.noPrefetch
	if prefetch {
		parts = append(parts, &wire.ReadRequest{Length: uint32(first), FileID: wire.RelatedFileID})
	}
	resps, err := s.tree.Compound(ctx, s.closeOrphans, parts...)
	if err != nil {
		return nil, err
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return nil, err
	}
	h := s.newHandle(&cr)
	h.path, h.opts, h.createGUID = path, o, guid
	if _, ok := cr.Context(wire.ContextDurableV2); ok {
		h.durable = true
	}
	var qr wire.QueryInfoResponse
	var internal wire.FileInternalInformation
	if resps[1].Decode(&qr) == nil && internal.Decode(qr.Buffer) == nil {
		h.index = internal.IndexNumber
	}
	if prefetch {
		var rr wire.ReadResponse
		var st wire.Status
		switch rerr := resps[2].Err(); {
		case rerr == nil && rr.Decode(resps[2].Msg) == nil && len(rr.Data) <= first:
			h.cache.fill(0, append([]byte(nil), rr.Data...), len(rr.Data) < first)
		case errors.As(rerr, &st) && st == wire.StatusEndOfFile:
			h.cache.fill(0, nil, true)
		default:
			// A directory, or a file the server would not read: the
			// handle is fine; reads will ask again and report the real
			// error.
		}
	}
	s.register(h)
	return h, nil
}

func (s *Share) newHandle(cr *wire.CreateResponse) *Handle {
	h := &Handle{s: s, fid: cr.FileID, attr: attrFromCreate(cr)}
	h.size.Store(h.attr.Size)
	h.bg, h.cancelBG = context.WithCancel(context.Background())
	h.cache.h = h
	h.wb.init(h)
	return h
}

// FileID returns the server's handle, for requests this package does not
// make itself. A reconnect may change it.
func (h *Handle) FileID() wire.FileID {
	h.fidMu.RLock()
	defer h.fidMu.RUnlock()
	return h.fid
}

// current returns the handle's FileID, or why it is unusable.
func (h *Handle) current() (wire.FileID, error) {
	if h.closed.Load() {
		return wire.FileID{}, errClosed
	}
	return h.id()
}

// id returns the FileID and the reason the handle was lost, if it was.
func (h *Handle) id() (wire.FileID, error) {
	h.fidMu.RLock()
	defer h.fidMu.RUnlock()
	return h.fid, h.lost
}

// sizeHint returns the file size as far as this handle knows.
func (h *Handle) sizeHint() int64 { return h.size.Load() }

// growSize records that the file extends at least to end.
func (h *Handle) growSize(end int64) {
	for {
		cur := h.size.Load()
		if end <= cur || h.size.CompareAndSwap(cur, end) {
			return
		}
	}
}

// ReadAheadPeak returns the most memory read-ahead has held or requested on
// this handle, in bytes; it never exceeds the configured bound by more than
// one read buffer.
func (h *Handle) ReadAheadPeak() int64 { return h.cache.peakBytes() }

// closeOrphans closes handles that CREATEs of abandoned requests opened
// after all, so that cancelling an Open never leaks a server handle.
func (s *Share) closeOrphans(resps []*protocol.Response) {
	var closed bool
	for _, r := range resps {
		if r != nil && r.Header.Command == wire.CommandClose && r.Header.Status == wire.StatusSuccess {
			closed = true
		}
	}
	for _, r := range resps {
		if r == nil || r.Header.Command != wire.CommandCreate || r.Header.Status != wire.StatusSuccess || closed {
			continue
		}
		var cr wire.CreateResponse
		if cr.Decode(r.Msg) == nil {
			ctx, cancel := context.WithTimeout(context.Background(), orphanCloseTimeout)
			_, _ = s.tree.Do(ctx, &wire.CloseRequest{FileID: cr.FileID})
			cancel()
		}
	}
}

// Attr returns the attributes the server reported when the handle opened.
func (h *Handle) Attr() Attr { return h.attr }

// Share returns the share the handle belongs to.
func (h *Handle) Share() *Share { return h.s }

// errClosed is returned by operations on a closed Handle.
var errClosed = errors.New("handle is closed")

// ErrClosed reports operations on a closed handle; callers test it with
// errors.Is.
var ErrClosed = errClosed

func (h *Handle) check() error {
	if h.closed.Load() {
		return errClosed
	}
	return nil
}

// Close closes the handle. Data still queued by Write is written first, and
// a handle that was written is flushed to stable storage in the same round
// trip: WRITE+FLUSH+CLOSE compounded. Close reports any error of a
// background write. Later calls return ErrClosed.
func (h *Handle) Close(ctx context.Context) error {
	if h.closed.Swap(true) {
		return errClosed
	}
	defer h.cancelBG()
	defer h.s.unregister(h) // only now: a reconnect during Close still reclaims it
	h.cache.drop()
	data, off, dirty, werr := h.wb.take()
	defer h.s.putChunk(data)
	if ctx.Err() != nil {
		// The caller gave up, but the server handle must still go: close
		// it on a context of our own (queued data is abandoned, and the
		// caller hears why).
		h.closeDetached()
		return ctx.Err()
	}
	var resps []*protocol.Response
	err := h.s.withRetry(ctx, "close", true, func() error {
		fid, lost := h.id()
		if lost != nil {
			return lost
		}
		var parts []wire.Request
		if len(data) > 0 {
			parts = append(parts, &wire.WriteRequest{FileID: fid, Offset: uint64(off), Data: data})
		}
		if dirty {
			parts = append(parts, &wire.FlushRequest{FileID: fid})
		}
		parts = append(parts, &wire.CloseRequest{FileID: fid})
		reqs := make([]*protocol.Request, len(parts))
		for i, p := range parts {
			reqs[i] = h.s.tree.Request(p)
			reqs[i].Related = i > 0 // in order, stopping at the first failure
		}
		// Should ctx end before the answer, the cleanup makes sure the
		// handle is closed all the same.
		var err error
		resps, err = h.s.tree.Conn().SendWithCleanup(ctx, func(resps []*protocol.Response) {
			if resps[len(resps)-1].Err() != nil {
				h.closeDetached()
			}
		}, reqs...)
		return err
	})
	if err != nil {
		return err
	}
	closeErr := resps[len(resps)-1].Err()
	if closeErr != nil && len(resps) > 1 {
		// A failed WRITE or FLUSH may have failed the related CLOSE too:
		// close again on its own so the server handle is not leaked.
		fid, _ := h.id()
		if _, cerr := h.s.tree.Do(ctx, &wire.CloseRequest{FileID: fid}); cerr == nil {
			closeErr = nil
		}
	}
	if werr != nil {
		return werr
	}
	if len(data) > 0 {
		var wr wire.WriteResponse
		if err := resps[0].Decode(&wr); err != nil {
			return err
		}
		if int(wr.Count) != len(data) {
			return fmt.Errorf("smb2 WRITE: server wrote %d of %d bytes: %w", wr.Count, len(data), io.ErrShortWrite)
		}
	}
	for _, r := range resps[:len(resps)-1] {
		if err := r.Err(); err != nil {
			return err
		}
	}
	return closeErr
}

// closeDetached closes the server handle on a bounded context of its own,
// for when the caller's context can no longer be used.
func (h *Handle) closeDetached() {
	ctx, cancel := context.WithTimeout(context.Background(), orphanCloseTimeout)
	defer cancel()
	if fid, lost := h.id(); lost == nil {
		_, _ = h.s.tree.Do(ctx, &wire.CloseRequest{FileID: fid})
	}
}

// Flush sends data still queued by Write, waits for it, and asks the server
// to put everything on stable storage (FLUSH). It reports any error of a
// background write.
func (h *Handle) Flush(ctx context.Context) error {
	if err := h.check(); err != nil {
		return err
	}
	if err := h.wb.flush(ctx); err != nil {
		return err
	}
	return h.s.withRetry(ctx, "flush", true, func() error {
		fid, err := h.id()
		if err != nil {
			return err
		}
		_, err = h.s.tree.Do(ctx, &wire.FlushRequest{FileID: fid})
		return err
	})
}

// settle waits for queued writes before an operation that must see them.
// The sticky error of a failed background write is not its to report:
// Write, Flush and Close do that.
func (h *Handle) settle(ctx context.Context) error {
	if err := h.wb.flush(ctx); err != nil && err == ctx.Err() {
		return err
	}
	return nil
}

// Stat queries the handle's current attributes.
func (h *Handle) Stat(ctx context.Context) (Attr, error) {
	if err := h.check(); err != nil {
		return Attr{}, err
	}
	if err := h.settle(ctx); err != nil {
		return Attr{}, err
	}
	var info wire.FileNetworkOpenInformation
	if err := h.queryInfo(ctx, &info); err != nil {
		return Attr{}, err
	}
	a := attrFromNetworkOpen(&info)
	h.size.Store(a.Size)
	return a, nil
}

// queryInfo runs QUERY_INFO for the class of info and decodes into it.
func (h *Handle) queryInfo(ctx context.Context, info wire.InfoBuffer) error {
	return h.s.withRetry(ctx, "query info", true, func() error {
		fid, err := h.id()
		if err != nil {
			return err
		}
		resp, err := h.s.tree.Do(ctx, wire.QueryInfoFor(fid, info, 4096))
		if err != nil {
			return err
		}
		var qr wire.QueryInfoResponse
		if err := resp.Decode(&qr); err != nil {
			return err
		}
		return info.Decode(qr.Buffer)
	})
}

// setInfo runs SET_INFO with info; idempotent ones (sizes, times) are
// retried across a reconnect, the others (disposition, rename) are not.
func (h *Handle) setInfo(ctx context.Context, info wire.InfoBuffer, idempotent bool) error {
	if err := h.check(); err != nil {
		return err
	}
	if err := h.settle(ctx); err != nil {
		return err
	}
	h.cache.drop()
	err := h.s.withRetry(ctx, "set info", idempotent, func() error {
		fid, err := h.id()
		if err != nil {
			return err
		}
		_, err = h.s.tree.Do(ctx, wire.SetInfoFor(fid, info))
		return err
	})
	h.cache.drop()
	return err
}

// Truncate sets the file's size (FileEndOfFileInformation).
func (h *Handle) Truncate(ctx context.Context, size int64) error {
	if size < 0 {
		return fmt.Errorf("negative size %d", size)
	}
	err := h.setInfo(ctx, &wire.FileEndOfFileInformation{EndOfFile: uint64(size)}, true)
	if err == nil {
		h.size.Store(size)
	}
	return err
}

// SetTimesAndAttributes updates times and attributes; see Times.
func (h *Handle) SetTimesAndAttributes(ctx context.Context, t Times) error {
	return h.setInfo(ctx, t.basicInfo(), true)
}

// Disposition marks the file for deletion when the last handle closes.
func (h *Handle) Disposition(ctx context.Context, deletePending bool) error {
	return h.setInfo(ctx, &wire.FileDispositionInformation{DeletePending: deletePending}, false)
}

// Rename renames the open file to target (an SMB path from the share root).
func (h *Handle) Rename(ctx context.Context, target string, replace bool) error {
	return h.setInfo(ctx, &wire.FileRenameInformation{ReplaceIfExists: replace, FileName: target}, false)
}

// ReadDir returns the next batch of directory entries ("." and ".."
// omitted); done reports that the listing is complete.
func (h *Handle) ReadDir(ctx context.Context) (entries []DirEntry, done bool, err error) {
	if err := h.check(); err != nil {
		return nil, false, err
	}
	h.listMu.Lock()
	defer h.listMu.Unlock()
	if h.listDone {
		return nil, true, nil
	}
	req := &wire.QueryDirectoryRequest{
		FileInformationClass: dirClass,
		FileID:               h.FileID(),
		Pattern:              "*",
		OutputBufferLength:   h.s.listBuffer,
	}
	resp, err := h.s.tree.Do(ctx, req)
	entries, done, err = h.s.decodeListing(resp, err)
	if err != nil {
		return nil, false, err
	}
	h.listDone = done
	return entries, done, nil
}

// dirClass is the directory information class listings ask for: it carries
// everything a Stat reports, so directory entries and Stat agree.
const dirClass = wire.InfoFileDirectory

// decodeListing turns one QUERY_DIRECTORY response into entries; done
// reports the end of the listing.
func (s *Share) decodeListing(resp *protocol.Response, err error) ([]DirEntry, bool, error) {
	var st wire.Status
	if errors.As(err, &st) && (st == wire.StatusNoMoreFiles || st == wire.StatusNoSuchFile) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	// The entries are copied out (names become strings), so the response
	// buffer — up to 4 MiB — can be reused at once.
	defer resp.Release()
	var qr wire.QueryDirectoryResponse
	if err := resp.Decode(&qr); err != nil {
		return nil, false, err
	}
	var out []DirEntry
	err = wire.WalkDirectoryInfo(dirClass, qr.Buffer, func(e wire.DirEntry) error {
		if e.Name == "." || e.Name == ".." {
			return nil
		}
		out = append(out, DirEntry{Name: e.Name, Attr: attrFromDirEntry(&e)})
		return nil
	})
	if err != nil {
		return nil, false, &protocol.ConnectionError{Op: "decode directory listing", Err: err}
	}
	return out, false, nil
}
