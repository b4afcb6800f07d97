package wire

// FSAttributes are the FILE_* file system attribute bits of
// FileFsAttributeInformation (MS-FSCC 2.5.1).
type FSAttributes uint32

// File system attribute bits.
const (
	FSCaseSensitiveSearch      FSAttributes = 0x00000001
	FSCasePreservedNames       FSAttributes = 0x00000002
	FSUnicodeOnDisk            FSAttributes = 0x00000004
	FSPersistentACLs           FSAttributes = 0x00000008
	FSFileCompression          FSAttributes = 0x00000010
	FSVolumeQuotas             FSAttributes = 0x00000020
	FSSupportsSparseFiles      FSAttributes = 0x00000040
	FSSupportsReparsePoints    FSAttributes = 0x00000080
	FSSupportsRemoteStorage    FSAttributes = 0x00000100
	FSVolumeIsCompressed       FSAttributes = 0x00008000
	FSSupportsObjectIDs        FSAttributes = 0x00010000
	FSSupportsEncryption       FSAttributes = 0x00020000
	FSNamedStreams             FSAttributes = 0x00040000
	FSReadOnlyVolume           FSAttributes = 0x00080000
	FSSequentialWriteOnce      FSAttributes = 0x00100000
	FSSupportsTransactions     FSAttributes = 0x00200000
	FSSupportsHardLinks        FSAttributes = 0x00400000
	FSSupportsExtendedAttrs    FSAttributes = 0x00800000
	FSSupportsOpenByFileID     FSAttributes = 0x01000000
	FSSupportsUSNJournal       FSAttributes = 0x02000000
	FSSupportsIntegrityStreams FSAttributes = 0x04000000
)

// FileFsVolumeInformation describes the volume behind a share (MS-FSCC 2.5
// FileFsVolumeInformation): 18 fixed bytes, then the label.
type FileFsVolumeInformation struct {
	VolumeCreationTime uint64 // FILETIME
	VolumeSerialNumber uint32
	SupportsObjects    bool
	VolumeLabel        string
}

const fsVolumeFixedSize = 18

// InfoType returns InfoTypeFilesystem.
func (*FileFsVolumeInformation) InfoType() InfoType { return InfoTypeFilesystem }

// InfoClass returns InfoFsVolume.
func (*FileFsVolumeInformation) InfoClass() InfoClass { return InfoFsVolume }

// Encode appends the structure to b.
func (i *FileFsVolumeInformation) Encode(b []byte) []byte {
	start := len(b)
	b = le.AppendUint64(b, i.VolumeCreationTime)
	b = le.AppendUint32(b, i.VolumeSerialNumber)
	b = le.AppendUint32(b, 0) // VolumeLabelLength, patched below
	b = append(b, boolByte(i.SupportsObjects), 0)
	b = AppendUTF16(b, i.VolumeLabel)
	le.PutUint32(b[start+12:], uint32(len(b)-start-fsVolumeFixedSize))
	return b
}

// Decode parses the structure at the start of b.
func (i *FileFsVolumeInformation) Decode(b []byte) error {
	const what = "FileFsVolumeInformation"
	if err := needLen(b, fsVolumeFixedSize, what); err != nil {
		return err
	}
	label, err := decodeUTF16Field(b, fsVolumeFixedSize, le.Uint32(b[12:]), what)
	if err != nil {
		return err
	}
	i.VolumeCreationTime = le.Uint64(b)
	i.VolumeSerialNumber = le.Uint32(b[8:])
	i.SupportsObjects = b[16] != 0
	i.VolumeLabel = label
	return nil
}

// FileFsSizeInformation gives volume capacity in allocation units
// (MS-FSCC 2.5 FileFsSizeInformation). AvailableAllocationUnits honours the
// caller's quota. Bytes = units * SectorsPerAllocationUnit * BytesPerSector.
type FileFsSizeInformation struct {
	TotalAllocationUnits     uint64
	AvailableAllocationUnits uint64
	SectorsPerAllocationUnit uint32
	BytesPerSector           uint32
}

// InfoType returns InfoTypeFilesystem.
func (*FileFsSizeInformation) InfoType() InfoType { return InfoTypeFilesystem }

// InfoClass returns InfoFsSize.
func (*FileFsSizeInformation) InfoClass() InfoClass { return InfoFsSize }

// Encode appends the 24-byte structure to b.
func (i *FileFsSizeInformation) Encode(b []byte) []byte {
	b = le.AppendUint64(b, i.TotalAllocationUnits)
	b = le.AppendUint64(b, i.AvailableAllocationUnits)
	b = le.AppendUint32(b, i.SectorsPerAllocationUnit)
	return le.AppendUint32(b, i.BytesPerSector)
}

// Decode parses the structure at the start of b.
func (i *FileFsSizeInformation) Decode(b []byte) error {
	if err := needLen(b, 24, "FileFsSizeInformation"); err != nil {
		return err
	}
	i.TotalAllocationUnits = le.Uint64(b)
	i.AvailableAllocationUnits = le.Uint64(b[8:])
	i.SectorsPerAllocationUnit = le.Uint32(b[16:])
	i.BytesPerSector = le.Uint32(b[20:])
	return nil
}

// Device types of FileFsDeviceInformation (MS-FSCC 2.5 FileFsDeviceInformation).
const (
	DeviceTypeCDROM uint32 = 0x00000002
	DeviceTypeDisk  uint32 = 0x00000007
)

// FileFsDeviceInformation gives the device type and characteristics of the
// volume (MS-FSCC 2.5 FileFsDeviceInformation).
type FileFsDeviceInformation struct {
	DeviceType      uint32
	Characteristics uint32
}

// InfoType returns InfoTypeFilesystem.
func (*FileFsDeviceInformation) InfoType() InfoType { return InfoTypeFilesystem }

// InfoClass returns InfoFsDevice.
func (*FileFsDeviceInformation) InfoClass() InfoClass { return InfoFsDevice }

// Encode appends the 8-byte structure to b.
func (i *FileFsDeviceInformation) Encode(b []byte) []byte {
	b = le.AppendUint32(b, i.DeviceType)
	return le.AppendUint32(b, i.Characteristics)
}

// Decode parses the structure at the start of b.
func (i *FileFsDeviceInformation) Decode(b []byte) error {
	if err := needLen(b, 8, "FileFsDeviceInformation"); err != nil {
		return err
	}
	i.DeviceType = le.Uint32(b)
	i.Characteristics = le.Uint32(b[4:])
	return nil
}

// FileFsAttributeInformation describes the file system's capabilities and
// name, such as "NTFS" (MS-FSCC 2.5 FileFsAttributeInformation): 12 fixed
// bytes, then the name.
type FileFsAttributeInformation struct {
	FileSystemAttributes       FSAttributes
	MaximumComponentNameLength uint32
	FileSystemName             string
}

const fsAttributeFixedSize = 12

// InfoType returns InfoTypeFilesystem.
func (*FileFsAttributeInformation) InfoType() InfoType { return InfoTypeFilesystem }

// InfoClass returns InfoFsAttribute.
func (*FileFsAttributeInformation) InfoClass() InfoClass { return InfoFsAttribute }

// Encode appends the structure to b.
func (i *FileFsAttributeInformation) Encode(b []byte) []byte {
	start := len(b)
	b = le.AppendUint32(b, uint32(i.FileSystemAttributes))
	b = le.AppendUint32(b, i.MaximumComponentNameLength)
	b = le.AppendUint32(b, 0) // FileSystemNameLength, patched below
	b = AppendUTF16(b, i.FileSystemName)
	le.PutUint32(b[start+8:], uint32(len(b)-start-fsAttributeFixedSize))
	return b
}

// Decode parses the structure at the start of b.
func (i *FileFsAttributeInformation) Decode(b []byte) error {
	const what = "FileFsAttributeInformation"
	if err := needLen(b, fsAttributeFixedSize, what); err != nil {
		return err
	}
	name, err := decodeUTF16Field(b, fsAttributeFixedSize, le.Uint32(b[8:]), what)
	if err != nil {
		return err
	}
	i.FileSystemAttributes = FSAttributes(le.Uint32(b))
	i.MaximumComponentNameLength = le.Uint32(b[4:])
	i.FileSystemName = name
	return nil
}

// FileFsFullSizeInformation gives volume capacity in allocation units, both
// as the caller's quota allows and as the volume really has (MS-FSCC 2.5
// FileFsFullSizeInformation).
type FileFsFullSizeInformation struct {
	TotalAllocationUnits           uint64
	CallerAvailableAllocationUnits uint64
	ActualAvailableAllocationUnits uint64
	SectorsPerAllocationUnit       uint32
	BytesPerSector                 uint32
}

// InfoType returns InfoTypeFilesystem.
func (*FileFsFullSizeInformation) InfoType() InfoType { return InfoTypeFilesystem }

// InfoClass returns InfoFsFullSize.
func (*FileFsFullSizeInformation) InfoClass() InfoClass { return InfoFsFullSize }

// Encode appends the 32-byte structure to b.
func (i *FileFsFullSizeInformation) Encode(b []byte) []byte {
	b = le.AppendUint64(b, i.TotalAllocationUnits)
	b = le.AppendUint64(b, i.CallerAvailableAllocationUnits)
	b = le.AppendUint64(b, i.ActualAvailableAllocationUnits)
	b = le.AppendUint32(b, i.SectorsPerAllocationUnit)
	return le.AppendUint32(b, i.BytesPerSector)
}

// Decode parses the structure at the start of b.
func (i *FileFsFullSizeInformation) Decode(b []byte) error {
	if err := needLen(b, 32, "FileFsFullSizeInformation"); err != nil {
		return err
	}
	i.TotalAllocationUnits = le.Uint64(b)
	i.CallerAvailableAllocationUnits = le.Uint64(b[8:])
	i.ActualAvailableAllocationUnits = le.Uint64(b[16:])
	i.SectorsPerAllocationUnit = le.Uint32(b[24:])
	i.BytesPerSector = le.Uint32(b[28:])
	return nil
}

// FileFsSectorSizeInformation gives the logical and physical sector sizes
// of the volume (MS-FSCC 2.5 FileFsSectorSizeInformation, 28 bytes).
type FileFsSectorSizeInformation struct {
	LogicalBytesPerSector                                 uint32
	PhysicalBytesPerSectorForAtomicity                    uint32
	PhysicalBytesPerSectorForPerformance                  uint32
	FileSystemEffectivePhysicalBytesPerSectorForAtomicity uint32
	Flags                                                 uint32
	ByteOffsetForSectorAlignment                          uint32
	ByteOffsetForPartitionAlignment                       uint32
}

// InfoType returns InfoTypeFilesystem.
func (*FileFsSectorSizeInformation) InfoType() InfoType { return InfoTypeFilesystem }

// InfoClass returns InfoFsSectorSize.
func (*FileFsSectorSizeInformation) InfoClass() InfoClass { return InfoFsSectorSize }

// Encode appends the 28-byte structure to b.
func (i *FileFsSectorSizeInformation) Encode(b []byte) []byte {
	for _, v := range [...]uint32{
		i.LogicalBytesPerSector,
		i.PhysicalBytesPerSectorForAtomicity,
		i.PhysicalBytesPerSectorForPerformance,
		i.FileSystemEffectivePhysicalBytesPerSectorForAtomicity,
		i.Flags,
		i.ByteOffsetForSectorAlignment,
		i.ByteOffsetForPartitionAlignment,
	} {
		b = le.AppendUint32(b, v)
	}
	return b
}

// Decode parses the structure at the start of b.
func (i *FileFsSectorSizeInformation) Decode(b []byte) error {
	if err := needLen(b, 28, "FileFsSectorSizeInformation"); err != nil {
		return err
	}
	i.LogicalBytesPerSector = le.Uint32(b)
	i.PhysicalBytesPerSectorForAtomicity = le.Uint32(b[4:])
	i.PhysicalBytesPerSectorForPerformance = le.Uint32(b[8:])
	i.FileSystemEffectivePhysicalBytesPerSectorForAtomicity = le.Uint32(b[12:])
	i.Flags = le.Uint32(b[16:])
	i.ByteOffsetForSectorAlignment = le.Uint32(b[20:])
	i.ByteOffsetForPartitionAlignment = le.Uint32(b[24:])
	return nil
}
