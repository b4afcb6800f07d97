package peers

import (
	"context"
	"errors"
	"io"
)

// ErrNotMeasured is returned by a step that a variant does not measure
// because another variant of the same client already does it the same way
// (smbfs's Open+io.Copy variant has no delete of its own, for example). The
// benchmark then does the step untimed with its helper session.
var ErrNotMeasured = errors.New("peers: step not measured by this variant")

// ErrPending is returned by the smbfs batch and streaming-helper hooks
// until the APIs they stand for exist.
var ErrPending = errors.New("peers: smbfs API pending (hook not filled in yet)")

// File is one file of a dataset.
type File struct {
	Name string // base name
	Data []byte
}

// Dataset is a set of files to upload, list, download and delete.
type Dataset struct {
	// Name labels the set ("100×100 KiB").
	Name string
	// Files are the files, with their contents in memory.
	Files []File
	// LocalDir holds the same files on local disk and nothing else, for
	// tools that upload from files (smbclient's mput).
	LocalDir string
}

// Bytes returns the total size of the files.
func (d *Dataset) Bytes() int64 {
	var n int64
	for _, f := range d.Files {
		n += int64(len(f.Data))
	}
	return n
}

// Source is the content of a streamed upload.
type Source struct {
	// Size is the number of bytes.
	Size int64
	// Open returns a fresh reader of the content. It hides any WriterTo
	// method, as a socket or pipe would, so that io.Copy uses the
	// destination's ReadFrom if it has one.
	Open func() io.Reader
	// LocalPath is the same content in a local file, for smbclient's put.
	LocalPath string
}

// Session is one connected client variant. Directory and file names are
// slash-separated and relative to the share root. Sessions are used by one
// goroutine at a time (a parallel variant fans out inside each step).
type Session interface {
	// Upload creates every file of ds in dir (which exists and is empty).
	Upload(ctx context.Context, dir string, ds *Dataset) error
	// List lists dir and returns the number of entries it found, "." and
	// ".." excluded.
	List(ctx context.Context, dir string) (int, error)
	// Download reads every file of ds from dir and returns the bytes read.
	Download(ctx context.Context, dir string, ds *Dataset) (int64, error)
	// Delete removes every file of ds from dir.
	Delete(ctx context.Context, dir string, ds *Dataset) error
	// StreamDownload copies the file name to w and returns the bytes copied.
	StreamDownload(ctx context.Context, name string, w io.Writer) (int64, error)
	// StreamUpload creates the file name from src.
	StreamUpload(ctx context.Context, name string, src Source) error
	// Close ends the session.
	Close() error
}
