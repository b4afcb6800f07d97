package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Server-side copy (MS-SMB2 3.2.4.20.2): the source open yields a resume
// key (FSCTL_SRV_REQUEST_RESUME_KEY), and FSCTL_SRV_COPYCHUNK_WRITE on the
// destination open asks the server to copy ranges of the source itself, so
// the data never crosses the wire. Servers bound each request (chunk count,
// chunk size, bytes in all); one that finds a request too large answers
// STATUS_INVALID_PARAMETER with its bounds, and the copy adopts them. When
// the server cannot copy at all — no support, or the source lives on
// another connection — the same ranges go through the client instead:
// READs and WRITEs through the sliding window.

// CopyLimits bound one copy-chunk request: the server's
// ServerSideCopyMaxNumberofChunks, ServerSideCopyMaxChunkSize and
// ServerSideCopyMaxDataSize (MS-SMB2 3.3.1.5).
type CopyLimits struct {
	MaxChunks    int // chunks per request
	MaxChunkSize int // bytes per chunk
	MaxTotal     int // bytes per request
}

// DefaultCopyLimits are the limits a copy starts from: those of Windows
// servers (MS-SMB2 3.3.1.5, product behaviour) and of Samba, 256 chunks of
// 1 MiB and 16 MiB per request.
var DefaultCopyLimits = CopyLimits{MaxChunks: 256, MaxChunkSize: 1 << 20, MaxTotal: 16 << 20}

// defaultCopyDepth is how many copy-chunk requests are in flight at once.
// With one at a time the server idles for a round trip between requests;
// with too many they compete for its disk. Copying 100 MiB through an
// emulated 10 ms-RTT WAN took 197 ms at depth 1, 172 at 2, 166 at 4 and 183
// at 8; through a 2 ms-RTT LAN 91, 70, 69 and 85 ms (medians,
// docs/benchmarks.md).
const defaultCopyDepth = 4

// maxCopyLimit caps every limit at what the 32-bit Length and
// TotalBytesWritten fields can carry.
const maxCopyLimit = 1<<32 - 1

// withDefaults fills zero fields from DefaultCopyLimits and caps the rest.
func (l CopyLimits) withDefaults() CopyLimits {
	if l.MaxChunks <= 0 {
		l.MaxChunks = DefaultCopyLimits.MaxChunks
	}
	if l.MaxChunkSize <= 0 {
		l.MaxChunkSize = DefaultCopyLimits.MaxChunkSize
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultCopyLimits.MaxTotal
	}
	l.MaxChunkSize = min(l.MaxChunkSize, maxCopyLimit)
	l.MaxTotal = min(l.MaxTotal, maxCopyLimit)
	return l
}

// perRequest is the most one request may copy.
func (l CopyLimits) perRequest() int64 {
	return min(int64(l.MaxTotal), int64(l.MaxChunks)*int64(l.MaxChunkSize))
}

// CopyOptions tune Share.Copy and Handle.CopyFrom. The zero value copies
// server-side where the server can, with the default limits and depth.
type CopyOptions struct {
	// ClientSide skips the server-side copy: the data is read and
	// written through the client, as when the server cannot copy.
	ClientSide bool
	// Limits are the copy-chunk limits to start from; zero fields take
	// DefaultCopyLimits. A server that finds them too large answers
	// with its own, which the copy then keeps to.
	Limits CopyLimits
	// Depth is how many copy-chunk requests may be in flight at once.
	// Default 4.
	Depth int
}

// CopyResult reports how a copy went.
type CopyResult struct {
	// Bytes is how much was copied in all.
	Bytes int64
	// ServerSide is how much of it the server copied by itself; the rest
	// travelled through the client.
	ServerSide int64
	// Limits are the copy-chunk limits in force at the end (zero when
	// no server-side copy was tried), and Adapted reports that the
	// server replaced the starting ones with its own.
	Limits  CopyLimits
	Adapted bool
	// Fallback is why data went through the client (nil when none did):
	// the server's refusal, or a reason of the client's own (a
	// client-side copy was asked for, or the two handles are on
	// different connections).
	Fallback error
}

// Reasons for a client-side copy that are not server errors.
var (
	errClientSide      = errors.New("client-side copy requested")
	errOtherConnection = errors.New("source and destination are on different connections")
)

// statusInvalidViewSize is what Windows and Samba answer for a copy-chunk
// range past the end of the source, where MS-SMB2 3.3.5.15.6 suggests
// STATUS_END_OF_FILE (product behaviour note there).
const statusInvalidViewSize wire.Status = 0xC000001F

// Copy copies the file src to dst (SMB paths from the share root), creating
// dst or replacing its contents, and returns when the copy is on stable
// storage (FLUSH). It copies the source as it is when opened, server-side
// where the server can (see CopyOptions). Only data is copied: dst keeps
// (or gets fresh) times and attributes. A copy that fails may leave dst
// partly written.
//
// Round trips: CREATE+IOCTL(resume key) for the source, CREATE+SET_INFO
// (end of file: the new size, which also cuts off an old, longer content)
// for the destination, the copy, then FLUSH+CLOSE. The destination is not
// truncated before the copy, so copying a file onto itself (under another
// spelling of its name on a case-insensitive share) leaves it intact.
func (s *Share) Copy(ctx context.Context, src, dst string, o CopyOptions) (CopyResult, error) {
	sh, key, keyErr, err := s.openCopySource(ctx, src, !o.ClientSide)
	if err != nil {
		return CopyResult{}, err
	}
	closeSrc := func() { _ = sh.Close(context.WithoutCancel(ctx)) }
	size := sh.attr.Size
	dh, err := s.openCopyDest(ctx, dst, size)
	if err != nil {
		closeSrc()
		return CopyResult{}, err
	}
	res, err := dh.copyRange(ctx, sh, key, keyErr, 0, 0, size, o)
	if err == nil && res.Bytes < size {
		// The source shrank while we copied: so does the copy.
		err = dh.Truncate(ctx, res.Bytes)
	}
	// The source is only read: its CLOSE can travel with the
	// destination's FLUSH+CLOSE.
	var wg sync.WaitGroup
	wg.Go(closeSrc)
	defer wg.Wait()
	if err != nil {
		_ = dh.Close(context.WithoutCancel(ctx))
		return res, err
	}
	return res, dh.Close(ctx)
}

// openCopySource opens path for reading and, with wantKey, asks for its
// resume key in the same round trip. keyErr is why there is no key; err
// that the open failed.
func (s *Share) openCopySource(ctx context.Context, path string, wantKey bool) (h *Handle, key [wire.ResumeKeySize]byte, keyErr, err error) {
	o := OpenOptions{Access: AccessRead, Disposition: OpenExisting, Kind: FileOnly}
	parts := []wire.Request{o.createRequest(path)}
	if wantKey {
		parts = append(parts, resumeKeyRequest(wire.RelatedFileID))
	}
	resps, err := s.tree.Compound(ctx, s.closeOrphans, parts...)
	if err != nil {
		return nil, key, nil, err
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return nil, key, nil, err
	}
	h = s.newHandle(&cr)
	if !wantKey {
		return h, key, errClientSide, nil
	}
	key, keyErr = decodeResumeKey(resps[1], resps[1].Err())
	return h, key, keyErr, nil
}

// openCopyDest opens or creates path for reading and writing (FSCTL_SRV_
// COPYCHUNK needs both, MS-SMB2 3.3.5.15.6) and sets its size to size in
// the same round trip: whatever lay past size is gone, and a server that
// allocates on a size change does so once.
func (s *Share) openCopyDest(ctx context.Context, path string, size int64) (*Handle, error) {
	o := OpenOptions{Access: AccessRead | AccessWrite, Disposition: OpenOrCreate, Kind: FileOnly}
	resps, err := s.tree.Compound(ctx, s.closeOrphans, o.createRequest(path),
		relatedSetInfo(&wire.FileEndOfFileInformation{EndOfFile: uint64(size)}))
	if err != nil {
		return nil, err
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return nil, err
	}
	h := s.newHandle(&cr)
	if err := resps[1].Err(); err != nil {
		_ = h.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	h.size.Store(size)
	return h, nil
}

// resumeKeyMaxOutput is the MaxOutputResponse of a resume-key request:
// room for the key, ContextLength and the 4 bytes of Context Samba adds
// (it answers STATUS_BUFFER_TOO_SMALL to less), with some to spare.
const resumeKeyMaxOutput = 2 * wire.ResumeKeyResponseSize

// resumeKeyRequest is FSCTL_SRV_REQUEST_RESUME_KEY on fid (MS-SMB2
// 3.2.4.20.2.1).
func resumeKeyRequest(fid wire.FileID) *wire.IoctlRequest {
	return &wire.IoctlRequest{
		CtlCode:           wire.FsctlSrvRequestResumeKey,
		FileID:            fid,
		MaxOutputResponse: resumeKeyMaxOutput,
		Flags:             wire.IoctlIsFSCTL,
	}
}

// decodeResumeKey takes the key out of a resume-key IOCTL response.
func decodeResumeKey(resp *protocol.Response, err error) (key [wire.ResumeKeySize]byte, _ error) {
	if err != nil {
		return key, err
	}
	var ir wire.IoctlResponse
	if err := resp.Decode(&ir); err != nil {
		return key, err
	}
	var rk wire.ResumeKeyResponse
	if err := rk.Decode(ir.Output); err != nil {
		return key, &protocol.ConnectionError{Op: "decode SRV_REQUEST_RESUME_KEY response", Err: err}
	}
	return rk.ResumeKey, nil
}

// CopyFrom copies n bytes of src, from srcOff, to h at dstOff — no more
// than src holds now, as the server reports it, and all of that when
// n < 0 — and returns what was copied. Both handles' queued writes reach the server first. When h and src
// live on the same connection the server copies (see CopyOptions); otherwise,
// or when the server cannot, the data goes through the client, through the
// window. Like WriteAt, the data is on the server when CopyFrom returns;
// Flush or Close puts it on stable storage. A source that ends early ends
// the copy early: Bytes tells how far it got.
func (h *Handle) CopyFrom(ctx context.Context, src *Handle, srcOff, dstOff, n int64, o CopyOptions) (CopyResult, error) {
	if err := h.check(); err != nil {
		return CopyResult{}, err
	}
	if err := src.check(); err != nil {
		return CopyResult{}, err
	}
	if srcOff < 0 || dstOff < 0 {
		return CopyResult{}, fmt.Errorf("negative offset (source %d, destination %d)", srcOff, dstOff)
	}
	if err := src.settle(ctx); err != nil {
		return CopyResult{}, err
	}
	if err := h.settle(ctx); err != nil {
		return CopyResult{}, err
	}
	// The server refuses ranges past the end of the source (MS-SMB2
	// 3.3.5.15.6): ask for no more than there is.
	a, err := src.Stat(ctx)
	if err != nil {
		return CopyResult{}, err
	}
	if rest := max(0, a.Size-srcOff); n < 0 || n > rest {
		n = rest
	}
	if n == 0 {
		return CopyResult{}, nil
	}
	var key [wire.ResumeKeySize]byte
	var keyErr error
	switch {
	case o.ClientSide:
		keyErr = errClientSide
	case src.s.tree.Conn() != h.s.tree.Conn():
		// A resume key means nothing to another server, or to
		// another connection of the same one.
		keyErr = errOtherConnection
	default:
		resp, err := src.s.tree.Do(ctx, resumeKeyRequest(src.fid))
		key, keyErr = decodeResumeKey(resp, err)
	}
	return h.copyRange(ctx, src, key, keyErr, srcOff, dstOff, n, o)
}

// copyRange copies n bytes of src at srcOff to h at dstOff: server-side
// with key unless keyErr says why not, and through the client for whatever
// the server did not copy.
func (h *Handle) copyRange(ctx context.Context, src *Handle, key [wire.ResumeKeySize]byte, keyErr error, srcOff, dstOff, n int64, o CopyOptions) (CopyResult, error) {
	h.cache.drop()
	src.cache.drop() // src may be h's file under another handle
	h.wb.markDirty() // so that Close flushes
	defer h.cache.drop()
	var res CopyResult
	todo := []span{{0, n}}
	if keyErr == nil {
		sc := newServerCopy(h, src, key, srcOff, dstOff, o)
		var fatal error
		todo, fatal = sc.run(ctx, n)
		res.ServerSide, res.Limits, res.Adapted, res.Fallback = sc.copied, sc.limits, sc.adapted, sc.fallback
		if fatal != nil {
			res.Bytes = n
			if len(todo) > 0 {
				res.Bytes = todo[0].off
			}
			h.growSize(dstOff + res.Bytes)
			return res, fatal
		}
	} else {
		res.Fallback = keyErr
	}
	res.Bytes = n
	for _, sp := range todo {
		got, err := h.copyClient(ctx, src, srcOff+sp.off, dstOff+sp.off, sp.n)
		if err != nil || got < sp.n {
			res.Bytes = sp.off + got
			h.growSize(dstOff + res.Bytes)
			return res, err
		}
	}
	h.growSize(dstOff + res.Bytes)
	return res, nil
}

// span is a range of a copy, relative to its start.
type span struct{ off, n int64 }

// serverCopy is one server-side copy: requests of up to limits.perRequest()
// bytes, depth of them in flight. Fields below mu are shared by the
// workers.
type serverCopy struct {
	dst, src       *Handle
	key            [wire.ResumeKeySize]byte
	srcOff, dstOff int64
	depth          int
	maxChunks      int // what fits the server's MaxTransactSize

	mu       sync.Mutex
	limits   CopyLimits
	adapted  bool
	ctl      uint32 // FSCTL_SRV_COPYCHUNK_WRITE, or FSCTL_SRV_COPYCHUNK after a refusal
	switched bool   // ctl was changed
	copied   int64
	fallback error
}

func newServerCopy(dst, src *Handle, key [wire.ResumeKeySize]byte, srcOff, dstOff int64, o CopyOptions) *serverCopy {
	sc := &serverCopy{dst: dst, src: src, key: key, srcOff: srcOff, dstOff: dstOff,
		depth: o.Depth, limits: o.Limits.withDefaults(), ctl: wire.FsctlSrvCopyChunkWrite}
	if sc.depth <= 0 {
		sc.depth = defaultCopyDepth
	}
	// The request's input must fit the server's MaxTransactSize
	// (MS-SMB2 3.3.5.15): 32 bytes of header and 24 per chunk.
	sc.maxChunks = max(1, (int(dst.s.tree.Conn().MaxTransactSize())-32)/24)
	sc.limits.MaxChunks = min(sc.limits.MaxChunks, sc.maxChunks)
	return sc
}

// run copies [0, n) and returns the spans left for the client (in order)
// and, if the copy must stop, the error that stops it. Errors that mean
// "the server will not copy this" (see fallsBack) are not fatal: they end
// the server-side copy and leave the rest to the client.
func (sc *serverCopy) run(ctx context.Context, n int64) (todo []span, fatal error) {
	// The first request goes alone: it learns the server's limits, or
	// its refusal, before requests fan out.
	first := min(n, sc.perRequest())
	if err := sc.copyPiece(ctx, 0, first); err != nil {
		return sc.failed(err, []span{{0, n}})
	}
	sc.copied = first
	next := first
	if next == n {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		stop     bool
		firstErr error
	)
	workers := int(min(int64(sc.depth), (n-next+sc.perRequest()-1)/sc.perRequest()))
	for range workers {
		wg.Go(func() {
			for {
				sc.mu.Lock()
				if stop || next >= n {
					sc.mu.Unlock()
					return
				}
				sp := span{next, min(n-next, sc.perRequestLocked())}
				next += sp.n
				sc.mu.Unlock()
				err := sc.copyPiece(ctx, sp.off, sp.n)
				sc.mu.Lock()
				if err == nil {
					sc.copied += sp.n
				} else {
					todo = append(todo, sp)
					if !stop {
						stop, firstErr = true, err
						if !fallsBack(err) {
							cancel()
						}
					}
				}
				sc.mu.Unlock()
			}
		})
	}
	wg.Wait()
	if next < n {
		todo = append(todo, span{next, n - next})
	}
	slices.SortFunc(todo, func(a, b span) int { return cmp.Compare(a.off, b.off) })
	if firstErr != nil {
		return sc.failed(firstErr, todo)
	}
	return todo, nil
}

// failed sorts err into a fallback (the spans go to the client) or a fatal
// error.
func (sc *serverCopy) failed(err error, todo []span) ([]span, error) {
	if fallsBack(err) {
		sc.fallback = err
		return todo, nil
	}
	return todo, err
}

// fallsBack reports a server-side copy failure that the client-side copy
// can make good: the server does not do server-side copy (or not between
// these two opens: STATUS_OBJECT_NAME_NOT_FOUND is an unknown resume key;
// STATUS_ACCESS_DENIED an access check the READs and WRITEs will repeat
// and report precisely), a range the server refused, or a source shorter
// than it was (the client copy stops at its end).
func fallsBack(err error) bool {
	var st wire.Status
	if errors.Is(err, errShortCopy) {
		return true
	}
	if !errors.As(err, &st) {
		return false
	}
	switch st {
	case wire.StatusNotSupported, wire.StatusInvalidDeviceRequest, wire.StatusNotImplemented,
		wire.StatusObjectNameNotFound, wire.StatusAccessDenied, wire.StatusInvalidParameter,
		wire.StatusEndOfFile, statusInvalidViewSize:
		return true
	}
	return false
}

// errShortCopy reports a copy-chunk request that succeeded without copying
// all it was asked to.
var errShortCopy = errors.New("server copied less than asked")

func (sc *serverCopy) perRequest() int64 {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.perRequestLocked()
}

func (sc *serverCopy) perRequestLocked() int64 { return sc.limits.perRequest() }

// copyPiece has the server copy [off, off+size) of the copy: one request,
// or several if the server's limits turn out smaller than the ones the
// piece was cut for.
func (sc *serverCopy) copyPiece(ctx context.Context, off, size int64) error {
	for done := int64(0); done < size; {
		sc.mu.Lock()
		lim, ctl := sc.limits, sc.ctl
		sc.mu.Unlock()
		sub := min(size-done, lim.perRequest())
		req := sc.request(off+done, sub, lim)
		resp, err := sc.dst.s.tree.Do(ctx, &wire.IoctlRequest{
			CtlCode:           ctl,
			FileID:            sc.dst.fid,
			Input:             req.Encode(make([]byte, 0, req.EncodedLen())),
			MaxOutputResponse: wire.CopyChunkResponseSize,
			Flags:             wire.IoctlIsFSCTL,
		})
		var st wire.Status
		switch {
		case err == nil:
			var out wire.CopyChunkResponse
			if err := decodeCopyChunk(resp, &out); err != nil {
				return err
			}
			// ChunksWritten is not checked: servers that merge
			// adjacent chunks count them their own way.
			if int64(out.TotalBytesWritten) != sub {
				return fmt.Errorf("smb2 IOCTL copy-chunk: %w: %d of %d bytes", errShortCopy, out.TotalBytesWritten, sub)
			}
			done += sub
		case errors.As(err, &st) && st == wire.StatusInvalidParameter:
			if !sc.adopt(resp, req, sub) {
				return err
			}
		case errors.As(err, &st) && (st == wire.StatusNotSupported || st == wire.StatusInvalidDeviceRequest) && ctl == wire.FsctlSrvCopyChunkWrite:
			// Servers of SMB 2.0.2 know only FSCTL_SRV_COPYCHUNK
			// (MS-SMB2 3.3.5.15.6, product behaviour): the
			// destination is open for reading too, so that will do.
			sc.mu.Lock()
			retry := !sc.switched
			sc.ctl, sc.switched = wire.FsctlSrvCopyChunk, true
			sc.mu.Unlock()
			if !retry {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// request builds the SRV_COPYCHUNK_COPY for [off, off+size) of the copy,
// cut into chunks of at most lim.MaxChunkSize.
func (sc *serverCopy) request(off, size int64, lim CopyLimits) *wire.CopyChunkRequest {
	step := int64(lim.MaxChunkSize)
	req := &wire.CopyChunkRequest{SourceKey: sc.key, Chunks: make([]wire.CopyChunk, 0, (size+step-1)/step)}
	for at := off; at < off+size; at += step {
		req.Chunks = append(req.Chunks, wire.CopyChunk{
			SourceOffset: uint64(sc.srcOff + at),
			TargetOffset: uint64(sc.dstOff + at),
			Length:       uint32(min(step, off+size-at)),
		})
	}
	return req
}

// decodeCopyChunk takes the SRV_COPYCHUNK_RESPONSE out of an IOCTL response
// (which may carry a failure status: MS-SMB2 3.3.5.15.6.1-2).
func decodeCopyChunk(resp *protocol.Response, out *wire.CopyChunkResponse) error {
	if resp == nil {
		return errors.New("no response")
	}
	var ir wire.IoctlResponse
	if err := ir.Decode(resp.Msg); err != nil {
		return &protocol.ConnectionError{Op: "decode IOCTL response", Err: err}
	}
	if err := out.Decode(ir.Output); err != nil {
		return &protocol.ConnectionError{Op: "decode SRV_COPYCHUNK_RESPONSE", Err: err}
	}
	return nil
}

// adopt takes the limits a STATUS_INVALID_PARAMETER response carries
// (MS-SMB2 2.2.32.1, 3.3.5.15.6.2) and reports whether they explain the
// refusal of req (sub bytes): only then is a retry with them any use. The
// limits only ever shrink, so requests cut for the old ones by other
// workers are cut again rather than refused twice.
func (sc *serverCopy) adopt(resp *protocol.Response, req *wire.CopyChunkRequest, sub int64) bool {
	if resp == nil || wire.IsErrorResponse(resp.Msg) {
		return false // an SMB2 ERROR body: no limits
	}
	var out wire.CopyChunkResponse
	if decodeCopyChunk(resp, &out) != nil || out.ChunksWritten == 0 || out.ChunkBytesWritten == 0 || out.TotalBytesWritten == 0 {
		return false
	}
	srv := CopyLimits{MaxChunks: int(out.ChunksWritten), MaxChunkSize: int(out.ChunkBytesWritten), MaxTotal: int(out.TotalBytesWritten)}
	largest := 0
	for _, c := range req.Chunks {
		largest = max(largest, int(c.Length))
	}
	if len(req.Chunks) <= srv.MaxChunks && largest <= srv.MaxChunkSize && sub <= int64(srv.MaxTotal) {
		return false // the request kept to them: something else is wrong
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.limits = CopyLimits{
		MaxChunks:    min(sc.limits.MaxChunks, srv.MaxChunks),
		MaxChunkSize: min(sc.limits.MaxChunkSize, srv.MaxChunkSize),
		MaxTotal:     min(sc.limits.MaxTotal, srv.MaxTotal),
	}
	sc.adapted = true
	return true
}

// copyClient copies n bytes of src at srcOff to h at dstOff through the
// client: each window slot READs a chunk and WRITEs it straight from the
// response, so window×chunk bytes are in flight and nothing is buffered
// twice. It stops early at the end of src and returns the bytes copied.
func (h *Handle) copyClient(ctx context.Context, src *Handle, srcOff, dstOff, n int64) (int64, error) {
	chunk := min(src.s.readChunk, h.s.writeChunk)
	// runWindow counts in int: go in steps that fit any int.
	const step = 1 << 30
	var total int64
	for total < n {
		size := int(min(n-total, step))
		base := total
		counts, err := h.s.runWindow(ctx, size, chunk, func(ctx context.Context, i int) (int, bool, error) {
			lo := base + int64(i*chunk)
			want := int(min(int64(chunk), base+int64(size)-lo))
			data, rerr := src.fetch(ctx, srcOff+lo, want)
			if rerr != nil && rerr != io.EOF {
				return 0, false, rerr
			}
			if len(data) > 0 {
				if m, werr := h.writeOnce(ctx, data, dstOff+lo); werr != nil {
					return m, false, werr
				}
			}
			return len(data), rerr == io.EOF, nil
		})
		got := prefixCount(counts, chunk, size)
		total += int64(got)
		if err != nil {
			return total, err
		}
		if got < size {
			return total, nil // src ended
		}
	}
	return total, nil
}
