package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Handle is an open file or directory on a share. Its methods are safe for
// concurrent use.
type Handle struct {
	s      *Share
	fid    wire.FileID
	attr   Attr // as of the open
	closed atomic.Bool

	// buf serves small reads from memory; see readBuffer.
	buf readBuffer

	// listing state for ReadDir.
	listMu   sync.Mutex
	listDone bool
}

// Open opens path with o (one CREATE round trip).
func (s *Share) Open(ctx context.Context, path string, o OpenOptions) (*Handle, error) {
	req := o.createRequest(path)
	resps, err := s.tree.Conn().SendWithCleanup(ctx, s.closeOrphans, s.tree.Request(req))
	if err != nil {
		return nil, err
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return nil, err
	}
	return s.newHandle(&cr), nil
}

func (s *Share) newHandle(cr *wire.CreateResponse) *Handle {
	return &Handle{s: s, fid: cr.FileID, attr: attrFromCreate(cr)}
}

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

// Close closes the handle (MS-SMB2 CLOSE). Later calls return ErrClosed.
func (h *Handle) Close(ctx context.Context) error {
	if h.closed.Swap(true) {
		return errClosed
	}
	h.buf.drop()
	_, err := h.s.tree.Do(ctx, &wire.CloseRequest{FileID: h.fid})
	return err
}

// Flush asks the server to put written data on stable storage (FLUSH).
func (h *Handle) Flush(ctx context.Context) error {
	if err := h.check(); err != nil {
		return err
	}
	_, err := h.s.tree.Do(ctx, &wire.FlushRequest{FileID: h.fid})
	return err
}

// Stat queries the handle's current attributes.
func (h *Handle) Stat(ctx context.Context) (Attr, error) {
	if err := h.check(); err != nil {
		return Attr{}, err
	}
	var info wire.FileNetworkOpenInformation
	if err := h.queryInfo(ctx, &info); err != nil {
		return Attr{}, err
	}
	return attrFromNetworkOpen(&info), nil
}

// queryInfo runs QUERY_INFO for the class of info and decodes into it.
func (h *Handle) queryInfo(ctx context.Context, info wire.InfoBuffer) error {
	resp, err := h.s.tree.Do(ctx, wire.QueryInfoFor(h.fid, info, 4096))
	if err != nil {
		return err
	}
	var qr wire.QueryInfoResponse
	if err := resp.Decode(&qr); err != nil {
		return err
	}
	if err := info.Decode(qr.Buffer); err != nil {
		return &protocol.ConnectionError{Op: "decode QUERY_INFO", Err: err}
	}
	return nil
}

// setInfo runs SET_INFO with info.
func (h *Handle) setInfo(ctx context.Context, info wire.InfoBuffer) error {
	if err := h.check(); err != nil {
		return err
	}
	h.buf.drop()
	_, err := h.s.tree.Do(ctx, wire.SetInfoFor(h.fid, info))
	return err
}

// Truncate sets the file's size (FileEndOfFileInformation).
func (h *Handle) Truncate(ctx context.Context, size int64) error {
	if size < 0 {
		return fmt.Errorf("negative size %d", size)
	}
	return h.setInfo(ctx, &wire.FileEndOfFileInformation{EndOfFile: uint64(size)})
}

// SetTimesAndAttributes updates times and attributes; see Times.
func (h *Handle) SetTimesAndAttributes(ctx context.Context, t Times) error {
	return h.setInfo(ctx, t.basicInfo())
}

// Disposition marks the file for deletion when the last handle closes.
func (h *Handle) Disposition(ctx context.Context, deletePending bool) error {
	return h.setInfo(ctx, &wire.FileDispositionInformation{DeletePending: deletePending})
}

// Rename renames the open file to target (an SMB path from the share root).
func (h *Handle) Rename(ctx context.Context, target string, replace bool) error {
	return h.setInfo(ctx, &wire.FileRenameInformation{ReplaceIfExists: replace, FileName: target})
}

// ReadDir returns the next batch of directory entries ("." and ".."
// omitted). After the last batch it returns nil, nil... no: it returns an
// empty slice and done=true.
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
		FileID:               h.fid,
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
const dirClass = wire.InfoFileIDBothDirectory

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
