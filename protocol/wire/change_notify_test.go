package wire

import (
	"bytes"
	"reflect"
	"testing"
)

func TestChangeNotifyRequestEncode(t *testing.T) {
	req := ChangeNotifyRequest{
		Flags:              NotifyWatchTree,
		OutputBufferLength: 4096,
		FileID:             fsccTestFileID,
		CompletionFilter:   NotifyChangeFileName | NotifyChangeDirName | NotifyChangeLastWrite,
	}
	want := fsccHex(t, `
		2000     // StructureSize 32
		0100     // Flags SMB2_WATCH_TREE
		00100000 // OutputBufferLength 4096
	`+fsccTestFileIDHex+`
		13000000 // CompletionFilter FILE_NAME|DIR_NAME|LAST_WRITE
		00000000 // Reserved
	`)
	if got := fsccEncodeBody(t, &req); !bytes.Equal(got, want) {
		t.Errorf("body\n got % x\nwant % x", got, want)
	}
}

func TestChangeNotifyResponseDecode(t *testing.T) {
	t.Run("with entries", func(t *testing.T) {
		var r ChangeNotifyResponse
		if err := r.Decode(fsccResponse(CommandChangeNotify, fsccHex(t, `0900 4800 03000000 010203`))); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(r.Buffer, []byte{1, 2, 3}) {
			t.Errorf("Buffer = % x", r.Buffer)
		}
	})
	t.Run("empty (STATUS_NOTIFY_ENUM_DIR)", func(t *testing.T) {
		var r ChangeNotifyResponse
		if err := r.Decode(fsccResponse(CommandChangeNotify, fsccHex(t, `0900 0000 00000000 00`))); err != nil {
			t.Fatal(err)
		}
		if r.Buffer != nil {
			t.Errorf("Buffer = % x, want none", r.Buffer)
		}
	})
	t.Run("buffer outside message", func(t *testing.T) {
		var r ChangeNotifyResponse
		fsccWantMalformed(t, r.Decode(fsccResponse(CommandChangeNotify, fsccHex(t, `0900 4800 04000000 010203`))))
	})
}

// fsccNotifyRenameHex is a rename reported as an old-name and a new-name
// entry (MS-FSCC 2.7.1), the first padded to a 4-byte boundary.
const fsccNotifyRenameHex = `
	10000000 // NextEntryOffset 16
	04000000 // Action FILE_ACTION_RENAMED_OLD_NAME
	02000000 // FileNameLength
	6100     // "a"
	0000     // padding to 4
	00000000 // NextEntryOffset: last
	05000000 // Action FILE_ACTION_RENAMED_NEW_NAME
	0a000000 // FileNameLength
	6400 5c00 6200 e900 3f26 // "d\bé☿"
`

func TestParseFileNotifyInformation(t *testing.T) {
	tests := []struct {
		name string
		dump string
		want []FileNotifyInformation
	}{
		{
			name: "rename pair",
			dump: fsccNotifyRenameHex,
			want: []FileNotifyInformation{
				{Action: FileActionRenamedOldName, FileName: "a"},
				{Action: FileActionRenamedNewName, FileName: "d\\b\u00e9\u263f"},
			},
		},
		{
			name: "single entry",
			dump: `00000000 01000000 04000000 7800 7900`,
			want: []FileNotifyInformation{{Action: FileActionAdded, FileName: "xy"}},
		},
		{name: "empty buffer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := fsccHex(t, tt.dump)
			got, err := ParseFileNotifyInformation(buf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entries\n got %+v\nwant %+v", got, tt.want)
			}
			if enc := AppendFileNotifyInformation(nil, tt.want); !bytes.Equal(enc, buf) {
				t.Errorf("AppendFileNotifyInformation\n got % x\nwant % x", enc, buf)
			}
		})
	}
}

func TestParseFileNotifyInformationMalformed(t *testing.T) {
	tests := []struct{ name, dump string }{
		{"truncated header", `00000000 01000000 0400`},
		{"name overruns", `00000000 01000000 08000000 7800 7900`},
		{"huge name length", `00000000 01000000 ffffffff 7800`},
		{"odd name length", `00000000 01000000 03000000 780079`},
		{"next inside entry", `0d000000 01000000 02000000 7800 0000 00000000 01000000 00000000`},
		{"next below entry size", `04000000 01000000 00000000 00000000 01000000 00000000`},
		{"next past end", `40000000 01000000 02000000 7800 0000`},
		{"next all ones", `ffffffff 01000000 02000000 7800 0000`},
		{"next leaves no room", `10000000 01000000 02000000 7800 0000 00000000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFileNotifyInformation(fsccHex(t, tt.dump))
			fsccWantMalformed(t, err)
			if got != nil {
				t.Errorf("entries = %v alongside an error", got)
			}
		})
	}
}

func FuzzParseFileNotifyInformation(f *testing.F) {
	f.Add(fsccHex(f, fsccNotifyRenameHex))
	f.Add(AppendFileNotifyInformation(nil, []FileNotifyInformation{
		{Action: FileActionAdded, FileName: "new\\file.txt"},
		{Action: FileActionModified, FileName: "\U0001F600"},
		{Action: FileActionRemoved, FileName: ""},
	}))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseFileNotifyInformation(b)
		if err != nil {
			return
		}
		if len(entries) > len(b)/fileNotifyFixedSize {
			t.Fatalf("%d entries from %d bytes", len(entries), len(b))
		}
		if len(entries) == 0 {
			return
		}
		again, err := ParseFileNotifyInformation(AppendFileNotifyInformation(nil, entries))
		if err != nil || !reflect.DeepEqual(again, entries) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, again, entries)
		}
	})
}

func FuzzChangeNotifyResponse(f *testing.F) {
	f.Add(fsccResponse(CommandChangeNotify, append([]byte{9, 0, 0x48, 0, 32, 0, 0, 0}, fsccHex(f, fsccNotifyRenameHex)...)))
	f.Add(fsccResponse(CommandChangeNotify, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0}))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r ChangeNotifyResponse
		if err := r.Decode(msg); err != nil {
			return
		}
		_, _ = ParseFileNotifyInformation(r.Buffer)
	})
}
