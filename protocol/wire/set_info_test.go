package wire

import (
	"bytes"
	"testing"
)

func TestSetInfoRequestEncode(t *testing.T) {
	tests := []struct {
		name string
		req  *SetInfoRequest
		want string
	}{
		{
			name: "end of file",
			req:  SetInfoFor(fsccTestFileID, &FileEndOfFileInformation{EndOfFile: 0x10000}),
			want: `
				2100     // StructureSize 33
				01       // InfoType SMB2_0_INFO_FILE
				14       // FileInfoClass 20 FileEndOfFileInformation
				08000000 // BufferLength
				6000     // BufferOffset 96
				0000     // Reserved
				00000000 // AdditionalInformation
			` + fsccTestFileIDHex + `
				0000010000000000 // EndOfFile 0x10000
			`,
		},
		{
			name: "rename",
			req:  SetInfoFor(fsccTestFileID, &FileRenameInformation{ReplaceIfExists: true, FileName: `d\n`}),
			want: `
				2100 01 0a 1a000000 6000 0000 00000000
			` + fsccTestFileIDHex + `
				01 00000000000000 // ReplaceIfExists, Reserved
				0000000000000000  // RootDirectory
				06000000          // FileNameLength
				6400 5c00 6e00    // "d\n", 26 bytes in all: no padding
			`,
		},
		{
			name: "security descriptor",
			req: &SetInfoRequest{
				InfoType:              InfoTypeSecurity,
				Buffer:                []byte{1, 0, 4, 0x80},
				AdditionalInformation: DACLSecurityInformation,
				FileID:                fsccTestFileID,
			},
			want: `2100 03 00 04000000 6000 0000 04000000` + fsccTestFileIDHex + `01000480`,
		},
		{
			name: "empty buffer keeps one byte",
			req:  &SetInfoRequest{InfoType: InfoTypeFile, FileInfoClass: InfoFileDisposition, FileID: fsccTestFileID},
			want: `2100 01 0d 00000000 6000 0000 00000000` + fsccTestFileIDHex + `00`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fsccEncodeBody(t, tt.req)
			if want := fsccHex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("body\n got % x\nwant % x", got, want)
			}
		})
	}
}

func TestSetInfoResponseDecode(t *testing.T) {
	var r SetInfoResponse
	if err := r.Decode(fsccResponse(CommandSetInfo, []byte{2, 0})); err != nil {
		t.Fatal(err)
	}
	fsccWantMalformed(t, r.Decode(fsccResponse(CommandSetInfo, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0})))
	fsccWantMalformed(t, r.Decode(fsccResponse(CommandSetInfo, []byte{2})))
	fsccWantMalformed(t, r.Decode(nil))
}

func FuzzSetInfoResponse(f *testing.F) {
	f.Add(fsccResponse(CommandSetInfo, []byte{2, 0}))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r SetInfoResponse
		err := r.Decode(msg)
		ok := len(msg) >= HeaderSize+2 && msg[HeaderSize] == 2 && msg[HeaderSize+1] == 0
		if (err == nil) != ok {
			t.Fatalf("Decode = %v for StructureSize bytes % x", err, msg[min(len(msg), HeaderSize):min(len(msg), HeaderSize+2)])
		}
	})
}
