package smbfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// FS is a mounted share, or a directory inside one, as an io/fs file
// system. It implements fs.FS, fs.StatFS, fs.ReadDirFS, fs.ReadFileFS,
// fs.SubFS and fs.GlobFS, and the writable methods of os (OpenFile, Create,
// Mkdir, MkdirAll, Remove, RemoveAll, Rename, Chmod, Chtimes, Truncate,
// WriteFile) with the same semantics. Many goroutines may use one FS.
//
// Names are slash-separated paths as fs.ValidPath defines them; SMB-forbidden
// characters are mapped (see WithNameMapping).
//
// Context: FS methods have the signatures io/fs and os fix, so they take
// their context from the FS. WithContext returns a view of the same mount
// whose operations (and the files it opens) use ctx; the FS returned by
// Mount or Dial uses context.Background().
type FS struct {
	m       *mount
	root    string // Go path of this view's root inside the share; "" = top
	ctx     context.Context
	mapping bool
}

// mount is what the views of one mounted share have in common.
type mount struct {
	client     *Client
	tree       *protocol.Tree
	share      *pipeline.Share
	ownsClient bool // Dial: closing the FS closes the client

	closeOnce sync.Once
	closeErr  error
}

// Compile-time checks of the io/fs interfaces.
var (
	_ fs.FS         = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
	_ fs.SubFS      = (*FS)(nil)
	_ fs.GlobFS     = (*FS)(nil)
)

// WithContext returns a view of fsys whose operations use ctx: cancelling
// ctx cancels them (the server is sent SMB2 CANCEL for requests it is
// working on). Files opened through the view keep using ctx.
func (fsys *FS) WithContext(ctx context.Context) *FS {
	v := *fsys
	v.ctx = ctx
	return &v
}

// context returns the context operations use.
func (fsys *FS) context() context.Context {
	if fsys.ctx != nil {
		return fsys.ctx
	}
	return context.Background()
}

// Client returns the client the share is mounted from.
func (fsys *FS) Client() *Client { return fsys.m.client }

// Close disconnects the share (and, for an FS made by Dial, the client).
// Views made by Sub and WithContext share the mount: closing one closes all.
func (fsys *FS) Close() error {
	m := fsys.m
	m.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), m.client.opts.closeTimeout())
		defer cancel()
		err := m.tree.Disconnect(ctx)
		var ce *protocol.ConnectionError
		if errors.As(err, &ce) {
			err = nil
		}
		if m.ownsClient {
			if cerr := m.client.Close(); err == nil {
				err = cerr
			}
		}
		m.closeErr = err
	})
	return m.closeErr
}

// resolve checks name and returns the Go path from the share root and the
// SMB path to send.
func (fsys *FS) resolve(op, name string) (full, wirePath string, err error) {
	if !fs.ValidPath(name) {
		return "", "", invalidPath(op, name)
	}
	full = name
	if fsys.root != "" {
		full = path.Join(fsys.root, name)
	}
	wirePath, err = toWirePath(full, fsys.mapping)
	if err != nil {
		return "", "", &fs.PathError{Op: op, Path: name, Err: classify(err)}
	}
	return full, wirePath, nil
}

// Open opens the named file or directory for reading.
func (fsys *FS) Open(name string) (fs.File, error) {
	return fsys.openFile("open", name, os.O_RDONLY, 0)
}

// Create creates or truncates the named file, opened for reading and
// writing, like os.Create.
func (fsys *FS) Create(name string) (fs.File, error) {
	return fsys.openFile("open", name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// OpenFile opens a file like os.OpenFile: flag combines O_RDONLY, O_WRONLY
// or O_RDWR with O_CREATE, O_EXCL, O_TRUNC and O_APPEND; perm's owner-write
// bit decides whether a created file is read-only. The fs.File it returns
// is a *File.
func (fsys *FS) OpenFile(name string, flag int, perm fs.FileMode) (fs.File, error) {
	return fsys.openFile("open", name, flag, perm)
}

func (fsys *FS) openFile(op, name string, flag int, perm fs.FileMode) (*File, error) {
	if !fs.ValidPath(name) {
		return nil, invalidPath(op, name)
	}
	var o pipeline.OpenOptions
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_RDONLY:
		o.Access = pipeline.AccessRead
	case os.O_WRONLY:
		o.Access = pipeline.AccessWrite
		o.Kind = pipeline.FileOnly
	case os.O_RDWR:
		o.Access = pipeline.AccessRead | pipeline.AccessWrite
		o.Kind = pipeline.FileOnly
	default:
		return nil, &fs.PathError{Op: op, Path: name, Err: errInvalid()}
	}
	switch {
	case flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		o.Disposition = pipeline.CreateNew
	case flag&os.O_CREATE != 0 && flag&os.O_TRUNC != 0:
		o.Disposition = pipeline.CreateOrTruncate
	case flag&os.O_CREATE != 0:
		o.Disposition = pipeline.OpenOrCreate
	case flag&os.O_TRUNC != 0:
		o.Disposition = pipeline.TruncateExisting
	default:
		o.Disposition = pipeline.OpenExisting
	}
	if flag&os.O_TRUNC != 0 && o.Access&pipeline.AccessWrite == 0 {
		// os.OpenFile truncates even a read-only open on Unix; SMB needs
		// write access to overwrite.
		o.Access |= pipeline.AccessWrite
		o.Kind = pipeline.FileOnly
	}
	ctx := fsys.context()
	var h *pipeline.Handle
	err := fsys.at(op, name, func(l location) (err error) {
		if flag&os.O_CREATE != 0 && perm&0o200 == 0 {
			// perm only applies to a file the open creates (os.OpenFile),
			// but a CREATE that overwrites an existing file (O_TRUNC)
			// gives it the attributes the request carries, as
			// CREATE_ALWAYS does on Windows (Samba does the same), so the
			// read-only attribute goes only with an exclusive create. If
			// the file exists (and O_EXCL was not asked), open it as
			// usual: one more round trip, only then.
			excl := o
			excl.Disposition = pipeline.CreateNew
			excl.Attributes = pipeline.AttrReadOnly
			h, err = l.m.share.Open(ctx, l.path, excl)
			if err == nil || o.Disposition == pipeline.CreateNew || !errors.Is(classify(err), fs.ErrExist) {
				return err
			}
		}
		h, err = l.m.share.Open(ctx, l.path, o)
		return err
	})
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	return newFile(fsys, name, flag, h), nil
}

// Stat returns a FileInfo describing the named file (one round trip).
func (fsys *FS) Stat(name string) (fs.FileInfo, error) {
	return fsys.stat("stat", name, false)
}

// Lstat is Stat without following a final symbolic link (reparse point).
func (fsys *FS) Lstat(name string) (fs.FileInfo, error) {
	return fsys.stat("lstat", name, true)
}

func (fsys *FS) stat(op, name string, noFollow bool) (fs.FileInfo, error) {
	var a pipeline.Attr
	err := fsys.at(op, name, func(l location) (err error) {
		a, err = l.m.share.Stat(fsys.context(), l.path, noFollow)
		return err
	})
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	return newFileInfo(path.Base(name), a), nil
}

// ReadDir lists the named directory, sorted by name.
func (fsys *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	var entries []pipeline.DirEntry
	err := fsys.at("readdir", name, func(l location) (err error) {
		entries, _, err = l.m.share.ListDir(fsys.context(), l.path)
		return err
	})
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, err // a bad name, or a DFS resolution failure
	}
	if err != nil {
		// As from os.ReadDir: a failure to open is an "open" error; only
		// listing something that is not a directory fails in "readdir"
		// (os opens a file fine, then fails to list it with ENOTDIR).
		err = classify(err)
		op := "open"
		if errors.Is(err, syscall.ENOTDIR) {
			op = "readdir"
		}
		return nil, pathErr(op, name, err)
	}
	return fsys.dirEntries(entries), nil
}

// dirEntries converts a listing to sorted fs.DirEntry values, decoding the
// names. Names no Go path can hold (containing a slash) are skipped.
func (fsys *FS) dirEntries(entries []pipeline.DirEntry) []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(entries))
	for _, e := range entries {
		name := decodeComponent(e.Name, fsys.mapping)
		if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
			continue
		}
		out = append(out, dirEntry{newFileInfo(name, e.Attr)})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// ReadFile reads the named file: one round trip for files up to one READ
// (CREATE+READ+CLOSE), the pipelined window beyond.
func (fsys *FS) ReadFile(name string) ([]byte, error) {
	var data []byte
	err := fsys.at("readfile", name, func(l location) (err error) {
		data, err = l.m.share.ReadFile(fsys.context(), l.path)
		return err
	})
	if err != nil {
		return nil, pathErr(wholeFileOp(err, "read"), name, err)
	}
	return data, nil
}

// wholeFileOp names the step of os.ReadFile or os.WriteFile that a failure
// of ReadFile or WriteFile (one compound on the wire) corresponds to, so
// errors read as os's do: "open" for what the open decides (a missing,
// existing, forbidden, invalid or wrong-kind name), else rw ("read" or
// "write"). Reading a directory fails in "read", as on Unix, where opening
// one succeeds.
func wholeFileOp(err error, rw string) string {
	err = classify(err)
	if rw == "read" && errors.Is(err, syscall.EISDIR) {
		return rw
	}
	for _, kind := range []error{fs.ErrNotExist, fs.ErrExist, fs.ErrPermission, fs.ErrInvalid, syscall.EISDIR, syscall.ENOTDIR, syscall.EBUSY} {
		if errors.Is(err, kind) {
			return "open"
		}
	}
	return rw
}

// WriteFile writes data to the named file, creating or truncating it, like
// os.WriteFile; the data is flushed to stable storage before it returns.
func (fsys *FS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	ctx := fsys.context()
	err := fsys.at("open", name, func(l location) error {
		var attrs uint32
		if perm&0o200 == 0 {
			// perm applies only to a file WriteFile creates
			// (os.WriteFile), but an overwriting CREATE gives an
			// existing file the attributes the request carries (see
			// openFile): make the file read-only only if it does not
			// exist yet.
			_, serr := l.m.share.Stat(ctx, l.path, false)
			if isStatus(serr, wire.StatusPathNotCovered) {
				return serr // below a DFS link: resolve, then start again
			}
			if serr != nil && errors.Is(classify(serr), fs.ErrNotExist) {
				attrs = pipeline.AttrReadOnly
			}
		}
		return l.m.share.WriteFile(ctx, l.path, data, attrs)
	})
	if err != nil {
		return pathErr(wholeFileOp(err, "write"), name, err)
	}
	return nil
}

// Mkdir creates a directory, like os.Mkdir. SMB has no permission bits;
// perm is ignored.
func (fsys *FS) Mkdir(name string, perm fs.FileMode) error {
	return pathErr("mkdir", name, fsys.at("mkdir", name, func(l location) error {
		if l.path == "" {
			// The root of the share (or of a DFS link's target) exists.
			return &Error{Kind: fs.ErrExist, Err: syscall.EEXIST}
		}
		return l.m.share.Mkdir(fsys.context(), l.path, 0)
	}))
}

// MkdirAll creates a directory and any missing parents, like os.MkdirAll.
func (fsys *FS) MkdirAll(name string, perm fs.FileMode) error {
	if !fs.ValidPath(name) {
		return invalidPath("mkdir", name)
	}
	fi, err := fsys.Stat(name)
	if err == nil {
		if fi.IsDir() {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: name, Err: &Error{Kind: syscall.ENOTDIR, Err: syscall.ENOTDIR}}
	}
	// Whatever made Stat fail (a missing name, or a parent that is a file,
	// which Samba may report either way), go on to the parents, as
	// os.MkdirAll does: the first one that cannot be made says why.
	if parent := path.Dir(name); parent != "." {
		if err := fsys.MkdirAll(parent, perm); err != nil {
			return err
		}
	}
	err = fsys.Mkdir(name, perm)
	if err != nil && errors.Is(err, fs.ErrExist) {
		// Lost a race with another creator: fine if it is a directory.
		if fi, serr := fsys.Stat(name); serr == nil && fi.IsDir() {
			return nil
		}
	}
	return err
}

// Remove removes a file or an empty directory, like os.Remove. A non-empty
// directory fails with an error matching syscall.ENOTEMPTY.
func (fsys *FS) Remove(name string) error {
	ctx := fsys.context()
	return pathErr("remove", name, fsys.at("remove", name, func(l location) error {
		switch {
		case l.path == "" && l.m == fsys.m:
			return &Error{Kind: fs.ErrPermission, Err: errors.New("cannot remove the root of the file system")}
		case fsys.isLinkRoot(l):
			return &Error{Kind: fs.ErrPermission, Err: errDFSLinkRemove}
		}
		err := l.m.share.Remove(ctx, l.path)
		if isStatus(err, wire.StatusCannotDelete) {
			// The read-only attribute forbids deleting (MS-FSA
			// 2.1.5.15.3). os.Remove deletes read-only files (on Unix
			// the mode does not matter; on Windows Go clears the
			// attribute and retries), so do as Windows does, and put the
			// attribute back if it still fails.
			if a, serr := l.m.share.Stat(ctx, l.path, true); serr == nil && a.ReadOnly() {
				if setAttributes(ctx, l, a.Attributes&^pipeline.AttrReadOnly) == nil {
					if err = l.m.share.Remove(ctx, l.path); err != nil {
						_ = setAttributes(ctx, l, a.Attributes)
					}
				}
			}
		}
		return err
	}))
}

// isStatus reports whether err carries the NTSTATUS st.
func isStatus(err error, st wire.Status) bool {
	var got wire.Status
	return errors.As(err, &got) && got == st
}

// setAttributes sets the FILE_ATTRIBUTE_* bits of the file at l.
func setAttributes(ctx context.Context, l location, attrs uint32) error {
	if attrs == 0 {
		attrs = pipeline.AttrNormal // 0 would mean "leave unchanged"
	}
	return l.m.share.SetTimes(ctx, l.path, pipeline.Times{Attributes: attrs})
}

// RemoveAll removes name and everything it contains, like os.RemoveAll: a
// missing name is not an error.
func (fsys *FS) RemoveAll(name string) error {
	if !fs.ValidPath(name) {
		return invalidPath("removeall", name)
	}
	if name == "." {
		return &fs.PathError{Op: "removeall", Path: name, Err: errInvalid()}
	}
	err := fsys.Remove(name)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if errors.Is(err, errDFSLinkRemove) {
		// Like a symbolic link for os.RemoveAll, a DFS link is not
		// descended into: its target's files are not the link's.
		return err
	}
	entries, lerr := fsys.ReadDir(name)
	if lerr != nil {
		if errors.Is(lerr, fs.ErrNotExist) {
			return nil
		}
		return err // not a directory, or unreadable: report why Remove failed
	}
	for _, e := range entries {
		if err := fsys.RemoveAll(path.Join(name, e.Name())); err != nil {
			return err
		}
	}
	err = fsys.Remove(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Rename renames (moves) oldname to newname, replacing an existing file at
// newname like os.Rename. Errors are *os.LinkError.
func (fsys *FS) Rename(oldname, newname string) error {
	linkErr := func(err error) error {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	ctx := fsys.context()
	// os.Rename replaces a file at newname but never a directory: Go
	// refuses an existing directory (even oldname itself) with EEXIST
	// before calling rename(2). Samba, asked to replace, would put a
	// directory in place of an empty one, and reports renaming a name to
	// itself as success; so a rename that would replace something looks at
	// it first.
	eexist := &Error{Kind: syscall.EEXIST, Err: syscall.EEXIST}
	err := fsys.at2("rename", oldname, newname, func(from, to location) error {
		switch {
		case from.path == "" && from.m == fsys.m, to.path == "" && to.m == fsys.m:
			return &Error{Kind: fs.ErrPermission, Err: errors.New("cannot rename the root of the file system")}
		case fsys.isLinkRoot(from), fsys.isLinkRoot(to):
			return &Error{Kind: fs.ErrPermission, Err: errors.New("cannot rename a DFS link")}
		case from.m != to.m:
			return crossTarget()
		}
		s := from.m.share
		if from.path == to.path {
			a, err := s.Stat(ctx, from.path, true)
			switch {
			case err != nil:
				return err
			case a.IsDir():
				return eexist
			}
			return nil
		}
		err := s.Rename(ctx, from.path, to.path, false)
		if isStatus(err, wire.StatusObjectNameCollision) {
			a, serr := s.Stat(ctx, to.path, true)
			switch {
			case serr == nil && a.IsDir():
				return eexist
			case serr == nil || errors.Is(classify(serr), fs.ErrNotExist):
				// A file to replace (or one that went away meanwhile).
				err = s.Rename(ctx, from.path, to.path, true)
			}
		}
		return err
	})
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return linkErr(pe.Err)
	}
	if err != nil {
		return linkErr(classify(err))
	}
	return nil
}

// Chmod changes the mode of the named file. SMB files have no permission
// bits, only a read-only attribute: Chmod sets it when mode lacks the
// owner-write bit (0200) and clears it otherwise.
func (fsys *FS) Chmod(name string, mode fs.FileMode) error {
	ctx := fsys.context()
	return pathErr("chmod", name, fsys.at("chmod", name, func(l location) error {
		a, err := l.m.share.Stat(ctx, l.path, false)
		if err != nil {
			return err
		}
		attrs := a.Attributes &^ pipeline.AttrReadOnly
		if mode&0o200 == 0 {
			attrs |= pipeline.AttrReadOnly
		}
		if attrs == a.Attributes {
			return nil
		}
		return setAttributes(ctx, l, attrs)
	}))
}

// Chtimes changes the access and modification times of the named file, like
// os.Chtimes; a zero time.Time leaves that time unchanged.
func (fsys *FS) Chtimes(name string, atime, mtime time.Time) error {
	return pathErr("chtimes", name, fsys.at("chtimes", name, func(l location) error {
		return l.m.share.SetTimes(fsys.context(), l.path, pipeline.Times{Accessed: atime, Modified: mtime})
	}))
}

// Chown is not supported: SMB identifies owners by security descriptor, not
// uid/gid. The error matches errors.ErrUnsupported.
func (fsys *FS) Chown(name string, uid, gid int) error {
	if !fs.ValidPath(name) {
		return invalidPath("chown", name)
	}
	return &fs.PathError{Op: "chown", Path: name, Err: &Error{Kind: errors.ErrUnsupported, Err: errors.ErrUnsupported}}
}

// Truncate changes the size of the named file, like os.Truncate.
func (fsys *FS) Truncate(name string, size int64) error {
	if !fs.ValidPath(name) {
		return invalidPath("truncate", name)
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: name, Err: errInvalid()}
	}
	return pathErr("truncate", name, fsys.at("truncate", name, func(l location) error {
		return l.m.share.Truncate(fsys.context(), l.path, size)
	}))
}

// Sub returns the file system rooted at dir, sharing this mount.
func (fsys *FS) Sub(dir string) (fs.FS, error) {
	if !fs.ValidPath(dir) {
		return nil, invalidPath("sub", dir)
	}
	if dir == "." {
		return fsys, nil
	}
	v := *fsys
	v.root = path.Join(fsys.root, dir)
	if fsys.root == "" {
		v.root = dir
	}
	return &v, nil
}

// Glob returns the names matching pattern, like fs.Glob.
func (fsys *FS) Glob(pattern string) ([]string, error) {
	// fs.Glob on a view that hides GlobFS, so it lists with ReadDir
	// rather than calling back here.
	return fs.Glob(globView{fsys}, pattern)
}

// globView exposes only Open, Stat and ReadDir of an FS.
type globView struct{ fsys *FS }

func (g globView) Open(name string) (fs.File, error)          { return g.fsys.Open(name) }
func (g globView) Stat(name string) (fs.FileInfo, error)      { return g.fsys.Stat(name) }
func (g globView) ReadDir(name string) ([]fs.DirEntry, error) { return g.fsys.ReadDir(name) }

// Encrypted reports whether traffic on this share is encrypted (because the
// session is, or the share demands it).
func (fsys *FS) Encrypted() bool { return fsys.m.tree.Encrypted() }
