package wire

import (
	"bytes"
	"testing"
)

// Expected bodies follow MS-SMB2 2.2.9: the path, UTF-16LE without a
// terminator, follows the 8-byte fixed part at message offset 72.
func TestTreeConnectRequestEncode(t *testing.T) {
	tests := []struct {
		name string
		req  TreeConnectRequest
		want string
	}{
		{
			name: "server and share",
			req:  TreeConnectRequest{Path: `\\fs1\share`},
			want: `
				09 00                    // StructureSize 9
				00 00                    // Flags
				48 00                    // PathOffset 72
				16 00                    // PathLength 22
				5C 00 5C 00 66 00 73 00 31 00 5C 00 73 00 68 00 61 00 72 00 65 00
			`,
		},
		{
			name: "cluster reconnect flag and a non-ASCII share",
			req:  TreeConnectRequest{Flags: 0x0001, Path: `\\h\données`},
			want: `
				09 00  01 00  48 00  16 00
				5C 00 5C 00 68 00 5C 00 64 00 6F 00 6E 00 6E 00 E9 00 65 00 73 00
			`,
		},
		{
			name: "empty path still sends one buffer byte",
			req:  TreeConnectRequest{},
			want: `09 00  00 00  48 00  00 00  00`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Command() != CommandTreeConnect {
				t.Fatalf("Command = %v", tt.req.Command())
			}
			coreCheckBody(t, coreEncode(t, &tt.req), coreHex(t, tt.want))
		})
	}
}

// Responses laid out from MS-SMB2 2.2.10.
func TestTreeConnectResponseDecode(t *testing.T) {
	tests := []struct {
		name string
		body string
		want TreeConnectResponse
	}{
		{
			name: "disk share",
			body: `
				10 00                    // StructureSize 16
				01                       // ShareType DISK
				00                       // Reserved
				30 88 00 00              // ShareFlags NO_CACHING|ACCESS_BASED_DIRECTORY_ENUM|ENCRYPT_DATA
				18 00 00 00              // Capabilities DFS|CONTINUOUS_AVAILABILITY
				FF 01 1F 00              // MaximalAccess
			`,
			want: TreeConnectResponse{
				ShareType:     ShareTypeDisk,
				ShareFlags:    0x30 | ShareFlagAccessBasedDirEnum | ShareFlagEncryptData,
				Capabilities:  ShareCapDFS | ShareCapContinuousAvailability,
				MaximalAccess: 0x001F01FF,
			},
		},
		{
			name: "IPC$",
			body: `10 00  02  00  00000000  00000000  9F 01 12 00`,
			want: TreeConnectResponse{ShareType: ShareTypePipe, MaximalAccess: 0x0012019F},
		},
		{
			name: "print share, reserved byte set, trailing bytes",
			body: `10 00  03  FF  01000000  80000000  00 00 00 80  EE EE`,
			want: TreeConnectResponse{
				ShareType: ShareTypePrint, ShareFlags: ShareFlagDFS,
				Capabilities: ShareCapAsymmetric, MaximalAccess: GenericRead,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := TreeConnectResponse{ShareFlags: 0xFFFFFFFF} // must be overwritten
			if err := r.Decode(coreResponse(CommandTreeConnect, coreHex(t, tt.body))); err != nil {
				t.Fatal(err)
			}
			if r != tt.want {
				t.Fatalf("decoded %+v, want %+v", r, tt.want)
			}
		})
	}
}

func TestTreeConnectResponseMalformed(t *testing.T) {
	valid := coreResponse(CommandTreeConnect, coreHex(t, `10 00 01 00 00000000 00000000 FF011F00`))
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"header only", valid[:HeaderSize]},
		{"one byte short", valid[:len(valid)-1]},
		{"StructureSize only", valid[:HeaderSize+2]},
		{"StructureSize 9 (an error response)", coreResponse(CommandTreeConnect, coreHex(t, `09 00 00 00 00000000 00`))},
		{"StructureSize 17", append(bytes.Clone(valid[:HeaderSize]), append([]byte{17, 0}, valid[HeaderSize+2:]...)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r TreeConnectResponse
			coreWantMalformed(t, r.Decode(tt.msg))
		})
	}
}
