package smbfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/smbfs/smbfs/pipeline"
)

// Copy copies the file src to dst, like cp: dst is created, or its contents
// are replaced (it keeps its own attributes and gets new times), and the copy
// is on stable storage when Copy returns nil. The server copies the data
// itself (FSCTL_SRV_COPYCHUNK), so none of it crosses the network; a server
// that cannot do that gets a pipelined client-side copy instead. Copying a
// file onto itself leaves it intact; a copy that fails may leave dst partly
// written. Errors are *os.LinkError: a missing src
// matches fs.ErrNotExist, a directory on either side syscall.EISDIR, a
// read-only share fs.ErrPermission.
func (fsys *FS) Copy(src, dst string) error {
	_, err := fsys.copyFile(src, dst, pipeline.CopyOptions{})
	return err
}

// copyFile is Copy with explicit options, reporting how the copy went.
func (fsys *FS) copyFile(src, dst string, o pipeline.CopyOptions) (pipeline.CopyResult, error) {
	for _, name := range []string{src, dst} {
		if _, _, err := fsys.resolve("copy", name); err != nil {
			return pipeline.CopyResult{}, &os.LinkError{Op: "copy", Old: src, New: dst, Err: fs.ErrInvalid}
		}
	}
	// Through DFS links the two names may live on different shares
	// (dfs.go): copyAt copies between them.
	var res pipeline.CopyResult
	err := fsys.at2("copy", src, dst, func(from, to location) (err error) {
		res, err = copyAt(fsys.context(), from, to, o)
		return err
	})
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if err != nil {
		return res, &os.LinkError{Op: "copy", Old: src, New: dst, Err: classify(err)}
	}
	return res, nil
}

// copyBetween copies src, from its offset, to dst at its offset and
// advances both offsets by what was copied: the part of io.Copy between two
// Files that File.ReadFrom and File.WriteTo hand over. limit < 0 copies to
// the end of src. The server copies when both files are on the same
// connection; otherwise the data streams through the client, READs and
// WRITEs through the window. handled is false when it is not for
// copyBetween to do (the two are one open file), and the caller goes on
// the ordinary way. The receiver of the io.Copy call (dst when
// receiverIsDst) has its offset locked first, as on io.Copy's ordinary path.
func copyBetween(ctx context.Context, dst, src *File, limit int64, receiverIsDst bool) (n int64, handled bool, err error) {
	if dst.st == src.st {
		return 0, false, nil
	}
	if err := src.checkRead(); err != nil {
		return 0, true, err
	}
	if !dst.writable() {
		return 0, true, dst.errBadMode("write")
	}
	first, second := dst.st, src.st
	if !receiverIsDst {
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	if err := dst.appendPosition(); err != nil {
		return 0, true, err
	}
	res, err := dst.h.CopyFrom(ctx, src.h, src.st.offset, dst.st.offset, limit, pipeline.CopyOptions{})
	src.st.offset += res.Bytes
	dst.st.offset += res.Bytes
	if err != nil {
		return res.Bytes, true, dst.err("write", err)
	}
	return res.Bytes, true, nil
}

// readFromFile is File.ReadFrom's hook: r a *File, or an io.LimitedReader
// over one (io.CopyN), is copied by copyBetween.
func (f *File) readFromFile(r io.Reader) (int64, bool, error) {
	limit := int64(-1)
	lr, limited := r.(*io.LimitedReader)
	if limited {
		if lr.N <= 0 {
			return 0, false, nil
		}
		r, limit = lr.R, lr.N
	}
	src, ok := r.(*File)
	if !ok {
		return 0, false, nil
	}
	n, handled, err := copyBetween(f.context(), f, src, limit, true)
	if limited && handled {
		lr.N -= n
	}
	return n, handled, err
}

// writeToFile is File.WriteTo's hook: w a *File is copied to by
// copyBetween.
func (f *File) writeToFile(w io.Writer) (int64, bool, error) {
	dst, ok := w.(*File)
	if !ok {
		return 0, false, nil
	}
	return copyBetween(f.context(), dst, f, -1, false)
}
