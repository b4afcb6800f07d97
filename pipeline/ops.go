package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// orphanCloseTimeout bounds the CLOSE sent for a handle whose opener gave up.
const orphanCloseTimeout = 30 * time.Second

// Times carries the times and attributes to set on a file. A zero time
// leaves that time unchanged; Attributes 0 leaves the attributes unchanged.
type Times struct {
	Created, Accessed, Modified, Changed time.Time
	Attributes                           uint32
}

func (t Times) basicInfo() *wire.FileBasicInformation {
	return &wire.FileBasicInformation{
		CreationTime:   wire.TimeToFiletime(t.Created),
		LastAccessTime: wire.TimeToFiletime(t.Accessed),
		LastWriteTime:  wire.TimeToFiletime(t.Modified),
		ChangeTime:     wire.TimeToFiletime(t.Changed),
		FileAttributes: wire.FileAttributes(t.Attributes),
	}
}

// Result is the outcome of one operation; which fields are set depends on
// the operation.
type Result struct {
	Data    []byte     // ReadFile
	Attr    Attr       // Stat; ListDir: the directory itself
	Entries []DirEntry // ListDir
	Err     error
}

// plan is one small operation as a related compound chain: CREATE, then
// parts that work on the handle it opened (wire.RelatedFileID), the last of
// which is a CLOSE. finish turns the responses into a Result, doing any
// follow-up I/O the operation needs (a file larger than one READ, a
// directory larger than two listing buffers).
type plan struct {
	name   string // for errors: "remove", "rename"...
	create *wire.CreateRequest
	parts  []wire.Request
	finish func(ctx context.Context, cr *wire.CreateResponse, resps []*protocol.Response) Result
	// once marks operations that must not run twice (Remove, Rename,
	// Mkdir): after a lost connection they fail with IndeterminateError
	// instead of being retried.
	once bool
}

// start sends the plan's chain without waiting for it.
func (s *Share) start(ctx context.Context, p plan) (*protocol.Call, error) {
	return s.tree.StartCompound(ctx, s.closeOrphans, append([]wire.Request{p.create}, p.parts...)...)
}

// complete waits for a started plan and finishes it; if the connection
// broke meanwhile, an idempotent plan runs again after the reconnect. A handle the CREATE
// opened ends up closed: if the chain's CLOSE did not succeed while the
// CREATE did, an explicit CLOSE follows (a server may fail later related
// parts once one failed, MS-SMB2 3.3.5.2.7.2).
func (s *Share) complete(ctx context.Context, call *protocol.Call, p plan, r *retries) Result {
	t := s.tree.current()
	resps, err := call.Wait(ctx)
	if err != nil && isConnLoss(t, err) && s.canReconnect() {
		if p.once {
			return Result{Err: &IndeterminateError{Op: p.name, Err: err}}
		}
		if !s.mayRetry(r) {
			return Result{Err: err}
		}
		if rerr := s.recover(ctx, t); rerr != nil {
			return Result{Err: fmt.Errorf("%w (reconnecting failed: %w)", err, rerr)}
		}
		return s.runRetrying(ctx, p, r)
	}
	if err != nil {
		return Result{Err: err}
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return Result{Err: err}
	}
	if last := resps[len(resps)-1]; last.Header.Command == wire.CommandClose && last.Header.Status != wire.StatusSuccess {
		_, _ = s.tree.Do(ctx, &wire.CloseRequest{FileID: cr.FileID})
	}
	return p.finish(ctx, &cr, resps)
}

// run sends one plan and waits for its result: one round trip (plus a
// reconnect, if the connection breaks and the plan may run again).
func (s *Share) run(ctx context.Context, p plan) Result {
	return s.runRetrying(ctx, p, &retries{})
}

// runRetrying is run for a plan that has already been tried r.n times.
func (s *Share) runRetrying(ctx context.Context, p plan, r *retries) Result {
	for {
		t := s.tree.current()
		call, err := s.start(ctx, p)
		if err == nil {
			return s.complete(ctx, call, p, r)
		}
		if !isConnLoss(t, err) || !s.canReconnect() || !s.mayRetry(r) {
			return Result{Err: err}
		}
		if rerr := s.recover(ctx, t); rerr != nil {
			return Result{Err: fmt.Errorf("%w (reconnecting failed: %w)", err, rerr)}
		}
	}
}

// relatedClose is the CLOSE part that ends a related chain.
func relatedClose() *wire.CloseRequest {
	return &wire.CloseRequest{FileID: wire.RelatedFileID}
}

// relatedSetInfo is a SET_INFO part on the chain's handle.
func relatedSetInfo(info wire.InfoBuffer) *wire.SetInfoRequest {
	return wire.SetInfoFor(wire.RelatedFileID, info)
}

// secondErr finishes plans whose answer is the status of their second part.
func secondErr(_ context.Context, _ *wire.CreateResponse, resps []*protocol.Response) Result {
	return Result{Err: resps[1].Err()}
}

// Stat returns the attributes of path: CREATE+CLOSE in one round trip (the
// CREATE response carries every attribute a Stat needs).
func (s *Share) Stat(ctx context.Context, path string, noFollow bool) (Attr, error) {
	r := s.run(ctx, s.planStat(path, noFollow))
	return r.Attr, r.Err
}

func (s *Share) planStat(path string, noFollow bool) plan {
	o := OpenOptions{Disposition: OpenExisting, NoFollow: noFollow}
	return plan{create: o.createRequest(path), parts: []wire.Request{relatedClose()},
		finish: func(_ context.Context, cr *wire.CreateResponse, _ []*protocol.Response) Result {
			return Result{Attr: attrFromCreate(cr)}
		}}
}

// ReadFile returns the contents of path. Up to one READ's worth takes a
// single round trip (CREATE+READ+CLOSE); a larger file continues through the
// window on a second open.
func (s *Share) ReadFile(ctx context.Context, path string) ([]byte, error) {
	r := s.run(ctx, s.planReadFile(path))
	return r.Data, r.Err
}

func (s *Share) planReadFile(path string) plan {
	o := OpenOptions{Access: AccessRead, Disposition: OpenExisting, Kind: FileOnly}
	first := s.readChunk
	return plan{
		create: o.createRequest(path),
		parts:  []wire.Request{&wire.ReadRequest{Length: uint32(first), FileID: wire.RelatedFileID}, relatedClose()},
		finish: func(ctx context.Context, cr *wire.CreateResponse, resps []*protocol.Response) Result {
			var head []byte
			var st wire.Status
			switch err := resps[1].Err(); {
			case err == nil:
				var rr wire.ReadResponse
				if err := resps[1].Decode(&rr); err != nil {
					return Result{Err: err}
				}
				head = rr.Data
			case errors.As(err, &st) && st == wire.StatusEndOfFile:
			default:
				return Result{Err: err}
			}
			if len(head) < first {
				return Result{Data: append([]byte(nil), head...)}
			}
			data, err := s.readRest(ctx, path, o, head, int64(cr.EndOfFile))
			return Result{Data: data, Err: err}
		},
	}
}

// readRest reads a file past the first READ of planReadFile, through the
// window on a handle of its own.
func (s *Share) readRest(ctx context.Context, path string, o OpenOptions, head []byte, size int64) ([]byte, error) {
	// The first READ came with the size: no prefetch at offset 0 again.
	o.noPrefetch = true
	h, err := s.Open(ctx, path, o)
	if err != nil {
		return nil, err
	}
	defer h.Close(context.WithoutCancel(ctx))
	size = max(size, h.attr.Size, int64(len(head)))
	// One byte more than the size: the window's last chunk then finds the
	// end of the file (or that it grew) alongside the others, instead of
	// a round trip of its own after them.
	buf := make([]byte, size+1)
	copy(buf, head)
	n, err := h.readWindow(ctx, buf[len(head):], int64(len(head)))
	if err != nil && err != io.EOF {
		return nil, err
	}
	buf = buf[:len(head)+n]
	// The file may have grown since it was opened: read to the real end.
	for err == nil {
		more := make([]byte, s.readChunk)
		var m int
		m, err = h.readOnce(ctx, more, int64(len(buf)))
		buf = append(buf, more[:m]...)
		if err != nil && err != io.EOF {
			return nil, err
		}
	}
	return buf, nil
}

// WriteFile creates or truncates path and writes data, flushed to stable
// storage before it returns: CREATE+WRITE+FLUSH+CLOSE in one round trip when
// data fits one WRITE, the window otherwise.
func (s *Share) WriteFile(ctx context.Context, path string, data []byte, attrs uint32) error {
	return s.run(ctx, s.planWriteFile(path, data, attrs)).Err
}

func (s *Share) planWriteFile(path string, data []byte, attrs uint32) plan {
	o := OpenOptions{Access: AccessWrite, Disposition: CreateOrTruncate, Kind: FileOnly, Attributes: attrs}
	if len(data) > s.writeChunk {
		// Too big for one compound: CREATE+CLOSE is not what we want, so
		// the plan only opens (and closes nothing); finish does the rest.
		return plan{
			create: o.createRequest(path),
			finish: func(ctx context.Context, cr *wire.CreateResponse, _ []*protocol.Response) Result {
				h := s.newHandle(cr)
				if _, err := h.WriteAt(ctx, data, 0); err != nil {
					h.Close(context.WithoutCancel(ctx))
					return Result{Err: err}
				}
				return Result{Err: h.Close(ctx)}
			},
		}
	}
	var parts []wire.Request
	if len(data) > 0 {
		parts = append(parts, &wire.WriteRequest{FileID: wire.RelatedFileID, Data: data})
	}
	parts = append(parts, &wire.FlushRequest{FileID: wire.RelatedFileID}, relatedClose())
	return plan{create: o.createRequest(path), parts: parts,
		finish: func(_ context.Context, _ *wire.CreateResponse, resps []*protocol.Response) Result {
			for _, r := range resps[1:] {
				if err := r.Err(); err != nil {
					return Result{Err: err}
				}
			}
			if len(data) > 0 {
				var wr wire.WriteResponse
				if err := resps[1].Decode(&wr); err != nil {
					return Result{Err: err}
				}
				if int(wr.Count) != len(data) {
					return Result{Err: io.ErrShortWrite}
				}
			}
			return Result{}
		}}
}

// Remove deletes a file or an empty directory: CREATE (DELETE access) +
// SET_INFO(FileDispositionInformation) + CLOSE. The disposition, rather
// than FILE_DELETE_ON_CLOSE, makes a non-empty directory fail with
// STATUS_DIRECTORY_NOT_EMPTY instead of a silent no-op.
func (s *Share) Remove(ctx context.Context, path string) error {
	return s.run(ctx, s.planRemove(path)).Err
}

func (s *Share) planRemove(path string) plan {
	o := OpenOptions{Access: AccessDelete, Disposition: OpenExisting, NoFollow: true}
	return plan{name: "remove", once: true, create: o.createRequest(path),
		parts:  []wire.Request{relatedSetInfo(&wire.FileDispositionInformation{DeletePending: true}), relatedClose()},
		finish: secondErr}
}

// Rename renames from to to (both SMB paths from the share root), replacing
// an existing file at to when replace is set.
func (s *Share) Rename(ctx context.Context, from, to string, replace bool) error {
	return s.run(ctx, s.planRename(from, to, replace)).Err
}

func (s *Share) planRename(from, to string, replace bool) plan {
	o := OpenOptions{Access: AccessDelete, Disposition: OpenExisting, NoFollow: true}
	return plan{name: "rename", once: true, create: o.createRequest(from),
		parts:  []wire.Request{relatedSetInfo(&wire.FileRenameInformation{ReplaceIfExists: replace, FileName: to}), relatedClose()},
		finish: secondErr}
}

// Mkdir creates the directory path: CREATE(FILE_CREATE, directory)+CLOSE.
func (s *Share) Mkdir(ctx context.Context, path string, attrs uint32) error {
	return s.run(ctx, s.planMkdir(path, attrs)).Err
}

func (s *Share) planMkdir(path string, attrs uint32) plan {
	o := OpenOptions{Disposition: CreateNew, Kind: DirOnly, Attributes: attrs}
	return plan{name: "mkdir", once: true, create: o.createRequest(path), parts: []wire.Request{relatedClose()},
		finish: func(context.Context, *wire.CreateResponse, []*protocol.Response) Result { return Result{} }}
}

// SetTimes sets times and attributes of path: CREATE+SET_INFO+CLOSE.
func (s *Share) SetTimes(ctx context.Context, path string, t Times) error {
	o := OpenOptions{Access: AccessWriteAttributes, Disposition: OpenExisting}
	return s.run(ctx, plan{create: o.createRequest(path),
		parts: []wire.Request{relatedSetInfo(t.basicInfo()), relatedClose()}, finish: secondErr}).Err
}

// Truncate sets the size of path: CREATE+SET_INFO(EndOfFile)+CLOSE.
func (s *Share) Truncate(ctx context.Context, path string, size int64) error {
	o := OpenOptions{Access: AccessWrite, Disposition: OpenExisting, Kind: FileOnly}
	return s.run(ctx, plan{create: o.createRequest(path),
		parts:  []wire.Request{relatedSetInfo(&wire.FileEndOfFileInformation{EndOfFile: uint64(size)}), relatedClose()},
		finish: secondErr}).Err
}

// ListDir returns every entry of the directory path ("." and ".." omitted)
// and the directory's own attributes. A directory whose listing fits the
// QUERY_DIRECTORY buffers of one compound (64 KiB, 4 MiB, 64 KiB: some
// 30,000 entries) takes one round trip; a larger one is listed again on a
// handle held open.
func (s *Share) ListDir(ctx context.Context, path string) ([]DirEntry, Attr, error) {
	r := s.run(ctx, s.planListDir(path))
	return r.Entries, r.Attr, r.Err
}

func (s *Share) planListDir(path string) plan {
	o := OpenOptions{Access: AccessRead, Disposition: OpenExisting, Kind: DirOnly}
	qd := func(size uint32) *wire.QueryDirectoryRequest {
		return &wire.QueryDirectoryRequest{FileInformationClass: dirClass, FileID: wire.RelatedFileID, Pattern: "*", OutputBufferLength: size}
	}
	// Three QUERY_DIRECTORY parts: a small one, a large one, and one that
	// can only say "no more files" — a full buffer cannot tell that the
	// listing is complete, only that answer can.
	return plan{create: o.createRequest(path), parts: []wire.Request{qd(s.listFirst), qd(s.listBuffer), qd(s.listFirst), relatedClose()},
		finish: func(ctx context.Context, cr *wire.CreateResponse, resps []*protocol.Response) Result {
			var all []DirEntry
			for _, r := range resps[1:4] {
				entries, done, err := s.decodeListing(r, r.Err())
				if err != nil {
					return Result{Err: err}
				}
				all = append(all, entries...)
				if done {
					return Result{Entries: all, Attr: attrFromCreate(cr)}
				}
			}
			entries, attr, err := s.listOpen(ctx, path, o)
			return Result{Entries: entries, Attr: attr, Err: err}
		}}
}

// listOpen lists a directory on a handle held open for as many
// QUERY_DIRECTORY rounds as it takes.
func (s *Share) listOpen(ctx context.Context, path string, o OpenOptions) ([]DirEntry, Attr, error) {
	h, err := s.Open(ctx, path, o)
	if err != nil {
		return nil, Attr{}, err
	}
	defer h.Close(context.WithoutCancel(ctx))
	var all []DirEntry
	for {
		entries, done, err := h.ReadDir(ctx)
		if err != nil {
			return nil, Attr{}, err
		}
		all = append(all, entries...)
		if done {
			return all, h.attr, nil
		}
	}
}
