package wire

import (
	"bytes"
	"testing"
)

func TestQueryInfoRequestEncode(t *testing.T) {
	tests := []struct {
		name string
		req  *QueryInfoRequest
		want string
	}{
		{
			name: "file class without input",
			req:  QueryInfoFor(fsccTestFileID, &FileAllInformation{}, 4096),
			want: `
				2900     // StructureSize 41
				01       // InfoType SMB2_0_INFO_FILE
				12       // FileInfoClass 18 FileAllInformation
				00100000 // OutputBufferLength 4096
				6800     // InputBufferOffset 104
				0000     // Reserved
				00000000 // InputBufferLength
				00000000 // AdditionalInformation
				00000000 // Flags
			` + fsccTestFileIDHex + `
				00       // padding byte
			`,
		},
		{
			name: "file system class",
			req:  QueryInfoFor(fsccTestFileID, &FileFsFullSizeInformation{}, 32),
			want: `2900 02 07 20000000 6800 0000 00000000 00000000 00000000` + fsccTestFileIDHex + `00`,
		},
		{
			name: "security descriptor",
			req: &QueryInfoRequest{
				InfoType:              InfoTypeSecurity,
				OutputBufferLength:    65536,
				AdditionalInformation: OwnerSecurityInformation | GroupSecurityInformation | DACLSecurityInformation,
				FileID:                fsccTestFileID,
			},
			want: `2900 03 00 00000100 6800 0000 00000000 07000000 00000000` + fsccTestFileIDHex + `00`,
		},
		{
			name: "EA query with input and flags",
			req: &QueryInfoRequest{
				InfoType:           InfoTypeFile,
				FileInfoClass:      InfoFileFullEa,
				OutputBufferLength: 512,
				Input:              []byte{0xAA, 0xBB, 0xCC},
				Flags:              QueryInfoRestartScan | QueryInfoReturnSingleEntry,
				FileID:             fsccTestFileID,
			},
			want: `
				2900 01 0f 00020000
				6800 0000
				03000000 // InputBufferLength
				00000000
				03000000 // Flags SL_RESTART_SCAN|SL_RETURN_SINGLE_ENTRY
			` + fsccTestFileIDHex + `
				aabbcc   // Input
			`,
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

func TestQueryInfoResponseDecode(t *testing.T) {
	var r QueryInfoResponse
	msg := fsccResponse(CommandQueryInfo, fsccHex(t, `0900 4800 08000000 0102030405060708`))
	if err := r.Decode(msg); err != nil {
		t.Fatal(err)
	}
	var pos FilePositionInformation
	if err := pos.Decode(r.Buffer); err != nil {
		t.Fatal(err)
	}
	if pos.CurrentByteOffset != 0x0807060504030201 {
		t.Errorf("CurrentByteOffset = %#x", pos.CurrentByteOffset)
	}
	for _, bad := range []string{
		`0900 4800 09000000 0102030405060708`, // past end
		`0900 4800`,                           // truncated body
		`0200 0000`,                           // a SET_INFO response
	} {
		fsccWantMalformed(t, r.Decode(fsccResponse(CommandQueryInfo, fsccHex(t, bad))))
	}
}

func FuzzQueryInfoResponse(f *testing.F) {
	all := (&FileAllInformation{Name: FileNameInformation{FileName: `\dir\file.txt`}}).Encode(nil)
	f.Add(fsccResponse(CommandQueryInfo, append([]byte{9, 0, 0x48, 0, byte(len(all)), 0, 0, 0}, all...)))
	f.Add(fsccResponse(CommandQueryInfo, []byte{9, 0, 0x48, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r QueryInfoResponse
		if err := r.Decode(msg); err != nil {
			return
		}
		// The offset may point anywhere in the message, even into the
		// header, but never past its end.
		if len(r.Buffer) > len(msg) {
			t.Fatalf("Buffer of %d bytes from a %d-byte message", len(r.Buffer), len(msg))
		}
		for _, info := range fsccInfoBuffers() {
			_ = info.Decode(r.Buffer)
		}
	})
}
