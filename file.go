package smbfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"syscall"

	"github.com/smbfs/smbfs/pipeline"
)

// File is an open file or directory on a share: what FS.Open, OpenFile and
// Create return inside their fs.File. It has the methods of *os.File that
// make sense over SMB. ReadAt and WriteAt may be called from many goroutines
// at once; Read, Write and Seek share the file offset, as in os.File.
type File struct {
	fsys *FS
	name string // as passed to Open, for errors
	flag int
	h    *pipeline.Handle
	st   *fileState
	ctx  context.Context
}

// fileState is shared by a File and the views WithContext makes of it.
type fileState struct {
	mu     sync.Mutex
	offset int64

	dirMu   sync.Mutex
	dir     []fs.DirEntry // sorted listing, loaded on first ReadDir
	dirRead bool
	dirPos  int
}

func newFile(fsys *FS, name string, flag int, h *pipeline.Handle) *File {
	return &File{fsys: fsys, name: name, flag: flag, h: h, st: &fileState{}, ctx: fsys.ctx}
}

// WithContext returns a view of f whose operations use ctx. The view shares
// the handle and the file offset with f.
func (f *File) WithContext(ctx context.Context) *File {
	v := *f
	v.ctx = ctx
	return &v
}

func (f *File) context() context.Context {
	if f.ctx != nil {
		return f.ctx
	}
	return context.Background()
}

// Name returns the name as passed to Open.
func (f *File) Name() string { return f.name }

// Stat returns the file's current attributes.
func (f *File) Stat() (fs.FileInfo, error) {
	a, err := f.h.Stat(f.context())
	if err != nil {
		return nil, f.err("stat", err)
	}
	return newFileInfo(path.Base(f.name), a), nil
}

// err wraps err for op on this file.
func (f *File) err(op string, err error) error {
	return pathErr(op, f.name, err)
}

func (f *File) readable() bool { return f.flag&(os.O_WRONLY|os.O_RDWR) != os.O_WRONLY }
func (f *File) writable() bool { return f.flag&(os.O_WRONLY|os.O_RDWR) != 0 }

// errBadMode is the error for reading a write-only file or writing a
// read-only one, as os.File reports it.
func (f *File) errBadMode(op string) error {
	return &fs.PathError{Op: op, Path: f.name, Err: &Error{Kind: syscall.EBADF, Err: syscall.EBADF}}
}

// checkRead refuses reads the server would refuse anyway: on a write-only
// handle (EBADF) and on a directory (EISDIR, as os reports it, rather than
// the server's STATUS_INVALID_DEVICE_REQUEST).
func (f *File) checkRead() error {
	if !f.readable() {
		return f.errBadMode("read")
	}
	if a := f.h.Attr(); a.IsDir() {
		return &fs.PathError{Op: "read", Path: f.name, Err: &Error{Kind: syscall.EISDIR, Err: syscall.EISDIR}}
	}
	return nil
}

// Read reads up to len(p) bytes at the file offset and advances it. At the
// end of the file it returns 0, io.EOF.
func (f *File) Read(p []byte) (int, error) {
	if err := f.checkRead(); err != nil {
		return 0, err
	}
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	n, err := f.h.ReadAt(f.context(), p, f.st.offset)
	f.st.offset += int64(n)
	if err == io.EOF {
		if n > 0 {
			return n, nil
		}
		return 0, io.EOF
	}
	if err != nil {
		return n, f.err("read", err)
	}
	return n, nil
}

// ReadAt reads len(p) bytes at off, per io.ReaderAt: fewer bytes only with
// an error, io.EOF at the end of the file. Large reads travel through the
// pipelined window.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if err := f.checkRead(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.name, Err: &Error{Kind: fs.ErrInvalid, Err: errors.New("negative offset")}}
	}
	n, err := f.h.ReadAt(f.context(), p, off)
	if err != nil && err != io.EOF {
		return n, f.err("read", err)
	}
	return n, err
}

// Write writes p at the file offset (at the end of the file with O_APPEND)
// and advances it. Writes are write-behind: Write returns once the data is
// queued, full-size WRITEs go out in the background through the window, and
// a failure is reported by a later Write, or at the latest by Sync or
// Close — never lost.
func (f *File) Write(p []byte) (int, error) {
	if !f.writable() {
		return 0, f.errBadMode("write")
	}
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	if err := f.appendPosition(); err != nil {
		return 0, err
	}
	n, err := f.h.Write(f.context(), p, f.st.offset)
	f.st.offset += int64(n)
	if err != nil {
		return n, f.err("write", err)
	}
	return n, nil
}

// appendPosition moves the offset to the end of the file for O_APPEND.
// Called with st.mu held.
func (f *File) appendPosition() error {
	if f.flag&os.O_APPEND == 0 {
		return nil
	}
	a, err := f.h.Stat(f.context())
	if err != nil {
		return f.err("write", err)
	}
	f.st.offset = a.Size
	return nil
}

// ReadFrom copies r to the file at the file offset and advances it; io.Copy
// uses it, so copying a local file onto the share keeps the window full.
// When r is another *File (or an io.LimitedReader over one), the server
// copies the data itself if both are on the same connection (see FS.Copy),
// from r's offset, which advances too.
func (f *File) ReadFrom(r io.Reader) (int64, error) {
	if !f.writable() {
		return 0, f.errBadMode("write")
	}
	if n, ok, err := f.readFromFile(r); ok {
		return n, err
	}
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	if err := f.appendPosition(); err != nil {
		return 0, err
	}
	n, err := f.h.ReadFrom(f.context(), r, f.st.offset)
	f.st.offset += n
	if err != nil {
		return n, f.err("write", err)
	}
	return n, nil
}

// WriteTo copies the file from the file offset to its end into w and
// advances the offset; io.Copy uses it, so copying from the share keeps the
// window full. When w is another *File, this is w.ReadFrom(f): a
// server-side copy where possible.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	if err := f.checkRead(); err != nil {
		return 0, err
	}
	if n, ok, err := f.writeToFile(w); ok {
		return n, err
	}
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	n, err := f.h.WriteTo(f.context(), w, f.st.offset)
	f.st.offset += n
	if err != nil {
		return n, f.err("read", err)
	}
	return n, nil
}

// WriteString is Write of a string.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// WriteAt writes p at off. As with os.File, it is an error on a file opened
// with O_APPEND.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if !f.writable() {
		return 0, f.errBadMode("write")
	}
	if f.flag&os.O_APPEND != 0 {
		return 0, &fs.PathError{Op: "writeat", Path: f.name, Err: &Error{Kind: fs.ErrInvalid, Err: errors.New("file opened with O_APPEND")}}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "writeat", Path: f.name, Err: &Error{Kind: fs.ErrInvalid, Err: errors.New("negative offset")}}
	}
	n, err := f.h.WriteAt(f.context(), p, off)
	if err != nil {
		return n, f.err("write", err)
	}
	return n, nil
}

// Seek sets the file offset, like os.File.Seek.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = f.st.offset
	case io.SeekEnd:
		a, err := f.h.Stat(f.context())
		if err != nil {
			return 0, f.err("seek", err)
		}
		base = a.Size
	default:
		return 0, &fs.PathError{Op: "seek", Path: f.name, Err: errInvalid()}
	}
	if base+offset < 0 {
		return 0, &fs.PathError{Op: "seek", Path: f.name, Err: &Error{Kind: fs.ErrInvalid, Err: errors.New("negative position")}}
	}
	f.st.offset = base + offset
	return f.st.offset, nil
}

// Sync commits written data to stable storage (SMB2 FLUSH).
func (f *File) Sync() error {
	return f.err("sync", f.h.Flush(f.context()))
}

// Truncate changes the file's size.
func (f *File) Truncate(size int64) error {
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: f.name, Err: errInvalid()}
	}
	if !f.writable() {
		return f.errBadMode("truncate")
	}
	return f.err("truncate", f.h.Truncate(f.context(), size))
}

// Close closes the file. Data still queued by Write is written, and a file
// that was written is flushed, in the same round trip as the CLOSE, so the
// data is on stable storage when Close returns nil; any error of a
// background write is reported here at the latest. Closing twice returns
// an error matching fs.ErrClosed.
func (f *File) Close() error {
	return f.err("close", f.h.Close(f.context()))
}

// ReadDir reads the directory's entries in name order, like os.File.ReadDir:
// with n > 0 at most n per call and io.EOF when none are left; with n <= 0
// all remaining ones.
func (f *File) ReadDir(n int) ([]fs.DirEntry, error) {
	if a := f.h.Attr(); !a.IsDir() {
		// os.File.ReadDir fails on a file with ENOTDIR; the server would
		// answer STATUS_NOT_SUPPORTED or STATUS_INVALID_PARAMETER. The
		// handle was opened on a file, and stays one.
		return nil, &fs.PathError{Op: "readdir", Path: f.name, Err: &Error{Kind: syscall.ENOTDIR, Err: syscall.ENOTDIR}}
	}
	st := f.st
	st.dirMu.Lock()
	defer st.dirMu.Unlock()
	if !st.dirRead {
		var all []pipeline.DirEntry
		for {
			batch, done, err := f.h.ReadDir(f.context())
			if err != nil {
				return nil, f.err("readdir", err)
			}
			all = append(all, batch...)
			if done {
				break
			}
		}
		st.dir = f.fsys.dirEntries(all)
		st.dirRead = true
	}
	rest := st.dir[st.dirPos:]
	if n <= 0 {
		st.dirPos = len(st.dir)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	st.dirPos += len(rest)
	return rest, nil
}

// Readdir is ReadDir returning FileInfo values, like os.File.Readdir.
func (f *File) Readdir(n int) ([]fs.FileInfo, error) {
	entries, err := f.ReadDir(n)
	out := make([]fs.FileInfo, len(entries))
	for i, e := range entries {
		out[i] = e.(dirEntry).fi
	}
	return out, err
}

// Readdirnames is ReadDir returning names, like os.File.Readdirnames.
func (f *File) Readdirnames(n int) ([]string, error) {
	entries, err := f.ReadDir(n)
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name()
	}
	return out, err
}
