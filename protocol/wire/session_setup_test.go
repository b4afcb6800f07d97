package wire

import (
	"bytes"
	"testing"
)

// Expected bodies follow MS-SMB2 2.2.5: the security buffer follows the
// 24-byte fixed part, at message offset 88.
func TestSessionSetupRequestEncode(t *testing.T) {
	tests := []struct {
		name string
		req  SessionSetupRequest
		want string
	}{
		{
			name: "first leg",
			req: SessionSetupRequest{
				SecurityMode:   SigningEnabled,
				Capabilities:   CapDFS,
				SecurityBuffer: []byte{0x60, 0x48, 0x06, 0x06, 0x2B},
			},
			want: `
				19 00                    // StructureSize 25
				00                       // Flags
				01                       // SecurityMode SIGNING_ENABLED (one byte here)
				01 00 00 00              // Capabilities DFS
				00 00 00 00              // Channel
				58 00                    // SecurityBufferOffset 88
				05 00                    // SecurityBufferLength
				00 00 00 00 00 00 00 00  // PreviousSessionId
				60 48 06 06 2B           // Buffer
			`,
		},
		{
			name: "binding with a previous session and only DFS of the capabilities",
			req: SessionSetupRequest{
				Flags:             SessionSetupFlagBinding,
				SecurityMode:      SigningEnabled | SigningRequired,
				Capabilities:      CapDFS | CapLeasing | CapLargeMTU | CapMultiChannel | CapEncryption,
				PreviousSessionID: 0x0000100000000019,
				SecurityBuffer:    coreSeq(0x01, 9),
			},
			want: `
				19 00
				01                       // Flags BINDING
				03                       // SecurityMode ENABLED|REQUIRED
				01 00 00 00              // Capabilities: MS-SMB2 2.2.5 defines only DFS
				00 00 00 00
				58 00  09 00
				19 00 00 00 00 10 00 00  // PreviousSessionId
				01 02 03 04 05 06 07 08 09
			`,
		},
		{
			name: "no capabilities",
			req:  SessionSetupRequest{SecurityBuffer: []byte{0xA1}},
			want: `19 00 00 00 00000000 00000000 5800 0100 0000000000000000 A1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Command() != CommandSessionSetup {
				t.Fatalf("Command = %v", tt.req.Command())
			}
			coreCheckBody(t, coreEncode(t, &tt.req), coreHex(t, tt.want))
		})
	}
}

// The first SESSION_SETUP request of the pre-authentication blog, rebuilt
// from its fields around the captured SPNEGO token.
func TestSessionSetupRequestMatchesWindows(t *testing.T) {
	want := coreHex(t, winSessionSetupRequestHex)
	h := Header{CreditCharge: 1, Command: CommandSessionSetup, Credits: 128, MessageID: 2}
	req := SessionSetupRequest{
		SecurityMode:   SigningEnabled,
		Capabilities:   CapDFS,
		SecurityBuffer: want[HeaderSize+24:],
	}
	got := coreAsWindows(req.Encode(h.Encode(nil)))
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n% X\nwant\n% X", got, want)
	}
}

func TestSessionSetupResponseDecode(t *testing.T) {
	tests := []struct {
		name      string
		msg       []byte
		flags     SessionFlags
		bufAt     int
		bufLen    int
		bufPrefix []byte
	}{
		{
			name:      "Windows challenge with STATUS_MORE_PROCESSING_REQUIRED",
			msg:       coreHex(t, winSessionSetupResponseHex),
			bufAt:     72,
			bufLen:    179,
			bufPrefix: []byte{0xA1, 0x81, 0xB0},
		},
		{
			name: "final leg, encrypted session",
			msg: coreResponse(CommandSessionSetup, coreHex(t, `
				09 00          // StructureSize 9
				04 00          // SessionFlags ENCRYPT_DATA
				48 00  03 00   // SecurityBufferOffset 72, Length 3
				A1 07 30       // Buffer
			`)),
			flags: SessionEncryptData, bufAt: 72, bufLen: 3, bufPrefix: []byte{0xA1, 0x07, 0x30},
		},
		{
			name: "guest, no token, server-chosen offset",
			msg: coreResponse(CommandSessionSetup, coreHex(t, `
				09 00  01 00  FF FF  00 00  00
			`)),
			flags: SessionIsGuest,
		},
		{
			name:  "anonymous, fixed part only",
			msg:   coreResponse(CommandSessionSetup, coreHex(t, `09 00  02 00  00 00  00 00`)),
			flags: SessionIsNull,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r SessionSetupResponse
			if err := r.Decode(tt.msg); err != nil {
				t.Fatal(err)
			}
			if r.SessionFlags != tt.flags {
				t.Errorf("SessionFlags = %#x, want %#x", r.SessionFlags, tt.flags)
			}
			if len(r.SecurityBuffer) != tt.bufLen {
				t.Fatalf("SecurityBuffer is %d bytes, want %d", len(r.SecurityBuffer), tt.bufLen)
			}
			if tt.bufLen == 0 {
				return
			}
			if !bytes.HasPrefix(r.SecurityBuffer, tt.bufPrefix) || !bytes.Equal(r.SecurityBuffer, tt.msg[tt.bufAt:tt.bufAt+tt.bufLen]) {
				t.Errorf("SecurityBuffer = % X", r.SecurityBuffer)
			}
			coreCheckAlias(t, "SecurityBuffer", tt.msg, r.SecurityBuffer)
		})
	}
}

func TestSessionSetupResponseMalformed(t *testing.T) {
	valid := coreHex(t, winSessionSetupResponseHex)
	patch16 := func(off int, v uint16) []byte {
		m := bytes.Clone(valid)
		le.PutUint16(m[HeaderSize+off:], v)
		return m
	}
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"header only", valid[:HeaderSize]},
		{"StructureSize only", valid[:HeaderSize+2]},
		{"fixed part one byte short", valid[:HeaderSize+7]},
		{"StructureSize 8", patch16(0, 8)},
		{"StructureSize 25 (a request)", patch16(0, 25)},
		{"token cut short", valid[:len(valid)-1]},
		{"token length beyond the message", patch16(6, 0xFFFF)},
		{"token offset beyond the message", patch16(4, uint16(len(valid)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r SessionSetupResponse
			coreWantMalformed(t, r.Decode(tt.msg))
		})
	}
}

// LOGOFF (2.2.7), ECHO (2.2.28), CANCEL (2.2.30) and TREE_DISCONNECT
// (2.2.11) requests are StructureSize 4 and two reserved bytes.
func TestEmptyRequestsEncode(t *testing.T) {
	tests := []struct {
		req Request
		cmd Command
	}{
		{&LogoffRequest{}, CommandLogoff},
		{&EchoRequest{}, CommandEcho},
		{&CancelRequest{}, CommandCancel},
		{&TreeDisconnectRequest{}, CommandTreeDisconnect},
	}
	for _, tt := range tests {
		t.Run(tt.cmd.String(), func(t *testing.T) {
			if tt.req.Command() != tt.cmd {
				t.Fatalf("Command = %v, want %v", tt.req.Command(), tt.cmd)
			}
			coreCheckBody(t, coreEncode(t, tt.req), []byte{0x04, 0x00, 0x00, 0x00})
		})
	}
}

// EmptyResponse checks the 4-byte bodies of LOGOFF, ECHO, TREE_DISCONNECT
// and FLUSH responses (MS-SMB2 2.2.8, 2.2.29, 2.2.12, 2.2.18).
func TestEmptyResponseDecode(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		ok   bool
	}{
		{"valid", []byte{4, 0, 0, 0}, true},
		{"reserved bytes set are ignored", []byte{4, 0, 0xFF, 0xFF}, true},
		{"reserved bytes missing", []byte{4, 0}, false},
		{"empty body", nil, false},
		{"one byte", []byte{4}, false},
		{"StructureSize 9 (an error response)", []byte{9, 0, 0, 0, 0, 0, 0, 0, 0}, false},
		{"StructureSize 0", []byte{0, 0, 0, 0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r EmptyResponse
			err := r.Decode(coreResponse(CommandEcho, tt.body))
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			coreWantMalformed(t, err)
		})
	}
	var r EmptyResponse
	coreWantMalformed(t, r.Decode([]byte{0xFE, 'S', 'M', 'B'}))
}
