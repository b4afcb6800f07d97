package wire

import (
	"bytes"
	"testing"
)

var fsccTestFileID = FileID{Persistent: 0x1122334455667788, Volatile: 0x99AABBCCDDEEFF00}

// fsccTestFileIDHex is fsccTestFileID in wire order.
const fsccTestFileIDHex = `
	8877665544332211 // FileId.Persistent
	00ffeeddccbbaa99 // FileId.Volatile
`

func TestQueryDirectoryRequestEncode(t *testing.T) {
	tests := []struct {
		name string
		req  QueryDirectoryRequest
		want string
	}{
		{
			name: "star pattern",
			req: QueryDirectoryRequest{
				FileInformationClass: InfoFileIDBothDirectory,
				Flags:                DirRestartScans,
				FileID:               fsccTestFileID,
				Pattern:              "*",
				OutputBufferLength:   65536,
			},
			want: `
				2100     // StructureSize 33
				25       // FileInformationClass 37
				01       // Flags SMB2_RESTART_SCANS
				00000000 // FileIndex
			` + fsccTestFileIDHex + `
				6000     // FileNameOffset 96
				0200     // FileNameLength
				00000100 // OutputBufferLength 65536
				2a00     // "*"
			`,
		},
		{
			name: "empty pattern keeps one buffer byte",
			req: QueryDirectoryRequest{
				FileInformationClass: InfoFileNames,
				Flags:                DirIndexSpecified | DirReturnSingleEntry,
				FileIndex:            0x01020304,
				FileID:               fsccTestFileID,
				OutputBufferLength:   1024,
			},
			want: `
				2100 0c 06 04030201
			` + fsccTestFileIDHex + `
				6000     // FileNameOffset
				0000     // FileNameLength 0
				00040000 // OutputBufferLength 1024
				00       // padding byte
			`,
		},
		{
			name: "non-BMP pattern uses a surrogate pair",
			req: QueryDirectoryRequest{
				FileInformationClass: InfoFileDirectory,
				Flags:                DirReopen,
				FileID:               fsccTestFileID,
				Pattern:              "a\U0001F600?",
				OutputBufferLength:   8,
			},
			want: `
				2100 01 10 00000000
			` + fsccTestFileIDHex + `
				6000 0800 08000000
				6100 3dd8 00de 3f00 // "a", U+1F600 as D83D DE00, "?"
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fsccEncodeBody(t, &tt.req)
			if want := fsccHex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("body\n got % x\nwant % x", got, want)
			}
			send, recv := tt.req.PayloadSizes()
			if want := len(EncodeUTF16(tt.req.Pattern)); send != want || recv != int(tt.req.OutputBufferLength) {
				t.Errorf("PayloadSizes = %d, %d; want %d, %d", send, recv, want, tt.req.OutputBufferLength)
			}
		})
	}
}

func TestQueryDirectoryResponseDecode(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []byte
		wantErr bool
	}{
		{
			name: "buffer after body",
			body: `0900 4800 04000000 61626364`,
			want: []byte("abcd"),
		},
		{
			name: "buffer after padding",
			body: `0900 5000 02000000 0000000000000000 7a7a`,
			want: []byte("zz"),
		},
		{
			name: "empty buffer with arbitrary offset",
			body: `0900 ffff 00000000 00`,
		},
		{name: "short body", body: `0900 4800 0400`, wantErr: true},
		{name: "wrong StructureSize", body: `0800 4800 04000000 61626364`, wantErr: true},
		{name: "buffer past end", body: `0900 4800 05000000 61626364`, wantErr: true},
		{name: "offset past end", body: `0900 ff00 01000000 61626364`, wantErr: true},
		{name: "huge length", body: `0900 4800 ffffffff 61626364`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r QueryDirectoryResponse
			err := r.Decode(fsccResponse(CommandQueryDirectory, fsccHex(t, tt.body)))
			if tt.wantErr {
				fsccWantMalformed(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.Buffer, tt.want) {
				t.Errorf("Buffer = %q, want %q", r.Buffer, tt.want)
			}
		})
	}
	t.Run("header only", func(t *testing.T) {
		var r QueryDirectoryResponse
		fsccWantMalformed(t, r.Decode(fsccHeader(CommandQueryDirectory, true)))
		fsccWantMalformed(t, r.Decode(nil))
	})
}

func FuzzQueryDirectoryResponse(f *testing.F) {
	f.Add(fsccResponse(CommandQueryDirectory, []byte{9, 0, 0x48, 0, 4, 0, 0, 0, 'a', 'b', 'c', 'd'}))
	f.Add(fsccResponse(CommandQueryDirectory, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0}))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r QueryDirectoryResponse
		if err := r.Decode(msg); err != nil {
			return
		}
		// The offset may point anywhere in the message, even into the
		// header, but never past its end.
		if len(r.Buffer) > len(msg) {
			t.Fatalf("Buffer of %d bytes from a %d-byte message", len(r.Buffer), len(msg))
		}
		// Whatever the class, walking the buffer must not panic.
		for _, class := range []InfoClass{InfoFileDirectory, InfoFileNames, InfoFileIDBothDirectory} {
			_ = WalkDirectoryInfo(class, r.Buffer, func(DirEntry) error { return nil })
		}
	})
}
