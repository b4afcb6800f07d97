package wire

import (
	"bytes"
	"reflect"
	"testing"
)

// Each information class implements InfoBuffer.
var (
	_ InfoBuffer = (*FileBasicInformation)(nil)
	_ InfoBuffer = (*FileStandardInformation)(nil)
	_ InfoBuffer = (*FileInternalInformation)(nil)
	_ InfoBuffer = (*FileEaInformation)(nil)
	_ InfoBuffer = (*FileAccessInformation)(nil)
	_ InfoBuffer = (*FileNameInformation)(nil)
	_ InfoBuffer = (*FileRenameInformation)(nil)
	_ InfoBuffer = (*FileDispositionInformation)(nil)
	_ InfoBuffer = (*FilePositionInformation)(nil)
	_ InfoBuffer = (*FileModeInformation)(nil)
	_ InfoBuffer = (*FileAlignmentInformation)(nil)
	_ InfoBuffer = (*FileAllInformation)(nil)
	_ InfoBuffer = (*FileAllocationInformation)(nil)
	_ InfoBuffer = (*FileEndOfFileInformation)(nil)
	_ InfoBuffer = (*FileNetworkOpenInformation)(nil)
	_ InfoBuffer = (*FileAttributeTagInformation)(nil)
	_ InfoBuffer = (*FileFsVolumeInformation)(nil)
	_ InfoBuffer = (*FileFsSizeInformation)(nil)
	_ InfoBuffer = (*FileFsDeviceInformation)(nil)
	_ InfoBuffer = (*FileFsAttributeInformation)(nil)
	_ InfoBuffer = (*FileFsFullSizeInformation)(nil)
	_ InfoBuffer = (*FileFsSectorSizeInformation)(nil)
)

// fsccInfoBuffers returns a zero value of every information class, for
// fuzzing and table checks.
func fsccInfoBuffers() []InfoBuffer {
	return []InfoBuffer{
		new(FileBasicInformation), new(FileStandardInformation), new(FileInternalInformation),
		new(FileEaInformation), new(FileAccessInformation), new(FileNameInformation),
		new(FileRenameInformation), new(FileDispositionInformation), new(FilePositionInformation),
		new(FileModeInformation), new(FileAlignmentInformation), new(FileAllInformation),
		new(FileAllocationInformation), new(FileEndOfFileInformation), new(FileNetworkOpenInformation),
		new(FileAttributeTagInformation), new(FileFsVolumeInformation), new(FileFsSizeInformation),
		new(FileFsDeviceInformation), new(FileFsAttributeInformation), new(FileFsFullSizeInformation),
		new(FileFsSectorSizeInformation),
	}
}

func TestInfoBufferClassNumbers(t *testing.T) {
	// Class numbers from the tables of MS-FSCC 2.4 and 2.5.
	want := map[string][2]uint8{
		"*wire.FileBasicInformation":        {1, 4},
		"*wire.FileStandardInformation":     {1, 5},
		"*wire.FileInternalInformation":     {1, 6},
		"*wire.FileEaInformation":           {1, 7},
		"*wire.FileAccessInformation":       {1, 8},
		"*wire.FileNameInformation":         {1, 9},
		"*wire.FileRenameInformation":       {1, 10},
		"*wire.FileDispositionInformation":  {1, 13},
		"*wire.FilePositionInformation":     {1, 14},
		"*wire.FileModeInformation":         {1, 16},
		"*wire.FileAlignmentInformation":    {1, 17},
		"*wire.FileAllInformation":          {1, 18},
		"*wire.FileAllocationInformation":   {1, 19},
		"*wire.FileEndOfFileInformation":    {1, 20},
		"*wire.FileNetworkOpenInformation":  {1, 34},
		"*wire.FileAttributeTagInformation": {1, 35},
		"*wire.FileFsVolumeInformation":     {2, 1},
		"*wire.FileFsSizeInformation":       {2, 3},
		"*wire.FileFsDeviceInformation":     {2, 4},
		"*wire.FileFsAttributeInformation":  {2, 5},
		"*wire.FileFsFullSizeInformation":   {2, 7},
		"*wire.FileFsSectorSizeInformation": {2, 11},
	}
	infos := fsccInfoBuffers()
	if len(infos) != len(want) {
		t.Fatalf("%d info buffers, %d expectations", len(infos), len(want))
	}
	for _, info := range infos {
		name := reflect.TypeOf(info).String()
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: no expectation", name)
			continue
		}
		if got := [2]uint8{uint8(info.InfoType()), uint8(info.InfoClass())}; got != w {
			t.Errorf("%s: InfoType, InfoClass = %v, want %v", name, got, w)
		}
	}
}

// fsccInfoCase is a class value, its encoding written from the MS-FSCC
// layout, and the shortest prefix Decode accepts.
type fsccInfoCase struct {
	name   string
	value  InfoBuffer
	dump   string
	minLen int
}

const (
	fsccBasicHex = `
		80c04858283dda01 // CreationTime
		0000000000000000 // LastAccessTime: 0, leave unchanged
		ffffffffffffffff // LastWriteTime: -1, stop updating
		0100000000000000 // ChangeTime
		03000000         // FileAttributes READONLY|HIDDEN
		00000000         // Reserved
	`
	fsccStandardHex = `
		0020000000000000 // AllocationSize 8192
		8813000000000000 // EndOfFile 5000
		01000000         // NumberOfLinks
		00               // DeletePending
		01               // Directory
		0000             // Reserved
	`
	fsccNameHex = `
		0c000000                       // FileNameLength 12
		5c00 6400 6900 7200 5c00 6100 // "\dir\a"
	`
)

var (
	fsccBasic = FileBasicInformation{
		CreationTime:   0x01DA3D285848C080,
		LastWriteTime:  FiletimeSuspendUpdates,
		ChangeTime:     1,
		FileAttributes: FileAttributeReadonly | FileAttributeHidden,
	}
	fsccStandard = FileStandardInformation{AllocationSize: 8192, EndOfFile: 5000, NumberOfLinks: 1, Directory: true}
)

func fsccFileInfoCases() []fsccInfoCase {
	return []fsccInfoCase{
		{"basic", &fsccBasic, fsccBasicHex, 40},
		{"standard", &fsccStandard, fsccStandardHex, 22},
		{"internal", &FileInternalInformation{IndexNumber: 0x0001000000001234}, `3412000000000100`, 8},
		{"ea", &FileEaInformation{EaSize: 0x20}, `20000000`, 4},
		{"access", &FileAccessInformation{AccessFlags: 0x0012019F}, `9f011200`, 4},
		{"name", &FileNameInformation{FileName: `\dir\a`}, fsccNameHex, 4},
		{
			"rename long name", &FileRenameInformation{FileName: `dir\longname.txt`}, `
				00 00000000000000 // ReplaceIfExists FALSE, Reserved
				0000000000000000  // RootDirectory
				20000000          // FileNameLength 32
				6400 6900 7200 5c00 6c00 6f00 6e00 6700 6e00 6100 6d00 6500 2e00 7400 7800 7400
			`, 20,
		},
		{
			"rename short name padded", &FileRenameInformation{ReplaceIfExists: true, FileName: "a"}, `
				01 00000000000000 0000000000000000
				02000000 // FileNameLength 2
				6100     // "a"
				0000     // Padding up to 24 bytes
			`, 20,
		},
		{"disposition", &FileDispositionInformation{DeletePending: true}, `01`, 1},
		{"position", &FilePositionInformation{CurrentByteOffset: 0x1000}, `0010000000000000`, 8},
		{"mode", &FileModeInformation{Mode: 2}, `02000000`, 4},
		{"alignment", &FileAlignmentInformation{AlignmentRequirement: 0x1FF}, `ff010000`, 4},
		{
			"all", &FileAllInformation{
				Basic:     fsccBasic,
				Standard:  fsccStandard,
				Internal:  FileInternalInformation{IndexNumber: 0x0001000000001234},
				EA:        FileEaInformation{EaSize: 0x20},
				Access:    FileAccessInformation{AccessFlags: 0x0012019F},
				Position:  FilePositionInformation{CurrentByteOffset: 0x1000},
				Mode:      FileModeInformation{Mode: 2},
				Alignment: FileAlignmentInformation{AlignmentRequirement: 0x1FF},
				Name:      FileNameInformation{FileName: `\dir\a`},
			},
			fsccBasicHex + fsccStandardHex + `
				3412000000000100 // InternalInformation
				20000000         // EaInformation
				9f011200         // AccessInformation
				0010000000000000 // PositionInformation
				02000000         // ModeInformation
				ff010000         // AlignmentInformation
			` + fsccNameHex, 100,
		},
		{"allocation", &FileAllocationInformation{AllocationSize: 4096}, `0010000000000000`, 8},
		{"end of file", &FileEndOfFileInformation{EndOfFile: 1}, `0100000000000000`, 8},
		{
			"network open", &FileNetworkOpenInformation{
				CreationTime:   0x01DA3D285848C080,
				LastAccessTime: 0x01BF53EB256D4000,
				LastWriteTime:  0x019DB1DED53E8000,
				ChangeTime:     0x0102030405060708,
				AllocationSize: 4096,
				EndOfFile:      5,
				FileAttributes: FileAttributeArchive,
			}, `
				80c04858283dda01 // CreationTime
				00406d25eb53bf01 // LastAccessTime
				00803ed5deb19d01 // LastWriteTime
				0807060504030201 // ChangeTime
				0010000000000000 // AllocationSize 4096 (before EndOfFile in this class)
				0500000000000000 // EndOfFile 5
				20000000         // FileAttributes
				00000000         // Reserved
			`, 52,
		},
		{"attribute tag", &FileAttributeTagInformation{FileAttributes: FileAttributeReparsePoint, ReparseTag: ReparseTagSymlink}, `00040000 0c0000a0`, 8},
	}
}

func fsccFsInfoCases() []fsccInfoCase {
	return []fsccInfoCase{
		{
			"volume", &FileFsVolumeInformation{
				VolumeCreationTime: 0x01BF53EB256D4000,
				VolumeSerialNumber: 0xDEADBEEF,
				SupportsObjects:    true,
				VolumeLabel:        "Data1",
			}, `
				00406d25eb53bf01 // VolumeCreationTime
				efbeadde         // VolumeSerialNumber
				0a000000         // VolumeLabelLength
				01 00            // SupportsObjects, Reserved
				4400 6100 7400 6100 3100 // "Data1"
			`, 18,
		},
		{
			"size", &FileFsSizeInformation{
				TotalAllocationUnits: 1000000, AvailableAllocationUnits: 250000,
				SectorsPerAllocationUnit: 8, BytesPerSector: 512,
			}, `40420f0000000000 90d0030000000000 08000000 00020000`, 24,
		},
		{"device", &FileFsDeviceInformation{DeviceType: DeviceTypeDisk, Characteristics: 0x20}, `07000000 20000000`, 8},
		{
			"attribute", &FileFsAttributeInformation{
				FileSystemAttributes:       FSCasePreservedNames | FSUnicodeOnDisk | FSPersistentACLs | FSNamedStreams,
				MaximumComponentNameLength: 255,
				FileSystemName:             "NTFS",
			}, `
				0e000400 // FileSystemAttributes
				ff000000 // MaximumComponentNameLength
				08000000 // FileSystemNameLength
				4e00 5400 4600 5300 // "NTFS"
			`, 12,
		},
		{
			"full size", &FileFsFullSizeInformation{
				TotalAllocationUnits: 1000000, CallerAvailableAllocationUnits: 250000,
				ActualAvailableAllocationUnits: 300000, SectorsPerAllocationUnit: 8, BytesPerSector: 512,
			}, `40420f0000000000 90d0030000000000 e093040000000000 08000000 00020000`, 32,
		},
		{
			"sector size", &FileFsSectorSizeInformation{
				LogicalBytesPerSector:                                 512,
				PhysicalBytesPerSectorForAtomicity:                    4096,
				PhysicalBytesPerSectorForPerformance:                  4096,
				FileSystemEffectivePhysicalBytesPerSectorForAtomicity: 4096,
				Flags: 0xB,
			}, `00020000 00100000 00100000 00100000 0b000000 00000000 00000000`, 28,
		},
	}
}

// fsccZero returns a new zero value of info's dynamic type.
func fsccZero(info InfoBuffer) InfoBuffer {
	return reflect.New(reflect.TypeOf(info).Elem()).Interface().(InfoBuffer)
}

func TestInfoBufferEncodeDecode(t *testing.T) {
	for _, tc := range append(fsccFileInfoCases(), fsccFsInfoCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			want := fsccHex(t, tc.dump)
			prefix := []byte{0xEE, 0xEE}
			got := tc.value.Encode(bytes.Clone(prefix))
			if !bytes.Equal(got[:2], prefix) || !bytes.Equal(got[2:], want) {
				t.Errorf("Encode\n got % x\nwant % x", got[2:], want)
			}
			dec := fsccZero(tc.value)
			if err := dec.Decode(want); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(dec, tc.value) {
				t.Errorf("Decode\n got %+v\nwant %+v", dec, tc.value)
			}
			// Trailing bytes beyond the structure are ignored.
			dec = fsccZero(tc.value)
			if err := dec.Decode(append(bytes.Clone(want), 0xFF, 0xFF)); err != nil || !reflect.DeepEqual(dec, tc.value) {
				t.Errorf("Decode with trailing bytes: %v, %+v", err, dec)
			}
			if tc.minLen > 0 {
				fsccWantMalformed(t, fsccZero(tc.value).Decode(want[:tc.minLen-1]))
			}
		})
	}
}

func TestInfoBufferNameErrors(t *testing.T) {
	tests := []struct {
		name string
		info InfoBuffer
		dump string
	}{
		{"name overruns", new(FileNameInformation), `0e000000 5c00 6400 6900 7200 5c00 6100`},
		{"name odd", new(FileNameInformation), `03000000 5c00 64`},
		{"name huge", new(FileNameInformation), `ffffffff 5c00`},
		{"rename overruns", new(FileRenameInformation), `00 00000000000000 0000000000000000 04000000 6100`},
		{"volume label overruns", new(FileFsVolumeInformation), `0000000000000000 00000000 04000000 0000 4100`},
		{"fs name odd", new(FileFsAttributeInformation), `00000000 00000000 01000000 41`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsccWantMalformed(t, tt.info.Decode(fsccHex(t, tt.dump)))
		})
	}
}

func TestFileAllInformationTruncatedName(t *testing.T) {
	full := fsccFileInfoCases()[12]
	if full.name != "all" {
		t.Fatalf("case %q is not the FileAllInformation case", full.name)
	}
	enc := fsccHex(t, full.dump) // 100 fixed bytes, then the 12-byte name
	tests := []struct {
		name      string
		keep      int
		wantName  string
		truncated bool
	}{
		{"complete", len(enc), `\dir\a`, false},
		{"cut inside a code unit", 100 + 5, `\d`, true},
		{"cut on a code unit", 100 + 6, `\di`, true},
		{"no name bytes", 100, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var all FileAllInformation
			if err := all.Decode(enc[:tt.keep]); err != nil {
				t.Fatal(err)
			}
			if all.Name.FileName != tt.wantName || all.NameTruncated != tt.truncated {
				t.Errorf("name %q truncated %v, want %q %v", all.Name.FileName, all.NameTruncated, tt.wantName, tt.truncated)
			}
			if all.Standard != fsccStandard || all.Basic != fsccBasic {
				t.Errorf("fixed part decoded wrong: %+v", all)
			}
		})
	}
	t.Run("odd complete name", func(t *testing.T) {
		b := bytes.Clone(enc[:103])
		b[96] = 3
		var all FileAllInformation
		fsccWantMalformed(t, all.Decode(b))
		if all != (FileAllInformation{}) {
			t.Errorf("failed Decode changed the value: %+v", all)
		}
	})
}

func FuzzFileAllInformation(f *testing.F) {
	for _, tc := range fsccFileInfoCases() {
		if tc.name == "all" {
			enc := fsccHex(f, tc.dump)
			f.Add(enc)
			f.Add(enc[:105])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var all FileAllInformation
		if err := all.Decode(b); err != nil {
			return
		}
		if all.NameTruncated {
			return
		}
		var again FileAllInformation
		if err := again.Decode(all.Encode(nil)); err != nil || again != all {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, again, all)
		}
	})
}

func FuzzInfoBuffer(f *testing.F) {
	for i, info := range fsccInfoBuffers() {
		for _, tc := range append(fsccFileInfoCases(), fsccFsInfoCases()...) {
			if reflect.TypeOf(tc.value) == reflect.TypeOf(info) {
				f.Add(uint8(i), fsccHex(f, tc.dump))
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		infos := fsccInfoBuffers()
		info := infos[int(which)%len(infos)]
		if err := info.Decode(b); err != nil {
			return
		}
		if all, ok := info.(*FileAllInformation); ok && all.NameTruncated {
			return
		}
		// What decodes must re-encode to something that decodes the same.
		again := fsccZero(info)
		if err := again.Decode(info.Encode(nil)); err != nil || !reflect.DeepEqual(again, info) {
			t.Fatalf("%T round trip: %v\n got %+v\nwant %+v", info, err, again, info)
		}
	})
}
