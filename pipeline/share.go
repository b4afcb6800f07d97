package pipeline

import (
	"log/slog"
	"sync"
	"time"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Config tunes the scheduling. Zero fields take the documented defaults.
type Config struct {
	// ReadChunk is the size of one READ in a large transfer. Default: the
	// server's MaxReadSize, at most 1 MiB.
	ReadChunk int
	// WriteChunk is the size of one WRITE in a large transfer. Default:
	// the server's MaxWriteSize, at most 1 MiB.
	WriteChunk int
	// Window is how many chunks of one transfer may be in flight at once.
	// Default 8: 8 MiB in flight covers the bandwidth-delay product of a
	// 10 Gbit/s LAN or a 600 Mbit/s, 100 ms WAN, and bounds memory.
	Window int
	// ReadBuffer is the size of the per-handle buffer that serves small
	// reads (io.Reader callers reading a few bytes at a time), so that a
	// 1-byte Read does not cost a round trip. Default 64 KiB.
	ReadBuffer int
	// ReadAhead bounds the data a handle reads ahead of a sequential
	// reader. Default 4 MiB.
	ReadAhead int
	// NoDurableHandles stops Open from asking for durable handles (and
	// the batch oplocks they need). Without them a reconnect reopens
	// files by path, still checking their identity.
	NoDurableHandles bool
	// Logger receives reconnect and oplock records. Default: discard.
	Logger *slog.Logger
}

// Share runs operations on one tree connect.
type Share struct {
	tree       *liveTree
	window     int
	readChunk  int
	writeChunk int
	readBuffer int
	readAhead  int
	listBuffer uint32 // QUERY_DIRECTORY output size for listings
	listFirst  uint32 // the first QUERY_DIRECTORY of a compound listing
	// chunks recycles write-chunk buffers (write-behind, ReadFrom).
	chunks sync.Pool

	// Reconnect and durability (durable.go).
	durable     bool // request durable handles
	logger      *slog.Logger
	recoverMu   sync.Mutex
	reconnector Reconnector
	retryBudget time.Duration // see SetReconnector
	handlesMu   sync.Mutex
	handles     map[*Handle]struct{}
}

// getChunk returns a buffer of writeChunk bytes.
func (s *Share) getChunk() []byte {
	if b, ok := s.chunks.Get().(*[]byte); ok {
		return (*b)[:s.writeChunk]
	}
	return make([]byte, s.writeChunk)
}

// putChunk recycles a buffer from getChunk once nothing refers to it.
func (s *Share) putChunk(b []byte) {
	if cap(b) == s.writeChunk {
		s.chunks.Put(&b)
	}
}

// NewShare returns a Share over tree. Its opens take batch oplocks (durable
// handles need them), so the connection's oplock breaks must reach
// HandleBreak — protocol.Conn.SetBreakHandler — or a conflicting open waits
// for the server's break timeout; smbfs.Client does that for its shares.
func NewShare(tree *protocol.Tree, cfg Config) *Share {
	c := tree.Conn()
	s := &Share{tree: &liveTree{}, window: cfg.Window, readChunk: cfg.ReadChunk, writeChunk: cfg.WriteChunk, readBuffer: cfg.ReadBuffer}
	s.tree.p.Store(tree)
	s.handles = make(map[*Handle]struct{})
	s.durable = !cfg.NoDurableHandles
	s.logger = cfg.Logger
	if s.window <= 0 {
		s.window = 8
	}
	if s.readChunk <= 0 {
		s.readChunk = 1 << 20
	}
	s.readChunk = min(s.readChunk, int(c.MaxReadSize()))
	if s.writeChunk <= 0 {
		s.writeChunk = 1 << 20
	}
	s.writeChunk = min(s.writeChunk, int(c.MaxWriteSize()))
	if s.readBuffer <= 0 {
		s.readBuffer = 64 << 10
	}
	s.readBuffer = min(s.readBuffer, s.readChunk)
	s.readAhead = cfg.ReadAhead
	if s.readAhead <= 0 {
		s.readAhead = maxReadAhead
	}
	// A listing asks for 64 KiB first — a small directory fits, and the
	// request is charged one credit — and then for up to 4 MiB, so a
	// 10,000-entry directory takes one compound instead of a dozen
	// round trips.
	s.listFirst = min(c.MaxTransactSize(), 64<<10)
	s.listBuffer = min(c.MaxTransactSize(), 4<<20)
	return s
}

// Tree returns the tree connect in use (a reconnect replaces it).
func (s *Share) Tree() *protocol.Tree { return s.tree.current() }

// Attr describes a file or directory as the server reports it.
type Attr struct {
	Size       int64
	Allocation int64
	// Attributes are the FILE_ATTRIBUTE_* bits (MS-FSCC 2.6).
	Attributes uint32
	Created    time.Time
	Accessed   time.Time
	Modified   time.Time
	Changed    time.Time
}

// IsDir reports a directory.
func (a *Attr) IsDir() bool { return a.Attributes&uint32(wire.FileAttributeDirectory) != 0 }

// ReadOnly reports the read-only attribute.
func (a *Attr) ReadOnly() bool { return a.Attributes&uint32(wire.FileAttributeReadonly) != 0 }

// IsReparsePoint reports a symbolic link or other reparse point.
func (a *Attr) IsReparsePoint() bool {
	return a.Attributes&uint32(wire.FileAttributeReparsePoint) != 0
}

// Attribute bits callers may test or set.
const (
	AttrReadOnly  = uint32(wire.FileAttributeReadonly)
	AttrHidden    = uint32(wire.FileAttributeHidden)
	AttrDirectory = uint32(wire.FileAttributeDirectory)
	AttrArchive   = uint32(wire.FileAttributeArchive)
	AttrNormal    = uint32(wire.FileAttributeNormal)
)

// attrFromTimes builds an Attr from the fields CREATE, CLOSE, directory
// entries and FileNetworkOpenInformation all carry.
func attrFromTimes(created, accessed, modified, changed, alloc, size uint64, attrs wire.FileAttributes) Attr {
	return Attr{
		Size:       int64(min(size, 1<<63-1)),
		Allocation: int64(min(alloc, 1<<63-1)),
		Attributes: uint32(attrs),
		Created:    wire.FiletimeToTime(created),
		Accessed:   wire.FiletimeToTime(accessed),
		Modified:   wire.FiletimeToTime(modified),
		Changed:    wire.FiletimeToTime(changed),
	}
}

func attrFromCreate(r *wire.CreateResponse) Attr {
	return attrFromTimes(r.CreationTime, r.LastAccessTime, r.LastWriteTime, r.ChangeTime, r.AllocationSize, r.EndOfFile, r.FileAttributes)
}

func attrFromDirEntry(e *wire.DirEntry) Attr {
	return attrFromTimes(e.CreationTime, e.LastAccessTime, e.LastWriteTime, e.ChangeTime, e.AllocationSize, e.EndOfFile, e.FileAttributes)
}

func attrFromNetworkOpen(i *wire.FileNetworkOpenInformation) Attr {
	return attrFromTimes(i.CreationTime, i.LastAccessTime, i.LastWriteTime, i.ChangeTime, i.AllocationSize, i.EndOfFile, i.FileAttributes)
}

// DirEntry is one directory entry: its SMB name (not yet unmapped) and
// attributes.
type DirEntry struct {
	Name string
	Attr Attr
}
