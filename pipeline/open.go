package pipeline

import (
	"github.com/smbfs/smbfs/protocol/wire"
)

// Access says what an open may do.
type Access uint8

// Access bits.
const (
	AccessRead Access = 1 << iota
	AccessWrite
	AccessDelete
	AccessWriteAttributes
)

// Disposition says what happens when the file does or does not exist.
type Disposition uint8

// Dispositions, in os.OpenFile terms.
const (
	OpenExisting     Disposition = iota // fail if missing
	CreateNew                           // fail if present (O_CREATE|O_EXCL)
	OpenOrCreate                        // O_CREATE
	TruncateExisting                    // O_TRUNC without O_CREATE
	CreateOrTruncate                    // O_CREATE|O_TRUNC
)

// Kind restricts what an open accepts.
type Kind uint8

// Kinds.
const (
	AnyKind Kind = iota
	FileOnly
	DirOnly
)

// OpenOptions describe one CREATE.
type OpenOptions struct {
	Access      Access
	Disposition Disposition
	Kind        Kind
	// Attributes for a file this open creates (0: normal).
	Attributes uint32
	// NoFollow opens a reparse point (symbolic link) itself rather than
	// its target.
	NoFollow bool

	// noPrefetch leaves the first READ out of the open's compound, for a
	// caller that has read the start of the file already.
	noPrefetch bool
}

// createRequest translates o into a CREATE for path.
func (o OpenOptions) createRequest(path string) *wire.CreateRequest {
	// Every open can read attributes, so Stat works on any handle.
	access := wire.FileReadAttributes | wire.Synchronize
	if o.Access&AccessRead != 0 {
		access |= wire.FileReadData | wire.FileReadEA | wire.ReadControl
	}
	if o.Access&AccessWrite != 0 {
		access |= wire.FileWriteData | wire.FileAppendData | wire.FileWriteEA | wire.FileWriteAttributes
	}
	if o.Access&AccessDelete != 0 {
		access |= wire.Delete
	}
	if o.Access&AccessWriteAttributes != 0 {
		access |= wire.FileWriteAttributes
	}
	var disp wire.CreateDisposition
	switch o.Disposition {
	case OpenExisting:
		disp = wire.FileOpen
	case CreateNew:
		disp = wire.FileCreate
	case OpenOrCreate:
		disp = wire.FileOpenIf
	case TruncateExisting:
		disp = wire.FileOverwrite
	case CreateOrTruncate:
		disp = wire.FileOverwriteIf
	}
	var opts wire.CreateOptions
	switch o.Kind {
	case FileOnly:
		opts |= wire.FileNonDirectoryFile
	case DirOnly:
		opts |= wire.FileDirectoryFile
	}
	if o.NoFollow {
		opts |= wire.FileOpenReparsePoint
	}
	return &wire.CreateRequest{
		ImpersonationLevel: wire.Impersonation,
		DesiredAccess:      access,
		FileAttributes:     wire.FileAttributes(o.Attributes),
		// Share everything, as POSIX programs expect: other readers,
		// writers and a Remove must not meet sharing violations.
		ShareAccess:       wire.ShareAll,
		CreateDisposition: disp,
		CreateOptions:     opts,
		Name:              path,
	}
}
