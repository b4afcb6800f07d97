package wire

import "fmt"

// DirEntry is one entry of a directory listing, decoded from any of the
// directory information classes of MS-FSCC 2.4 that QUERY_DIRECTORY returns.
// Fields a class does not carry are left zero: FileNamesInformation has only
// FileIndex and Name; ShortName comes with the "Both" classes; FileID with
// the "ID" classes; EaSize with all but FileDirectoryInformation.
type DirEntry struct {
	FileIndex      uint32
	CreationTime   uint64 // FILETIME, see FiletimeToTime
	LastAccessTime uint64
	LastWriteTime  uint64
	ChangeTime     uint64
	EndOfFile      uint64
	AllocationSize uint64
	FileAttributes FileAttributes
	// EaSize is the size of the file's extended attributes, or, when
	// FileAttributes has FileAttributeReparsePoint, its reparse tag
	// (see ReparseTag).
	EaSize    uint32
	ShortName string // 8.3 name, often empty
	FileID    uint64 // the 64-bit file ID of FileInternalInformation
	Name      string
}

// IsDir reports whether the entry is a directory.
func (e *DirEntry) IsDir() bool { return e.FileAttributes&FileAttributeDirectory != 0 }

// ReparseTag returns the reparse tag of a reparse point, which the classes
// with an EaSize field report in its place (MS-FSCC 2.4), or 0 when the
// entry is not a reparse point.
func (e *DirEntry) ReparseTag() uint32 {
	if e.FileAttributes&FileAttributeReparsePoint == 0 {
		return 0
	}
	return e.EaSize
}

// dirLayout gives the offsets of one directory class's fields inside an
// entry; -1 marks a field the class lacks. All classes but
// FileNamesInformation share the times, sizes and attributes at 8..59.
type dirLayout struct {
	name      int // offset of FileName: the fixed size of an entry
	nameLen   int // offset of FileNameLength
	full      bool
	eaSize    int
	shortName int // offset of ShortNameLength; the 24-byte ShortName follows 2 bytes later
	fileID    int
}

// dirLayoutOf returns the layout of class, from the structures of MS-FSCC
// 2.4 (FileDirectoryInformation, FileFullDirectoryInformation,
// FileBothDirectoryInformation, FileNamesInformation,
// FileIdBothDirectoryInformation, FileIdFullDirectoryInformation).
func dirLayoutOf(class InfoClass) (dirLayout, error) {
	switch class {
	case InfoFileDirectory:
		return dirLayout{name: 64, nameLen: 60, full: true, eaSize: -1, shortName: -1, fileID: -1}, nil
	case InfoFileFullDirectory:
		return dirLayout{name: 68, nameLen: 60, full: true, eaSize: 64, shortName: -1, fileID: -1}, nil
	case InfoFileBothDirectory:
		return dirLayout{name: 94, nameLen: 60, full: true, eaSize: 64, shortName: 68, fileID: -1}, nil
	case InfoFileNames:
		return dirLayout{name: 12, nameLen: 8, eaSize: -1, shortName: -1, fileID: -1}, nil
	case InfoFileIDBothDirectory:
		return dirLayout{name: 104, nameLen: 60, full: true, eaSize: 64, shortName: 68, fileID: 96}, nil
	case InfoFileIDFullDirectory:
		return dirLayout{name: 80, nameLen: 60, full: true, eaSize: 64, shortName: -1, fileID: 72}, nil
	}
	return dirLayout{}, fmt.Errorf("smb2: information class %d is not a directory class this package decodes", class)
}

// shortNameSize is the size of the ShortName array (12 UTF-16 units).
const shortNameSize = 24

// WalkDirectoryInfo decodes the entries of a QUERY_DIRECTORY buffer of the
// given class one at a time, calling fn for each, so that listing a large
// directory needs no slice of entries. It stops at the first error, from
// the data or from fn, and returns it. Each NextEntryOffset must be 0 (the
// last entry) or step past the current entry's name while leaving room for
// another entry inside buf, so a hostile chain can neither loop nor read out
// of bounds. An empty buf has no entries.
func WalkDirectoryInfo(class InfoClass, buf []byte, fn func(DirEntry) error) error {
	l, err := dirLayoutOf(class)
	if err != nil {
		return err
	}
	for pos := 0; pos < len(buf); {
		e := buf[pos:]
		if len(e) < l.name {
			return malformed("directory entry at %d: %d bytes left, class %d needs %d", pos, len(e), class, l.name)
		}
		next := le.Uint32(e)
		nameLen := le.Uint32(e[l.nameLen:])
		end := uint64(l.name) + uint64(nameLen)
		if end > uint64(len(e)) {
			return malformed("directory entry at %d: name of %d bytes overruns buffer", pos, nameLen)
		}
		if next != 0 && (uint64(next) < end || uint64(next)+uint64(l.name) > uint64(len(e))) {
			return malformed("directory entry at %d: NextEntryOffset %d out of range", pos, next)
		}
		d, err := decodeDirEntry(e, l, nameLen)
		if err != nil {
			return malformed("directory entry at %d: %v", pos, err)
		}
		if err := fn(d); err != nil {
			return err
		}
		if next == 0 {
			break
		}
		pos += int(next)
	}
	return nil
}

// decodeDirEntry decodes the entry at the start of e, whose name is known
// to lie inside e. Its errors are plain; the caller wraps them.
func decodeDirEntry(e []byte, l dirLayout, nameLen uint32) (DirEntry, error) {
	var d DirEntry
	d.FileIndex = le.Uint32(e[4:])
	if l.full {
		d.CreationTime = le.Uint64(e[8:])
		d.LastAccessTime = le.Uint64(e[16:])
		d.LastWriteTime = le.Uint64(e[24:])
		d.ChangeTime = le.Uint64(e[32:])
		d.EndOfFile = le.Uint64(e[40:])
		d.AllocationSize = le.Uint64(e[48:])
		d.FileAttributes = FileAttributes(le.Uint32(e[56:]))
	}
	if l.eaSize >= 0 {
		d.EaSize = le.Uint32(e[l.eaSize:])
	}
	if l.shortName >= 0 {
		n := int(e[l.shortName])
		if n > shortNameSize || n%2 != 0 {
			return d, fmt.Errorf("ShortNameLength %d", n)
		}
		at := l.shortName + 2
		d.ShortName, _ = DecodeUTF16(e[at : at+n]) // even length: cannot fail
	}
	if l.fileID >= 0 {
		d.FileID = le.Uint64(e[l.fileID:])
	}
	if nameLen%2 != 0 {
		return d, fmt.Errorf("FileNameLength %d is odd", nameLen)
	}
	d.Name, _ = DecodeUTF16(e[l.name : l.name+int(nameLen)])
	return d, nil
}

// ParseDirectoryInfo decodes every entry of a QUERY_DIRECTORY buffer of the
// given class (see WalkDirectoryInfo for the checks).
func ParseDirectoryInfo(class InfoClass, buf []byte) ([]DirEntry, error) {
	var out []DirEntry
	err := WalkDirectoryInfo(class, buf, func(d DirEntry) error {
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AppendDirectoryInfo appends entries in the layout of class, each entry
// 8-byte aligned and linked by NextEntryOffset. A client has no use for it;
// it exists for tests and server-side fakes. ShortName must fit 12 UTF-16
// code units.
func AppendDirectoryInfo(b []byte, class InfoClass, entries []DirEntry) ([]byte, error) {
	l, err := dirLayoutOf(class)
	if err != nil {
		return b, err
	}
	for i, d := range entries {
		start := len(b)
		b = appendZeros(b, l.name)
		e := b[start:]
		le.PutUint32(e[4:], d.FileIndex)
		if l.full {
			le.PutUint64(e[8:], d.CreationTime)
			le.PutUint64(e[16:], d.LastAccessTime)
			le.PutUint64(e[24:], d.LastWriteTime)
			le.PutUint64(e[32:], d.ChangeTime)
			le.PutUint64(e[40:], d.EndOfFile)
			le.PutUint64(e[48:], d.AllocationSize)
			le.PutUint32(e[56:], uint32(d.FileAttributes))
		}
		if l.eaSize >= 0 {
			le.PutUint32(e[l.eaSize:], d.EaSize)
		}
		if l.shortName >= 0 {
			short := EncodeUTF16(d.ShortName)
			if len(short) > shortNameSize {
				return b[:start], fmt.Errorf("smb2: short name %q longer than 12 UTF-16 code units", d.ShortName)
			}
			e[l.shortName] = byte(len(short))
			copy(e[l.shortName+2:], short)
		}
		if l.fileID >= 0 {
			le.PutUint64(e[l.fileID:], d.FileID)
		}
		b = AppendUTF16(b, d.Name)
		le.PutUint32(b[start+l.nameLen:], uint32(len(b)-start-l.name))
		if i < len(entries)-1 {
			b = padTo8(b, start)
			le.PutUint32(b[start:], uint32(len(b)-start))
		}
	}
	return b, nil
}
