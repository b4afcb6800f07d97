package wire

import (
	"bytes"
	"testing"
)

// Error responses laid out from MS-SMB2 2.2.2 and 2.2.2.1.
func TestErrorResponseDecode(t *testing.T) {
	tests := []struct {
		name     string
		status   Status
		body     string
		contexts uint8
		data     []byte
	}{
		{
			name:   "no error data",
			status: StatusAccessDenied,
			body: `
				09 00                    // StructureSize 9
				00                       // ErrorContextCount
				00                       // Reserved
				00 00 00 00              // ByteCount
				00                       // ErrorData: one byte though empty
			`,
		},
		{
			name:   "no error data and the byte left out",
			status: StatusObjectNameNotFound,
			body:   `09 00  00  00  00 00 00 00`,
		},
		{
			name:   "STATUS_BUFFER_TOO_SMALL with the size needed",
			status: StatusBufferTooSmall,
			body:   `09 00  00  00  04 00 00 00  00 10 00 00`,
			data:   []byte{0x00, 0x10, 0x00, 0x00},
		},
		{
			name:     "3.1.1 error context",
			status:   StatusBadNetworkName,
			contexts: 1,
			body: `
				09 00  01  00
				10 00 00 00              // ByteCount 16
				08 00 00 00              // ErrorDataLength
				00 00 00 00              // ErrorId SMB2_ERROR_ID_DEFAULT
				A0 A1 A2 A3 A4 A5 A6 A7  // ErrorContextData
			`,
			data: coreHex(t, "08000000 00000000 A0A1A2A3A4A5A6A7"),
		},
		{
			name:   "reserved byte set, trailing bytes after the data",
			status: StatusInvalidParameter,
			body:   `09 00  00  FF  01 00 00 00  5A  EE EE`,
			data:   []byte{0x5A},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := coreResponse(CommandCreate, coreHex(t, tt.body))
			le.PutUint32(msg[offStatus:], uint32(tt.status))
			if !IsErrorResponse(msg) {
				t.Fatal("IsErrorResponse = false")
			}
			r := ErrorResponse{ErrorContextCount: 9, ErrorData: []byte("stale")}
			if err := r.Decode(msg); err != nil {
				t.Fatal(err)
			}
			if r.ErrorContextCount != tt.contexts || !bytes.Equal(r.ErrorData, tt.data) {
				t.Fatalf("decoded count %d data % X; want %d, % X", r.ErrorContextCount, r.ErrorData, tt.contexts, tt.data)
			}
			if len(tt.data) == 0 && r.ErrorData != nil {
				t.Fatalf("ErrorData = %#v, want nil", r.ErrorData)
			}
			coreCheckAlias(t, "ErrorData", msg, r.ErrorData)
			if len(tt.data) > 0 && &r.ErrorData[0] != &msg[HeaderSize+8] {
				t.Fatal("ErrorData does not start at message offset 72")
			}
		})
	}
}

func TestErrorResponseMalformed(t *testing.T) {
	valid := coreResponse(CommandRead, coreHex(t, `09 00 00 00 04000000 00100000`))
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"header only", valid[:HeaderSize]},
		{"fixed part one byte short", valid[:HeaderSize+7]},
		{"error data cut short", valid[:len(valid)-1]},
		{"ByteCount 0xFFFFFFFF", coreResponse(CommandRead, coreHex(t, `09 00 00 00 FFFFFFFF 00`))},
		{"StructureSize 4", coreResponse(CommandRead, coreHex(t, `04 00 00 00 00000000 00`))},
		{"StructureSize 8", coreResponse(CommandRead, coreHex(t, `08 00 00 00 00000000 00`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r ErrorResponse
			coreWantMalformed(t, r.Decode(tt.msg))
		})
	}
}

func TestIsErrorResponse(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want bool
	}{
		{"error body", coreResponse(CommandRead, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0}), true},
		{"StructureSize alone", coreResponse(CommandRead, []byte{9, 0}), true},
		// SESSION_SETUP responses share StructureSize 9; callers look at
		// the status first.
		{"Windows session setup response", coreHex(t, winSessionSetupResponseHex), true},
		{"WRITE response", coreHex(t, winWrite300ResponseHex), false},
		{"one body byte", coreResponse(CommandRead, []byte{9}), false},
		{"header only", coreResponse(CommandRead, nil), false},
		{"nil", nil, false},
		{"big-endian 9", coreResponse(CommandRead, []byte{0, 9, 0, 0}), false},
	}
	for _, tt := range tests {
		if got := IsErrorResponse(tt.msg); got != tt.want {
			t.Errorf("%s: IsErrorResponse = %v, want %v", tt.name, got, tt.want)
		}
	}
}
