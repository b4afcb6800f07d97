package wire

// InfoType selects what QUERY_INFO and SET_INFO operate on (MS-SMB2 2.2.37).
type InfoType uint8

// Info types.
const (
	InfoTypeFile       InfoType = 0x01 // SMB2_0_INFO_FILE: MS-FSCC 2.4 classes
	InfoTypeFilesystem InfoType = 0x02 // SMB2_0_INFO_FILESYSTEM: MS-FSCC 2.5 classes
	InfoTypeSecurity   InfoType = 0x03 // SMB2_0_INFO_SECURITY: a security descriptor
	InfoTypeQuota      InfoType = 0x04 // SMB2_0_INFO_QUOTA
)

// InfoClass is an MS-FSCC information class number. File classes (2.4) and
// file system classes (2.5) overlap in numbering; the InfoType says which
// table a number belongs to. QUERY_DIRECTORY uses the directory-listing
// members of the file table.
type InfoClass uint8

// File information classes (MS-FSCC 2.4).
const (
	InfoFileDirectory       InfoClass = 1
	InfoFileFullDirectory   InfoClass = 2
	InfoFileBothDirectory   InfoClass = 3
	InfoFileBasic           InfoClass = 4
	InfoFileStandard        InfoClass = 5
	InfoFileInternal        InfoClass = 6
	InfoFileEa              InfoClass = 7
	InfoFileAccess          InfoClass = 8
	InfoFileName            InfoClass = 9
	InfoFileRename          InfoClass = 10
	InfoFileLink            InfoClass = 11
	InfoFileNames           InfoClass = 12
	InfoFileDisposition     InfoClass = 13
	InfoFilePosition        InfoClass = 14
	InfoFileFullEa          InfoClass = 15
	InfoFileMode            InfoClass = 16
	InfoFileAlignment       InfoClass = 17
	InfoFileAll             InfoClass = 18
	InfoFileAllocation      InfoClass = 19
	InfoFileEndOfFile       InfoClass = 20
	InfoFileAlternateName   InfoClass = 21
	InfoFileStream          InfoClass = 22
	InfoFileCompression     InfoClass = 28
	InfoFileNetworkOpen     InfoClass = 34
	InfoFileAttributeTag    InfoClass = 35
	InfoFileIDBothDirectory InfoClass = 37
	InfoFileIDFullDirectory InfoClass = 38
	InfoFileValidDataLength InfoClass = 39
	InfoFileShortName       InfoClass = 40
	InfoFileNormalizedName  InfoClass = 48
)

// File system information classes (MS-FSCC 2.5).
const (
	InfoFsVolume     InfoClass = 1
	InfoFsLabel      InfoClass = 2
	InfoFsSize       InfoClass = 3
	InfoFsDevice     InfoClass = 4
	InfoFsAttribute  InfoClass = 5
	InfoFsControl    InfoClass = 6
	InfoFsFullSize   InfoClass = 7
	InfoFsObjectID   InfoClass = 8
	InfoFsSectorSize InfoClass = 11
)

// InfoBuffer is implemented by the typed information classes of this
// package: it names the class and converts between the struct and the bytes
// QUERY_INFO returns or SET_INFO carries. Decode copies what it keeps, so
// the buffer may be reused afterwards; it ignores bytes past the structure.
type InfoBuffer interface {
	InfoType() InfoType
	InfoClass() InfoClass
	Encode(b []byte) []byte
	Decode(b []byte) error
}

// FileAttributes are the FILE_ATTRIBUTE_* bits (MS-FSCC 2.6).
type FileAttributes uint32

// File attribute bits.
const (
	FileAttributeReadonly           FileAttributes = 0x00000001
	FileAttributeHidden             FileAttributes = 0x00000002
	FileAttributeSystem             FileAttributes = 0x00000004
	FileAttributeDirectory          FileAttributes = 0x00000010
	FileAttributeArchive            FileAttributes = 0x00000020
	FileAttributeNormal             FileAttributes = 0x00000080 // valid only alone
	FileAttributeTemporary          FileAttributes = 0x00000100
	FileAttributeSparseFile         FileAttributes = 0x00000200
	FileAttributeReparsePoint       FileAttributes = 0x00000400
	FileAttributeCompressed         FileAttributes = 0x00000800
	FileAttributeOffline            FileAttributes = 0x00001000
	FileAttributeNotContentIndexed  FileAttributes = 0x00002000
	FileAttributeEncrypted          FileAttributes = 0x00004000
	FileAttributeIntegrityStream    FileAttributes = 0x00008000
	FileAttributeNoScrubData        FileAttributes = 0x00020000
	FileAttributeRecallOnOpen       FileAttributes = 0x00040000
	FileAttributePinned             FileAttributes = 0x00080000
	FileAttributeUnpinned           FileAttributes = 0x00100000
	FileAttributeRecallOnDataAccess FileAttributes = 0x00400000
)

// Reparse tags a file system client meets (MS-FSCC 2.1.2.1).
const (
	ReparseTagMountPoint uint32 = 0xA0000003 // junction or volume mount point
	ReparseTagSymlink    uint32 = 0xA000000C
	ReparseTagNFS        uint32 = 0x80000014 // NFS-style special file (Windows NFS, Samba)
)

// decodeUTF16Field returns the UTF-16 string of n bytes at off in b.
func decodeUTF16Field(b []byte, off int, n uint32, what string) (string, error) {
	if uint64(off)+uint64(n) > uint64(len(b)) {
		return "", malformed("%s: name of %d bytes at %d overruns %d-byte buffer", what, n, off, len(b))
	}
	if n%2 != 0 {
		return "", malformed("%s: name length %d is odd", what, n)
	}
	return DecodeUTF16(b[off : off+int(n)])
}

// boolByte encodes an MS-FSCC BOOLEAN (2.1.8).
func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// FileBasicInformation holds a file's times and attributes (MS-FSCC 2.4
// FileBasicInformation, 40 bytes). Times are raw FILETIMEs; see
// FiletimeToTime. In SET_INFO a time of FiletimeUnchanged (0) and
// FileAttributes of 0 leave that item as it is; to clear every attribute,
// send FileAttributeNormal.
type FileBasicInformation struct {
	CreationTime   uint64
	LastAccessTime uint64
	LastWriteTime  uint64
	ChangeTime     uint64
	FileAttributes FileAttributes
}

const fileBasicSize = 40

// InfoType returns InfoTypeFile.
func (*FileBasicInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileBasic.
func (*FileBasicInformation) InfoClass() InfoClass { return InfoFileBasic }

// Encode appends the 40-byte structure to b.
func (i *FileBasicInformation) Encode(b []byte) []byte {
	b = le.AppendUint64(b, i.CreationTime)
	b = le.AppendUint64(b, i.LastAccessTime)
	b = le.AppendUint64(b, i.LastWriteTime)
	b = le.AppendUint64(b, i.ChangeTime)
	b = le.AppendUint32(b, uint32(i.FileAttributes))
	return le.AppendUint32(b, 0) // Reserved
}

// Decode parses the structure at the start of b.
func (i *FileBasicInformation) Decode(b []byte) error {
	if err := needLen(b, fileBasicSize, "FileBasicInformation"); err != nil {
		return err
	}
	i.CreationTime = le.Uint64(b)
	i.LastAccessTime = le.Uint64(b[8:])
	i.LastWriteTime = le.Uint64(b[16:])
	i.ChangeTime = le.Uint64(b[24:])
	i.FileAttributes = FileAttributes(le.Uint32(b[32:]))
	return nil
}

// FileStandardInformation holds sizes, link count and the delete-pending and
// directory flags (MS-FSCC 2.4 FileStandardInformation, 24 bytes).
type FileStandardInformation struct {
	AllocationSize uint64
	EndOfFile      uint64
	NumberOfLinks  uint32
	DeletePending  bool
	Directory      bool
}

const fileStandardSize = 24

// InfoType returns InfoTypeFile.
func (*FileStandardInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileStandard.
func (*FileStandardInformation) InfoClass() InfoClass { return InfoFileStandard }

// Encode appends the 24-byte structure to b.
func (i *FileStandardInformation) Encode(b []byte) []byte {
	b = le.AppendUint64(b, i.AllocationSize)
	b = le.AppendUint64(b, i.EndOfFile)
	b = le.AppendUint32(b, i.NumberOfLinks)
	b = append(b, boolByte(i.DeletePending), boolByte(i.Directory))
	return le.AppendUint16(b, 0) // Reserved
}

// Decode parses the structure at the start of b. Any non-zero byte counts
// as true for the BOOLEAN fields (MS-FSCC 2.1.8).
func (i *FileStandardInformation) Decode(b []byte) error {
	// The two trailing reserved bytes are not required.
	if err := needLen(b, fileStandardSize-2, "FileStandardInformation"); err != nil {
		return err
	}
	i.AllocationSize = le.Uint64(b)
	i.EndOfFile = le.Uint64(b[8:])
	i.NumberOfLinks = le.Uint32(b[16:])
	i.DeletePending = b[20] != 0
	i.Directory = b[21] != 0
	return nil
}

// FileInternalInformation holds the file's 64-bit file ID, stable for the
// life of the file on the volume (MS-FSCC 2.4 FileInternalInformation).
type FileInternalInformation struct {
	IndexNumber uint64
}

// InfoType returns InfoTypeFile.
func (*FileInternalInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileInternal.
func (*FileInternalInformation) InfoClass() InfoClass { return InfoFileInternal }

// Encode appends the 8-byte structure to b.
func (i *FileInternalInformation) Encode(b []byte) []byte {
	return le.AppendUint64(b, i.IndexNumber)
}

// Decode parses the structure at the start of b.
func (i *FileInternalInformation) Decode(b []byte) error {
	if err := needLen(b, 8, "FileInternalInformation"); err != nil {
		return err
	}
	i.IndexNumber = le.Uint64(b)
	return nil
}

// FileEaInformation holds the size of the file's extended attributes
// (MS-FSCC 2.4 FileEaInformation).
type FileEaInformation struct {
	EaSize uint32
}

// InfoType returns InfoTypeFile.
func (*FileEaInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileEa.
func (*FileEaInformation) InfoClass() InfoClass { return InfoFileEa }

// Encode appends the 4-byte structure to b.
func (i *FileEaInformation) Encode(b []byte) []byte { return le.AppendUint32(b, i.EaSize) }

// Decode parses the structure at the start of b.
func (i *FileEaInformation) Decode(b []byte) error {
	if err := needLen(b, 4, "FileEaInformation"); err != nil {
		return err
	}
	i.EaSize = le.Uint32(b)
	return nil
}

// FileAccessInformation holds the access granted to the open
// (MS-FSCC 2.4 FileAccessInformation).
type FileAccessInformation struct {
	AccessFlags AccessMask
}

// InfoType returns InfoTypeFile.
func (*FileAccessInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileAccess.
func (*FileAccessInformation) InfoClass() InfoClass { return InfoFileAccess }

// Encode appends the 4-byte structure to b.
func (i *FileAccessInformation) Encode(b []byte) []byte {
	return le.AppendUint32(b, uint32(i.AccessFlags))
}

// Decode parses the structure at the start of b.
func (i *FileAccessInformation) Decode(b []byte) error {
	if err := needLen(b, 4, "FileAccessInformation"); err != nil {
		return err
	}
	i.AccessFlags = AccessMask(le.Uint32(b))
	return nil
}

// FileNameInformation holds a file name; queried on an SMB2 open it is the
// path from the share root with a leading backslash (MS-FSCC 2.4
// FileNameInformation).
type FileNameInformation struct {
	FileName string
}

// InfoType returns InfoTypeFile.
func (*FileNameInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileName.
func (*FileNameInformation) InfoClass() InfoClass { return InfoFileName }

// Encode appends FileNameLength and the UTF-16 name to b.
func (i *FileNameInformation) Encode(b []byte) []byte {
	at := len(b)
	b = le.AppendUint32(b, 0)
	b = AppendUTF16(b, i.FileName)
	le.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

// Decode parses the structure at the start of b.
func (i *FileNameInformation) Decode(b []byte) error {
	const what = "FileNameInformation"
	if err := needLen(b, 4, what); err != nil {
		return err
	}
	name, err := decodeUTF16Field(b, 4, le.Uint32(b), what)
	if err != nil {
		return err
	}
	i.FileName = name
	return nil
}

// FileRenameInformation renames or moves the open file, in the SMB2 form
// FILE_RENAME_INFORMATION_TYPE_2 (MS-FSCC 2.4.41.2). FileName is the new
// path relative to the share root, backslash-separated, without a leading
// backslash. RootDirectory is always sent as 0, as network renames require.
type FileRenameInformation struct {
	ReplaceIfExists bool
	FileName        string
}

// fileRenameFixedSize is the size up to FileName; fileRenameMinSize is the
// size of the C structure FILE_RENAME_INFORMATION_TYPE_2 with its one-WCHAR
// FileName array and trailing alignment, below which Windows fails the
// request with STATUS_INFO_LENGTH_MISMATCH (MS-SMB2 3.3.5.21.1).
const (
	fileRenameFixedSize = 20
	fileRenameMinSize   = 24
)

// InfoType returns InfoTypeFile.
func (*FileRenameInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileRename.
func (*FileRenameInformation) InfoClass() InfoClass { return InfoFileRename }

// Encode appends the structure to b, zero-padded to at least 24 bytes so
// that short names are not rejected (the Padding field of MS-FSCC 2.4.41.2).
func (i *FileRenameInformation) Encode(b []byte) []byte {
	start := len(b)
	b = append(b, boolByte(i.ReplaceIfExists))
	b = appendZeros(b, 7)     // Reserved
	b = le.AppendUint64(b, 0) // RootDirectory
	b = le.AppendUint32(b, 0) // FileNameLength, patched below
	b = AppendUTF16(b, i.FileName)
	le.PutUint32(b[start+16:], uint32(len(b)-start-fileRenameFixedSize))
	if n := len(b) - start; n < fileRenameMinSize {
		b = appendZeros(b, fileRenameMinSize-n)
	}
	return b
}

// Decode parses the structure at the start of b.
func (i *FileRenameInformation) Decode(b []byte) error {
	const what = "FileRenameInformation"
	if err := needLen(b, fileRenameFixedSize, what); err != nil {
		return err
	}
	name, err := decodeUTF16Field(b, fileRenameFixedSize, le.Uint32(b[16:]), what)
	if err != nil {
		return err
	}
	i.ReplaceIfExists = b[0] != 0
	i.FileName = name
	return nil
}

// FileDispositionInformation marks the open file for deletion when its last
// handle closes, or clears the mark (MS-FSCC 2.4 FileDispositionInformation).
type FileDispositionInformation struct {
	DeletePending bool
}

// InfoType returns InfoTypeFile.
func (*FileDispositionInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileDisposition.
func (*FileDispositionInformation) InfoClass() InfoClass { return InfoFileDisposition }

// Encode appends the 1-byte structure to b.
func (i *FileDispositionInformation) Encode(b []byte) []byte {
	return append(b, boolByte(i.DeletePending))
}

// Decode parses the structure at the start of b.
func (i *FileDispositionInformation) Decode(b []byte) error {
	if err := needLen(b, 1, "FileDispositionInformation"); err != nil {
		return err
	}
	i.DeletePending = b[0] != 0
	return nil
}

// FilePositionInformation holds the current byte offset of the open
// (MS-FSCC 2.4 FilePositionInformation).
type FilePositionInformation struct {
	CurrentByteOffset uint64
}

// InfoType returns InfoTypeFile.
func (*FilePositionInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFilePosition.
func (*FilePositionInformation) InfoClass() InfoClass { return InfoFilePosition }

// Encode appends the 8-byte structure to b.
func (i *FilePositionInformation) Encode(b []byte) []byte {
	return le.AppendUint64(b, i.CurrentByteOffset)
}

// Decode parses the structure at the start of b.
func (i *FilePositionInformation) Decode(b []byte) error {
	if err := needLen(b, 8, "FilePositionInformation"); err != nil {
		return err
	}
	i.CurrentByteOffset = le.Uint64(b)
	return nil
}

// FileModeInformation holds the open's mode bits, a subset of the create
// options such as FILE_WRITE_THROUGH (MS-FSCC 2.4 FileModeInformation).
type FileModeInformation struct {
	Mode uint32
}

// InfoType returns InfoTypeFile.
func (*FileModeInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileMode.
func (*FileModeInformation) InfoClass() InfoClass { return InfoFileMode }

// Encode appends the 4-byte structure to b.
func (i *FileModeInformation) Encode(b []byte) []byte { return le.AppendUint32(b, i.Mode) }

// Decode parses the structure at the start of b.
func (i *FileModeInformation) Decode(b []byte) error {
	if err := needLen(b, 4, "FileModeInformation"); err != nil {
		return err
	}
	i.Mode = le.Uint32(b)
	return nil
}

// FileAlignmentInformation holds the buffer alignment the device requires
// (MS-FSCC 2.4 FileAlignmentInformation).
type FileAlignmentInformation struct {
	AlignmentRequirement uint32
}

// InfoType returns InfoTypeFile.
func (*FileAlignmentInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileAlignment.
func (*FileAlignmentInformation) InfoClass() InfoClass { return InfoFileAlignment }

// Encode appends the 4-byte structure to b.
func (i *FileAlignmentInformation) Encode(b []byte) []byte {
	return le.AppendUint32(b, i.AlignmentRequirement)
}

// Decode parses the structure at the start of b.
func (i *FileAlignmentInformation) Decode(b []byte) error {
	if err := needLen(b, 4, "FileAlignmentInformation"); err != nil {
		return err
	}
	i.AlignmentRequirement = le.Uint32(b)
	return nil
}

// FileAllInformation is the concatenation of the basic, standard, internal,
// EA, access, position, mode, alignment and name classes (MS-FSCC 2.4
// FileAllInformation): 100 fixed bytes, then the name.
//
// A server whose reply does not fit OutputBufferLength answers
// STATUS_BUFFER_OVERFLOW with the structure cut short inside the name, while
// FileNameLength still gives the full length. Decode accepts that, keeps the
// part of the name that arrived and sets NameTruncated; the caller decides,
// from the status, whether a truncated name is acceptable.
type FileAllInformation struct {
	Basic         FileBasicInformation
	Standard      FileStandardInformation
	Internal      FileInternalInformation
	EA            FileEaInformation
	Access        FileAccessInformation
	Position      FilePositionInformation
	Mode          FileModeInformation
	Alignment     FileAlignmentInformation
	Name          FileNameInformation
	NameTruncated bool
}

// fileAllFixedSize is the offset of the FileName bytes in FileAllInformation.
const fileAllFixedSize = 100

// InfoType returns InfoTypeFile.
func (*FileAllInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileAll.
func (*FileAllInformation) InfoClass() InfoClass { return InfoFileAll }

// Encode appends the structure to b (NameTruncated is ignored).
func (i *FileAllInformation) Encode(b []byte) []byte {
	b = i.Basic.Encode(b)
	b = i.Standard.Encode(b)
	b = i.Internal.Encode(b)
	b = i.EA.Encode(b)
	b = i.Access.Encode(b)
	b = i.Position.Encode(b)
	b = i.Mode.Encode(b)
	b = i.Alignment.Encode(b)
	return i.Name.Encode(b)
}

// Decode parses the structure at the start of b.
func (i *FileAllInformation) Decode(b []byte) error {
	const what = "FileAllInformation"
	if err := needLen(b, fileAllFixedSize, what); err != nil {
		return err
	}
	// The fixed-size parts cannot fail once 100 bytes are present.
	var v FileAllInformation
	_ = v.Basic.Decode(b[0:40])
	_ = v.Standard.Decode(b[40:64])
	_ = v.Internal.Decode(b[64:72])
	_ = v.EA.Decode(b[72:76])
	_ = v.Access.Decode(b[76:80])
	_ = v.Position.Decode(b[80:88])
	_ = v.Mode.Decode(b[88:92])
	_ = v.Alignment.Decode(b[92:96])
	nameLen := le.Uint32(b[96:])
	if avail := uint64(len(b) - fileAllFixedSize); uint64(nameLen) > avail {
		v.NameTruncated = true
		nameLen = uint32(avail) &^ 1 // keep whole UTF-16 code units only
	}
	name, err := decodeUTF16Field(b, fileAllFixedSize, nameLen, what)
	if err != nil {
		return err
	}
	v.Name.FileName = name
	*i = v
	return nil
}

// FileAllocationInformation sets the allocation size of the file
// (MS-FSCC 2.4 FileAllocationInformation).
type FileAllocationInformation struct {
	AllocationSize uint64
}

// InfoType returns InfoTypeFile.
func (*FileAllocationInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileAllocation.
func (*FileAllocationInformation) InfoClass() InfoClass { return InfoFileAllocation }

// Encode appends the 8-byte structure to b.
func (i *FileAllocationInformation) Encode(b []byte) []byte {
	return le.AppendUint64(b, i.AllocationSize)
}

// Decode parses the structure at the start of b.
func (i *FileAllocationInformation) Decode(b []byte) error {
	if err := needLen(b, 8, "FileAllocationInformation"); err != nil {
		return err
	}
	i.AllocationSize = le.Uint64(b)
	return nil
}

// FileEndOfFileInformation sets the size of the file: SET_INFO with it
// truncates or extends (MS-FSCC 2.4 FileEndOfFileInformation).
type FileEndOfFileInformation struct {
	EndOfFile uint64
}

// InfoType returns InfoTypeFile.
func (*FileEndOfFileInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileEndOfFile.
func (*FileEndOfFileInformation) InfoClass() InfoClass { return InfoFileEndOfFile }

// Encode appends the 8-byte structure to b.
func (i *FileEndOfFileInformation) Encode(b []byte) []byte {
	return le.AppendUint64(b, i.EndOfFile)
}

// Decode parses the structure at the start of b.
func (i *FileEndOfFileInformation) Decode(b []byte) error {
	if err := needLen(b, 8, "FileEndOfFileInformation"); err != nil {
		return err
	}
	i.EndOfFile = le.Uint64(b)
	return nil
}

// FileNetworkOpenInformation holds what a stat needs in one round trip:
// times, sizes and attributes (MS-FSCC 2.4 FileNetworkOpenInformation,
// 56 bytes).
type FileNetworkOpenInformation struct {
	CreationTime   uint64
	LastAccessTime uint64
	LastWriteTime  uint64
	ChangeTime     uint64
	AllocationSize uint64
	EndOfFile      uint64
	FileAttributes FileAttributes
}

const fileNetworkOpenSize = 56

// InfoType returns InfoTypeFile.
func (*FileNetworkOpenInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileNetworkOpen.
func (*FileNetworkOpenInformation) InfoClass() InfoClass { return InfoFileNetworkOpen }

// Encode appends the 56-byte structure to b.
func (i *FileNetworkOpenInformation) Encode(b []byte) []byte {
	b = le.AppendUint64(b, i.CreationTime)
	b = le.AppendUint64(b, i.LastAccessTime)
	b = le.AppendUint64(b, i.LastWriteTime)
	b = le.AppendUint64(b, i.ChangeTime)
	b = le.AppendUint64(b, i.AllocationSize)
	b = le.AppendUint64(b, i.EndOfFile)
	b = le.AppendUint32(b, uint32(i.FileAttributes))
	return le.AppendUint32(b, 0) // Reserved
}

// Decode parses the structure at the start of b. The trailing reserved
// field is not required.
func (i *FileNetworkOpenInformation) Decode(b []byte) error {
	if err := needLen(b, fileNetworkOpenSize-4, "FileNetworkOpenInformation"); err != nil {
		return err
	}
	i.CreationTime = le.Uint64(b)
	i.LastAccessTime = le.Uint64(b[8:])
	i.LastWriteTime = le.Uint64(b[16:])
	i.ChangeTime = le.Uint64(b[24:])
	i.AllocationSize = le.Uint64(b[32:])
	i.EndOfFile = le.Uint64(b[40:])
	i.FileAttributes = FileAttributes(le.Uint32(b[48:]))
	return nil
}

// FileAttributeTagInformation holds the attributes and, for a reparse
// point, its tag (MS-FSCC 2.4 FileAttributeTagInformation).
type FileAttributeTagInformation struct {
	FileAttributes FileAttributes
	ReparseTag     uint32
}

// InfoType returns InfoTypeFile.
func (*FileAttributeTagInformation) InfoType() InfoType { return InfoTypeFile }

// InfoClass returns InfoFileAttributeTag.
func (*FileAttributeTagInformation) InfoClass() InfoClass { return InfoFileAttributeTag }

// Encode appends the 8-byte structure to b.
func (i *FileAttributeTagInformation) Encode(b []byte) []byte {
	b = le.AppendUint32(b, uint32(i.FileAttributes))
	return le.AppendUint32(b, i.ReparseTag)
}

// Decode parses the structure at the start of b.
func (i *FileAttributeTagInformation) Decode(b []byte) error {
	if err := needLen(b, 8, "FileAttributeTagInformation"); err != nil {
		return err
	}
	i.FileAttributes = FileAttributes(le.Uint32(b))
	i.ReparseTag = le.Uint32(b[4:])
	return nil
}
