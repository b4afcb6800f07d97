// Package smbfs is a pure-Go SMB 2/3 client that puts a Windows, Samba or
// NAS share behind the interfaces Go programs already use.
//
// # Connecting
//
// Dial connects, authenticates and mounts a share in one call:
//
//	fsys, err := smbfs.Dial(ctx, "smb://alice@fileserver/projects",
//		smbfs.WithPassword(os.Getenv("SMB_PASSWORD")))
//	defer fsys.Close()
//
// Connect and Client.Mount do the same in two steps, for several shares on
// one connection; Client.Shares lists a server's shares. URLs are
// smb://[domain;]user[:password]@host[:port]/share[/dir], with
// ?auth=krb5 for Kerberos (see WithKerberos); without a user the client
// logs in as guest.
//
// # The file system
//
// *FS implements fs.FS, fs.StatFS, fs.ReadDirFS, fs.ReadFileFS, fs.SubFS and
// fs.GlobFS, and the writable methods of package os with os semantics
// (OpenFile, Create, Mkdir, MkdirAll, Remove, RemoveAll, Rename, Chmod,
// Chtimes, Truncate, WriteFile, Lstat). It passes testing/fstest.TestFS,
// satisfies the hackpadfs interfaces, and FS.Afero adapts it to afero.Fs.
// Files are *File values with the methods of *os.File that make sense
// over SMB; ReadAt and WriteAt may be used from many goroutines at once.
//
// Errors are *fs.PathError (*os.LinkError for Rename and Copy) wrapping an
// *Error, which errors.Is matches against fs.ErrNotExist, fs.ErrExist,
// fs.ErrPermission, fs.ErrInvalid, fs.ErrClosed and, where one fits, a
// syscall.Errno (ENOTEMPTY, EISDIR...); errors.As reaches the NTSTATUS, a
// wire.Status.
//
// # Contexts
//
// FS and File methods have the signatures io/fs and os fix, so they take
// their context from the value: FS.WithContext and File.WithContext return
// views whose operations use ctx, and cancelling ctx sends SMB2 CANCEL for
// requests the server is working on. Functions that are not bound to
// those signatures (Connect, Dial, Client.Mount, Client.Shares, FS.Watch,
// and the protocol package) take ctx as their first argument.
//
// # Speed
//
// Every small operation is one compounded round trip (Stat is CREATE+CLOSE,
// ReadFile CREATE+READ+CLOSE, WriteFile CREATE+WRITE+FLUSH+CLOSE, Remove
// CREATE+SET_INFO+CLOSE). Large reads and writes are cut into chunks that
// travel through a sliding window; sequential Reads read ahead and Writes
// are written behind; io.Copy to or from a File keeps the window full;
// FS.Batch sends hundreds of operations before waiting for any;
// FS.Upload and FS.Download stream with progress reports in bounded
// memory; FS.Copy lets the server copy. Many goroutines share one
// connection and get their requests in flight together.
//
// # Surviving failures
//
// A silent server is probed and, if it stays silent, declared dead
// (WithLiveness); a broken connection is re-established within a budget
// (WithReconnect), open files are reclaimed (durable handles where the
// server grants them), and idempotent operations are retried. Client.Stats
// is a diagnostics snapshot.
//
// Below this package, package pipeline schedules operations over a tree
// connect and package protocol is the SMB2/3 connection itself, usable on
// its own; docs/architecture.md describes the layers.
package smbfs
