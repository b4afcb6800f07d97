package pipeline

import (
	"context"
	"errors"
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

// compound sends CREATE followed by bodies as one related chain and makes
// sure the handle the CREATE opened ends up closed: the chain's last part
// must be a CLOSE, and if that CLOSE did not succeed while the CREATE did,
// an explicit CLOSE follows (a server may fail later related parts once one
// failed, MS-SMB2 3.3.5.2.7.2). It returns the CREATE response decoded and
// all responses.
func (s *Share) compound(ctx context.Context, create *wire.CreateRequest, bodies ...wire.Request) (*wire.CreateResponse, []*protocol.Response, error) {
	parts := append([]wire.Request{create}, bodies...)
	resps, err := s.tree.Compound(ctx, s.closeOrphans, parts...)
	if err != nil {
		return nil, nil, err
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return nil, resps, err
	}
	last := resps[len(resps)-1]
	if last.Header.Command == wire.CommandClose && last.Header.Status != wire.StatusSuccess {
		_, _ = s.tree.Do(ctx, &wire.CloseRequest{FileID: cr.FileID})
	}
	return &cr, resps, nil
}

// relatedClose is the CLOSE part that ends a related chain.
func relatedClose(flags uint16) *wire.CloseRequest {
	return &wire.CloseRequest{Flags: flags, FileID: wire.RelatedFileID}
}

// Stat returns the attributes of path: CREATE+CLOSE in one round trip (the
// CREATE response carries every attribute a Stat needs).
func (s *Share) Stat(ctx context.Context, path string, noFollow bool) (Attr, error) {
	o := OpenOptions{Disposition: OpenExisting, NoFollow: noFollow}
	cr, _, err := s.compound(ctx, o.createRequest(path), relatedClose(0))
	if err != nil {
		return Attr{}, err
	}
	return attrFromCreate(cr), nil
}

// ReadFile returns the contents of path. Up to one READ's worth takes a
// single round trip (CREATE+READ+CLOSE); a larger file continues through the
// window on a second open.
func (s *Share) ReadFile(ctx context.Context, path string) ([]byte, error) {
	o := OpenOptions{Access: AccessRead, Disposition: OpenExisting, Kind: FileOnly}
	first := s.readChunk
	cr, resps, err := s.compound(ctx, o.createRequest(path),
		&wire.ReadRequest{Length: uint32(first), FileID: wire.RelatedFileID},
		relatedClose(0))
	if err != nil {
		return nil, err
	}
	var head []byte
	readErr := resps[1].Err()
	var st wire.Status
	switch {
	case readErr == nil:
		var rr wire.ReadResponse
		if err := resps[1].Decode(&rr); err != nil {
			return nil, err
		}
		head = rr.Data
	case errors.As(readErr, &st) && st == wire.StatusEndOfFile:
	default:
		return nil, readErr
	}
	if int64(len(head)) >= int64(cr.EndOfFile) || len(head) < first {
		return append([]byte(nil), head...), nil
	}
	// Larger than one READ: read the rest through the window.
	h, err := s.Open(ctx, path, o)
	if err != nil {
		return nil, err
	}
	defer h.Close(context.WithoutCancel(ctx))
	size := max(int64(cr.EndOfFile), h.attr.Size)
	buf := make([]byte, size)
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
	o := OpenOptions{Access: AccessWrite, Disposition: CreateOrTruncate, Kind: FileOnly, Attributes: attrs}
	if len(data) <= s.writeChunk {
		parts := []wire.Request{}
		if len(data) > 0 {
			parts = append(parts, &wire.WriteRequest{FileID: wire.RelatedFileID, Data: data})
		}
		parts = append(parts, &wire.FlushRequest{FileID: wire.RelatedFileID}, relatedClose(0))
		_, resps, err := s.compound(ctx, o.createRequest(path), parts...)
		if err != nil {
			return err
		}
		for _, r := range resps[1:] {
			if err := r.Err(); err != nil {
				return err
			}
		}
		if len(data) > 0 {
			var wr wire.WriteResponse
			if err := resps[1].Decode(&wr); err != nil {
				return err
			}
			if int(wr.Count) != len(data) {
				return io.ErrShortWrite
			}
		}
		return nil
	}
	h, err := s.Open(ctx, path, o)
	if err != nil {
		return err
	}
	if _, err := h.WriteAt(ctx, data, 0); err != nil {
		h.Close(context.WithoutCancel(ctx))
		return err
	}
	return h.Close(ctx)
}

// Remove deletes a file or an empty directory: CREATE (DELETE access) +
// SET_INFO(FileDispositionInformation) + CLOSE. The disposition, rather
// than FILE_DELETE_ON_CLOSE, makes a non-empty directory fail with
// STATUS_DIRECTORY_NOT_EMPTY instead of a silent no-op.
func (s *Share) Remove(ctx context.Context, path string) error {
	o := OpenOptions{Access: AccessDelete, Disposition: OpenExisting, NoFollow: true}
	_, resps, err := s.compound(ctx, o.createRequest(path),
		&wire.SetInfoRequest{InfoType: wire.InfoTypeFile, FileInfoClass: wire.InfoFileDisposition, FileID: wire.RelatedFileID,
			Buffer: (&wire.FileDispositionInformation{DeletePending: true}).Encode(nil)},
		relatedClose(0))
	if err != nil {
		return err
	}
	return resps[1].Err()
}

// Rename renames from to to (both SMB paths from the share root), replacing
// an existing file at to when replace is set.
func (s *Share) Rename(ctx context.Context, from, to string, replace bool) error {
	o := OpenOptions{Access: AccessDelete, Disposition: OpenExisting, NoFollow: true}
	info := &wire.FileRenameInformation{ReplaceIfExists: replace, FileName: to}
	_, resps, err := s.compound(ctx, o.createRequest(from),
		&wire.SetInfoRequest{InfoType: wire.InfoTypeFile, FileInfoClass: wire.InfoFileRename, FileID: wire.RelatedFileID, Buffer: info.Encode(nil)},
		relatedClose(0))
	if err != nil {
		return err
	}
	return resps[1].Err()
}

// Mkdir creates the directory path: CREATE(FILE_CREATE, directory)+CLOSE.
func (s *Share) Mkdir(ctx context.Context, path string, attrs uint32) error {
	o := OpenOptions{Disposition: CreateNew, Kind: DirOnly, Attributes: attrs}
	_, _, err := s.compound(ctx, o.createRequest(path), relatedClose(0))
	return err
}

// SetTimes sets times and attributes of path: CREATE+SET_INFO+CLOSE.
func (s *Share) SetTimes(ctx context.Context, path string, t Times) error {
	o := OpenOptions{Access: AccessWriteAttributes, Disposition: OpenExisting}
	_, resps, err := s.compound(ctx, o.createRequest(path),
		&wire.SetInfoRequest{InfoType: wire.InfoTypeFile, FileInfoClass: wire.InfoFileBasic, FileID: wire.RelatedFileID, Buffer: t.basicInfo().Encode(nil)},
		relatedClose(0))
	if err != nil {
		return err
	}
	return resps[1].Err()
}

// Truncate sets the size of path: CREATE+SET_INFO(EndOfFile)+CLOSE.
func (s *Share) Truncate(ctx context.Context, path string, size int64) error {
	o := OpenOptions{Access: AccessWrite, Disposition: OpenExisting, Kind: FileOnly}
	info := &wire.FileEndOfFileInformation{EndOfFile: uint64(size)}
	_, resps, err := s.compound(ctx, o.createRequest(path),
		&wire.SetInfoRequest{InfoType: wire.InfoTypeFile, FileInfoClass: wire.InfoFileEndOfFile, FileID: wire.RelatedFileID, Buffer: info.Encode(nil)},
		relatedClose(0))
	if err != nil {
		return err
	}
	return resps[1].Err()
}

// ListDir returns every entry of the directory path ("." and ".." omitted)
// and the directory's own attributes. A directory whose listing fits two
// QUERY_DIRECTORY buffers takes one round trip
// (CREATE+QUERY_DIRECTORY+QUERY_DIRECTORY+CLOSE); a larger one is listed
// again on a handle held open.
func (s *Share) ListDir(ctx context.Context, path string) ([]DirEntry, Attr, error) {
	o := OpenOptions{Access: AccessRead, Disposition: OpenExisting, Kind: DirOnly}
	qd := func() *wire.QueryDirectoryRequest {
		return &wire.QueryDirectoryRequest{FileInformationClass: dirClass, FileID: wire.RelatedFileID, Pattern: "*", OutputBufferLength: s.listBuffer}
	}
	cr, resps, err := s.compound(ctx, o.createRequest(path), qd(), qd(), relatedClose(0))
	if err != nil {
		return nil, Attr{}, err
	}
	var all []DirEntry
	complete := false
	for _, r := range resps[1:3] {
		entries, done, err := s.decodeListing(r, r.Err())
		if err != nil {
			return nil, Attr{}, err
		}
		all = append(all, entries...)
		if done {
			complete = true
			break
		}
	}
	if complete {
		return all, attrFromCreate(cr), nil
	}
	h, err := s.Open(ctx, path, o)
	if err != nil {
		return nil, Attr{}, err
	}
	defer h.Close(context.WithoutCancel(ctx))
	all = all[:0]
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
