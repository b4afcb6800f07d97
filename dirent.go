package smbfs

import (
	"io/fs"
	"time"

	"github.com/smbfs/smbfs/pipeline"
)

// fileInfo is the fs.FileInfo of every Stat, Lstat, File.Stat and directory
// entry: they all come from newFileInfo, so a directory entry and a Stat of
// the same file agree to the bit.
type fileInfo struct {
	name string
	attr pipeline.Attr
}

// newFileInfo builds the FileInfo of the file called name (a base name) with
// attributes a.
func newFileInfo(name string, a pipeline.Attr) *fileInfo {
	return &fileInfo{name: name, attr: a}
}

// Name returns the base name.
func (fi *fileInfo) Name() string { return fi.name }

// Size returns the size in bytes (the end-of-file position).
func (fi *fileInfo) Size() int64 {
	if fi.attr.IsDir() {
		return 0
	}
	return fi.attr.Size
}

// Mode maps SMB attributes to a file mode the way Go does for Windows
// files: read-only files are 0444 and others 0666; directories add
// fs.ModeDir and the execute bits. SMB has no Unix permission bits, so only
// the owner-write bit (0200) carries information (see Chmod).
func (fi *fileInfo) Mode() fs.FileMode {
	m := fs.FileMode(0o666)
	if fi.attr.ReadOnly() {
		m = 0o444
	}
	if fi.attr.IsDir() {
		m |= fs.ModeDir | 0o111
	}
	return m
}

// ModTime returns the last write time.
func (fi *fileInfo) ModTime() time.Time { return fi.attr.Modified }

// IsDir reports a directory.
func (fi *fileInfo) IsDir() bool { return fi.attr.IsDir() }

// Sys returns a *pipeline.Attr with every attribute and time the server
// reported (creation, access and change times, allocation size, raw
// FILE_ATTRIBUTE_* bits).
func (fi *fileInfo) Sys() any {
	a := fi.attr
	return &a
}

// dirEntry is the fs.DirEntry of ReadDir results.
type dirEntry struct{ fi *fileInfo }

// Name returns the base name.
func (d dirEntry) Name() string { return d.fi.name }

// IsDir reports a directory.
func (d dirEntry) IsDir() bool { return d.fi.IsDir() }

// Type returns the type bits of the mode.
func (d dirEntry) Type() fs.FileMode { return d.fi.Mode().Type() }

// Info returns the entry's FileInfo, as reported by the listing.
func (d dirEntry) Info() (fs.FileInfo, error) { return d.fi, nil }

// String formats the entry like fs.FormatDirEntry.
func (d dirEntry) String() string { return fs.FormatDirEntry(d) }
