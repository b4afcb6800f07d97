package wire

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// fsccDirTimesHex is bytes 8..55 shared by the full directory classes
// (MS-FSCC 2.4): four FILETIMEs, EndOfFile and AllocationSize.
const fsccDirTimesHex = `
	80c0485828 3dda01 // CreationTime 2024-01-02T03:04:05Z = 0x01DA3D285848C080
	00406d25eb 53bf01 // LastAccessTime 2000-01-01 = 0x01BF53EB256D4000
	00803ed5de b19d01 // LastWriteTime 1970-01-01 = 0x019DB1DED53E8000
	0807060504 030201 // ChangeTime 0x0102030405060708
	0500000000 000000 // EndOfFile 5
	0010000000 000000 // AllocationSize 4096
`

// fsccDirFile is the entry described by fsccDirTimesHex, named "a.txt".
func fsccDirFile() DirEntry {
	return DirEntry{
		FileIndex:      0x01020304,
		CreationTime:   0x01DA3D285848C080,
		LastAccessTime: 0x01BF53EB256D4000,
		LastWriteTime:  0x019DB1DED53E8000,
		ChangeTime:     0x0102030405060708,
		EndOfFile:      5,
		AllocationSize: 4096,
		FileAttributes: FileAttributeArchive,
		Name:           "a.txt",
	}
}

const fsccNameATxtHex = `6100 2e00 7400 7800 7400 // "a.txt"`

func TestParseDirectoryInfo(t *testing.T) {
	withShort := fsccDirFile()
	withShort.ShortName = "A.TXT"
	withID := fsccDirFile()
	withID.FileID = 0x123
	link := fsccDirFile()
	link.FileAttributes = FileAttributeArchive | FileAttributeReparsePoint
	link.EaSize = ReparseTagSymlink
	link.Name = "lnk"

	tests := []struct {
		name  string
		class InfoClass
		dump  string
		want  []DirEntry
	}{
		{
			name:  "FileDirectoryInformation",
			class: InfoFileDirectory,
			dump: `
				00000000 // NextEntryOffset
				04030201 // FileIndex
			` + fsccDirTimesHex + `
				20000000 // FileAttributes ARCHIVE
				0a000000 // FileNameLength
			` + fsccNameATxtHex,
			want: []DirEntry{fsccDirFile()},
		},
		{
			name:  "FileFullDirectoryInformation reparse point",
			class: InfoFileFullDirectory,
			dump: `
				00000000 04030201
			` + fsccDirTimesHex + `
				20040000 // FileAttributes ARCHIVE|REPARSE_POINT
				06000000 // FileNameLength
				0c0000a0 // EaSize holds IO_REPARSE_TAG_SYMLINK
				6c00 6e00 6b00 // "lnk"
			`,
			want: []DirEntry{link},
		},
		{
			name:  "FileBothDirectoryInformation",
			class: InfoFileBothDirectory,
			dump: `
				00000000 04030201
			` + fsccDirTimesHex + `
				20000000 0a000000
				00000000 // EaSize
				0a       // ShortNameLength
				00       // Reserved
				4100 2e00 5400 5800 5400 0000 0000 0000 0000 0000 0000 0000 // ShortName[12] "A.TXT"
			` + fsccNameATxtHex,
			want: []DirEntry{withShort},
		},
		{
			name:  "FileNamesInformation two entries",
			class: InfoFileNames,
			dump: `
				10000000 // NextEntryOffset 16
				00000000 // FileIndex
				02000000 // FileNameLength
				6100     // "a"
				0000     // padding to 8
				00000000 00000000 04000000
				6200 6300 // "bc"
			`,
			want: []DirEntry{{Name: "a"}, {Name: "bc"}},
		},
		{
			name:  "FileIdBothDirectoryInformation two entries",
			class: InfoFileIDBothDirectory,
			dump: `
				78000000 // NextEntryOffset 120: 104 fixed + 10 name, padded to 8
				04030201
			` + fsccDirTimesHex + `
				20000000 0a000000
				00000000 // EaSize
				00 00    // ShortNameLength, Reserved1
				000000000000000000000000 000000000000000000000000 // ShortName[12]
				0000     // Reserved2
				2301000000000000 // FileId 0x123
			` + fsccNameATxtHex + `
				000000000000 // padding
				00000000 00000000
				0000000000000000 0000000000000000 0000000000000000 0000000000000000 // times
				0000000000000000 0000000000000000 // EndOfFile, AllocationSize
				10000000 // FileAttributes DIRECTORY
				06000000 00000000 00 00
				000000000000000000000000 000000000000000000000000
				0000 0500000000000000 // Reserved2, FileId 5
				6400 6900 7200 // "dir"
			`,
			want: []DirEntry{withID, {FileAttributes: FileAttributeDirectory, FileID: 5, Name: "dir"}},
		},
		{
			name:  "FileIdFullDirectoryInformation",
			class: InfoFileIDFullDirectory,
			dump: `
				00000000 04030201
			` + fsccDirTimesHex + `
				20000000 0a000000
				00000000 // EaSize
				00000000 // Reserved
				2301000000000000 // FileId
			` + fsccNameATxtHex,
			want: []DirEntry{withID},
		},
		{
			name:  "empty buffer",
			class: InfoFileIDBothDirectory,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := fsccHex(t, tt.dump)
			got, err := ParseDirectoryInfo(tt.class, buf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entries\n got %+v\nwant %+v", got, tt.want)
			}
			enc, err := AppendDirectoryInfo(nil, tt.class, tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, buf) {
				t.Errorf("AppendDirectoryInfo\n got % x\nwant % x", enc, buf)
			}
		})
	}
}

func TestDirEntryHelpers(t *testing.T) {
	tests := []struct {
		e       DirEntry
		dir     bool
		reparse uint32
	}{
		{DirEntry{FileAttributes: FileAttributeDirectory, EaSize: 12}, true, 0},
		{DirEntry{FileAttributes: FileAttributeReparsePoint, EaSize: ReparseTagSymlink}, false, ReparseTagSymlink},
		{DirEntry{FileAttributes: FileAttributeDirectory | FileAttributeReparsePoint, EaSize: ReparseTagMountPoint}, true, ReparseTagMountPoint},
		{DirEntry{FileAttributes: FileAttributeArchive, EaSize: 40}, false, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%#x", uint32(tt.e.FileAttributes)), func(t *testing.T) {
			if got := tt.e.IsDir(); got != tt.dir {
				t.Errorf("IsDir = %v, want %v", got, tt.dir)
			}
			if got := tt.e.ReparseTag(); got != tt.reparse {
				t.Errorf("ReparseTag = %#x, want %#x", got, tt.reparse)
			}
		})
	}
}

func TestParseDirectoryInfoMalformed(t *testing.T) {
	tests := []struct {
		name  string
		class InfoClass
		dump  string
	}{
		{"truncated fixed part", InfoFileNames, `00000000 00000000`},
		{"truncated full entry", InfoFileIDBothDirectory, `00000000 00000000` + fsccDirTimesHex},
		{"name overruns buffer", InfoFileNames, `00000000 00000000 10000000 6100`},
		{"huge name length", InfoFileNames, `00000000 00000000 ffffffff 6100`},
		{"odd name length", InfoFileNames, `00000000 00000000 03000000 610062`},
		{"NextEntryOffset inside the name", InfoFileNames, `0d000000 00000000 02000000 6100 0000 00000000 00000000 00000000`},
		{"NextEntryOffset below fixed size", InfoFileNames, `01000000 00000000 00000000 00000000 00000000 00000000`},
		{"NextEntryOffset past end", InfoFileNames, `00010000 00000000 02000000 6100`},
		{"NextEntryOffset all ones", InfoFileNames, `ffffffff 00000000 02000000 6100`},
		{"NextEntryOffset leaves no room", InfoFileNames, `10000000 00000000 02000000 6100 0000 00000000`},
		{"bad second entry", InfoFileNames, `10000000 00000000 02000000 6100 0000 00000000 00000000 08000000 6100`},
		{"short name too long", InfoFileBothDirectory, `00000000 00000000` + fsccDirTimesHex + `00000000 00000000 00000000 1a00` + ` 0000000000000000000000000000000000000000000000000000`},
		{"short name odd", InfoFileBothDirectory, `00000000 00000000` + fsccDirTimesHex + `00000000 00000000 00000000 0300` + ` 000000000000000000000000000000000000000000000000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := ParseDirectoryInfo(tt.class, fsccHex(t, tt.dump))
			fsccWantMalformed(t, err)
			if entries != nil {
				t.Errorf("entries = %v alongside an error", entries)
			}
		})
	}
}

func TestWalkDirectoryInfo(t *testing.T) {
	t.Run("unsupported class", func(t *testing.T) {
		err := WalkDirectoryInfo(InfoFileBasic, nil, func(DirEntry) error { return nil })
		if err == nil || errors.Is(err, ErrMalformed) {
			t.Fatalf("error = %v, want a non-nil caller error", err)
		}
		if _, err := AppendDirectoryInfo(nil, InfoFileAll, nil); err == nil {
			t.Fatal("AppendDirectoryInfo accepted a non-directory class")
		}
	})
	t.Run("callback error stops the walk", func(t *testing.T) {
		buf, err := AppendDirectoryInfo(nil, InfoFileNames, []DirEntry{{Name: "a"}, {Name: "b"}, {Name: "c"}})
		if err != nil {
			t.Fatal(err)
		}
		stop := errors.New("stop")
		var seen []string
		err = WalkDirectoryInfo(InfoFileNames, buf, func(d DirEntry) error {
			seen = append(seen, d.Name)
			if d.Name == "b" {
				return stop
			}
			return nil
		})
		if err != stop || !reflect.DeepEqual(seen, []string{"a", "b"}) {
			t.Fatalf("err = %v, seen %v; want stop after a, b", err, seen)
		}
	})
	t.Run("ten thousand entries", func(t *testing.T) {
		const n = 10000
		entries := make([]DirEntry, n)
		for i := range entries {
			entries[i] = DirEntry{FileID: uint64(i), Name: fmt.Sprintf("file-%05d.dat", i), ShortName: "FILE~1.DAT"}
		}
		buf, err := AppendDirectoryInfo(nil, InfoFileIDBothDirectory, entries)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		err = WalkDirectoryInfo(InfoFileIDBothDirectory, buf, func(d DirEntry) error {
			if d != entries[i] {
				return fmt.Errorf("entry %d = %+v, want %+v", i, d, entries[i])
			}
			i++
			return nil
		})
		if err != nil || i != n {
			t.Fatalf("walked %d of %d entries: %v", i, n, err)
		}
	})
	t.Run("short name longer than 12 units", func(t *testing.T) {
		_, err := AppendDirectoryInfo(nil, InfoFileBothDirectory, []DirEntry{{ShortName: "ABCDEFGHIJKLM"}})
		if err == nil {
			t.Fatal("AppendDirectoryInfo accepted a 13-unit short name")
		}
	})
}

func BenchmarkWalkDirectoryInfo(b *testing.B) {
	entries := make([]DirEntry, 1000)
	for i := range entries {
		entries[i] = DirEntry{FileID: uint64(i), Name: fmt.Sprintf("file-%05d.dat", i)}
	}
	buf, err := AppendDirectoryInfo(nil, InfoFileIDBothDirectory, entries)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := WalkDirectoryInfo(InfoFileIDBothDirectory, buf, func(DirEntry) error { n++; return nil }); err != nil || n != len(entries) {
			b.Fatal(n, err)
		}
	}
}

// fsccDirClasses are the classes ParseDirectoryInfo decodes.
var fsccDirClasses = []InfoClass{
	InfoFileDirectory, InfoFileFullDirectory, InfoFileBothDirectory,
	InfoFileNames, InfoFileIDBothDirectory, InfoFileIDFullDirectory,
}

func FuzzParseDirectoryInfo(f *testing.F) {
	sample := []DirEntry{fsccDirFile(), {FileAttributes: FileAttributeDirectory, FileID: 5, ShortName: "DIR~1", Name: "dir\u00e9"}}
	for _, class := range fsccDirClasses {
		buf, err := AppendDirectoryInfo(nil, class, sample)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(class), buf)
	}
	f.Add(uint8(InfoFileNames), []byte{0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, class uint8, buf []byte) {
		c := fsccDirClasses[int(class)%len(fsccDirClasses)]
		entries, err := ParseDirectoryInfo(c, buf)
		if err != nil {
			return
		}
		// Every entry needs at least its fixed part, so the count is bounded.
		l, _ := dirLayoutOf(c)
		if len(entries) > len(buf)/l.name {
			t.Fatalf("%d entries from %d bytes", len(entries), len(buf))
		}
		// Re-encoding what was decoded must decode to the same entries
		// (unpaired surrogates already became U+FFFD on the first decode).
		enc, err := AppendDirectoryInfo(nil, c, entries)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseDirectoryInfo(c, enc)
		if err != nil {
			t.Fatalf("re-encoded listing does not parse: %v", err)
		}
		if len(entries) > 0 && !reflect.DeepEqual(again, entries) {
			t.Fatalf("round trip\n got %+v\nwant %+v", again, entries)
		}
	})
}
