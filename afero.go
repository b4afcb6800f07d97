package smbfs

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/afero"
)

// Afero returns fsys as an afero.Fs, for programs written against
// github.com/spf13/afero. It is a view of the same mount: closing fsys
// closes it too, and it uses fsys's context (so
// fsys.WithContext(ctx).Afero() bounds its operations by ctx).
//
// Names are afero's: OS-style paths where "/" (and, on Windows, "\") is the
// separator and a leading "/" names the root of fsys. They are cleaned
// lexically, and ".." cannot climb above the root (as in afero's own
// BasePathFs). The files it opens are *File values, which already have
// every afero.File method: Readdir and Readdirnames keep a cursor, so calls
// with count > 0 return the next entries and io.EOF at the end.
//
// Errors are *os.PathError (*os.LinkError for Rename) carrying the name as
// passed, wrapping errors that errors.Is matches against the io/fs
// sentinels, exactly as FS's own methods do. The result also implements
// afero.Lstater.
func (fsys *FS) Afero() afero.Fs { return aferoFS{fsys} }

// aferoFS adapts an FS to afero.Fs; see FS.Afero.
type aferoFS struct{ fsys *FS }

// Compile-time checks of the afero interfaces.
var (
	_ afero.Fs      = aferoFS{}
	_ afero.Lstater = aferoFS{}
	_ afero.File    = (*File)(nil)
)

// aferoName turns an afero name into an fs.ValidPath name relative to the
// root of the FS: separators become "/", the path is cleaned as if it were
// rooted (so "../x" and "/x" both name "x"), and the root is ".".
func aferoName(name string) string {
	p := path.Clean("/" + filepath.ToSlash(name))
	if p == "/" {
		return "."
	}
	return p[1:]
}

// aferoErr puts the caller's name back into a *fs.PathError from FS, so
// errors read like os's and afero's, which report the name as passed. Its
// Err becomes the syscall.Errno the failure corresponds to (ENOENT, EEXIST,
// EACCES...), because afero and much code around it still test errors with
// os.IsNotExist and os.IsExist, which look only at an Errno. The NTSTATUS
// is dropped there; FS's own methods keep it.
func aferoErr(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: errnoOf(pe.Err)}
	}
	return err
}

// errnoOf returns the syscall.Errno err matches, or err itself.
func errnoOf(err error) error {
	for _, e := range []syscall.Errno{syscall.ENOTEMPTY, syscall.EISDIR, syscall.ENOTDIR, syscall.EBADF,
		syscall.ENOSPC, syscall.EBUSY, syscall.EXDEV, syscall.ENOENT, syscall.EEXIST, syscall.EACCES, syscall.EINVAL} {
		if errors.Is(err, e) {
			return e
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return syscall.ENOENT
	case errors.Is(err, fs.ErrExist):
		return syscall.EEXIST
	case errors.Is(err, fs.ErrPermission):
		return syscall.EACCES
	}
	return err
}

// Name returns "smbfs".
func (a aferoFS) Name() string { return "smbfs" }

// Create creates or truncates the named file, like os.Create.
func (a aferoFS) Create(name string) (afero.File, error) {
	return a.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open opens the named file or directory for reading, like os.Open.
func (a aferoFS) Open(name string) (afero.File, error) {
	return a.OpenFile(name, os.O_RDONLY, 0)
}

// OpenFile opens the named file with flag and perm, like os.OpenFile (see
// FS.OpenFile).
func (a aferoFS) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	f, err := a.fsys.openFile("open", aferoName(name), flag, perm)
	if err != nil {
		// A nil *File in a non-nil afero.File would defeat f != nil
		// checks, so return a nil interface.
		return nil, aferoErr(name, err)
	}
	// The file reports (Name, errors) the name the caller used, as os does.
	f.name = name
	return f, nil
}

// Mkdir creates a directory, like os.Mkdir; see FS.Mkdir.
func (a aferoFS) Mkdir(name string, perm os.FileMode) error {
	return aferoErr(name, a.fsys.Mkdir(aferoName(name), perm))
}

// MkdirAll creates a directory and any missing parents, like os.MkdirAll.
func (a aferoFS) MkdirAll(name string, perm os.FileMode) error {
	n := aferoName(name)
	err := a.fsys.MkdirAll(n, perm)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == n {
		// Only an error about name itself gets the caller's spelling; one
		// about a parent keeps the parent's (FS-relative) name.
		return aferoErr(name, err)
	}
	return err
}

// Remove removes a file or an empty directory, like os.Remove.
func (a aferoFS) Remove(name string) error {
	return aferoErr(name, a.fsys.Remove(aferoName(name)))
}

// RemoveAll removes name and everything below it, like os.RemoveAll; a
// missing name is not an error.
func (a aferoFS) RemoveAll(name string) error {
	n := aferoName(name)
	err := a.fsys.RemoveAll(n)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == n {
		return aferoErr(name, err)
	}
	return err
}

// Rename renames oldname to newname, replacing a file at newname, like
// os.Rename. Errors are *os.LinkError.
func (a aferoFS) Rename(oldname, newname string) error {
	err := a.fsys.Rename(aferoName(oldname), aferoName(newname))
	var le *os.LinkError
	if errors.As(err, &le) {
		return &os.LinkError{Op: le.Op, Old: oldname, New: newname, Err: errnoOf(le.Err)}
	}
	return err
}

// Stat returns a FileInfo describing the named file.
func (a aferoFS) Stat(name string) (os.FileInfo, error) {
	fi, err := a.fsys.Stat(aferoName(name))
	if err != nil {
		return nil, aferoErr(name, err)
	}
	return fi, nil
}

// LstatIfPossible implements afero.Lstater: it is Lstat (a symbolic link,
// an SMB reparse point, is described rather than followed), and the
// returned bool is always true.
func (a aferoFS) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	fi, err := a.fsys.Lstat(aferoName(name))
	if err != nil {
		return nil, true, aferoErr(name, err)
	}
	return fi, true, nil
}

// Chmod sets or clears the read-only attribute; see FS.Chmod.
func (a aferoFS) Chmod(name string, mode os.FileMode) error {
	return aferoErr(name, a.fsys.Chmod(aferoName(name), mode))
}

// Chown fails with an error matching errors.ErrUnsupported; see FS.Chown.
func (a aferoFS) Chown(name string, uid, gid int) error {
	return aferoErr(name, a.fsys.Chown(aferoName(name), uid, gid))
}

// Chtimes changes the access and modification times, like os.Chtimes.
func (a aferoFS) Chtimes(name string, atime, mtime time.Time) error {
	return aferoErr(name, a.fsys.Chtimes(aferoName(name), atime, mtime))
}
