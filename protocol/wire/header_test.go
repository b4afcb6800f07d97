package wire

import (
	"bytes"
	"testing"
)

// Expected headers are written field by field from MS-SMB2 2.2.1.1 (sync)
// and 2.2.1.2 (async).
func TestHeaderEncode(t *testing.T) {
	sig := [16]byte(coreSeq(0x00, 16))
	tests := []struct {
		name string
		h    Header
		want string
	}{
		{
			name: "sync response",
			h: Header{
				CreditCharge: 1, Status: StatusMoreProcessingRequired, Command: CommandSessionSetup,
				Credits: 0x21, Flags: FlagServerToRedir | FlagSigned, NextCommand: 0x68,
				MessageID: 0x1122334455667788, AsyncID: 0xDEAD, TreeID: 0xAABBCCDD,
				SessionID: 0x0000100000000019, Signature: sig,
			},
			want: `
				FE 53 4D 42              // ProtocolId
				40 00                    // StructureSize 64
				01 00                    // CreditCharge
				16 00 00 C0              // Status STATUS_MORE_PROCESSING_REQUIRED
				01 00                    // Command SESSION_SETUP
				21 00                    // CreditResponse
				09 00 00 00              // Flags SERVER_TO_REDIR|SIGNED
				68 00 00 00              // NextCommand
				88 77 66 55 44 33 22 11  // MessageId
				00 00 00 00              // Reserved (AsyncID ignored in the sync form)
				DD CC BB AA              // TreeId
				19 00 00 00 00 10 00 00  // SessionId
				00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F // Signature
			`,
		},
		{
			name: "async interim response",
			h: Header{
				Status: StatusPending, Command: CommandChangeNotify, Credits: 1,
				Flags: FlagServerToRedir | FlagAsyncCommand, MessageID: 9,
				AsyncID: 0x0000000800000041, TreeID: 0xAABBCCDD, SessionID: 0x25,
			},
			want: `
				FE 53 4D 42              // ProtocolId
				40 00                    // StructureSize
				00 00                    // CreditCharge
				03 01 00 00              // Status STATUS_PENDING
				0F 00                    // Command CHANGE_NOTIFY
				01 00                    // CreditResponse
				03 00 00 00              // Flags SERVER_TO_REDIR|ASYNC_COMMAND
				00 00 00 00              // NextCommand
				09 00 00 00 00 00 00 00  // MessageId
				41 00 00 00 08 00 00 00  // AsyncId (TreeID not sent in the async form)
				25 00 00 00 00 00 00 00  // SessionId
				00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 // Signature
			`,
		},
		{
			name: "request with every high flag",
			h: Header{
				CreditCharge: 8, Command: CommandRead, Credits: 256,
				Flags:     FlagRelatedOperations | FlagDFSOperations | FlagReplayOperation | FlagPriorityMask,
				MessageID: 1 << 40, TreeID: 1,
			},
			want: `
				FE 53 4D 42  40 00  08 00  00 00 00 00
				08 00                    // Command READ
				00 01                    // CreditRequest 256
				74 00 00 30              // Flags RELATED|PRIORITY_MASK|DFS|REPLAY
				00 00 00 00
				00 00 00 00 00 01 00 00  // MessageId 1<<40
				00 00 00 00  01 00 00 00
				00 00 00 00 00 00 00 00
				00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := coreHex(t, tt.want)
			prefix := []byte{0xAA, 0xBB}
			got := tt.h.Encode(bytes.Clone(prefix))
			if !bytes.Equal(got[:2], prefix) {
				t.Fatal("Encode overwrote the bytes it appends to")
			}
			if got := got[2:]; !bytes.Equal(got, want) {
				t.Fatalf("Encode\ngot  % X\nwant % X", got, want)
			}
			if len(want) != HeaderSize {
				t.Fatalf("test header is %d bytes", len(want))
			}
		})
	}
}

func TestDecodeHeader(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want Header
	}{
		{
			name: "sync, Windows negotiate response",
			msg:  coreHex(t, winNegotiateResponseHex),
			want: Header{CreditCharge: 1, Command: CommandNegotiate, Credits: 1, Flags: FlagServerToRedir, MessageID: 1},
		},
		{
			name: "sync, Windows SMB 3.0 write request",
			msg:  coreHex(t, winWrite300RequestHex),
			want: Header{
				CreditCharge: 1, Command: CommandWrite, Credits: 64, Flags: FlagSigned,
				MessageID: 4, TreeID: 1, SessionID: 0x0008E40014000011,
			},
		},
		{
			name: "sync, Windows session setup response with an error status",
			msg:  coreHex(t, winSessionSetupResponseHex),
			want: Header{
				CreditCharge: 1, Status: StatusMoreProcessingRequired, Command: CommandSessionSetup,
				Credits: 1, Flags: FlagServerToRedir, MessageID: 2, SessionID: 0x0000100000000019,
			},
		},
		{
			name: "async",
			msg: coreHex(t, `
				FE534D42 4000 0000 03010000 0F00 0100 03000000 00000000
				0900000000000000 4100000008000000 2500000000000000
				A0A1A2A3A4A5A6A7A8A9AAABACADAEAF`),
			want: Header{
				Status: StatusPending, Command: CommandChangeNotify, Credits: 1,
				Flags: FlagServerToRedir | FlagAsyncCommand, MessageID: 9,
				AsyncID: 0x0000000800000041, SessionID: 0x25,
				Signature: [16]byte(coreSeq(0xA0, 16)),
			},
		},
		{
			name: "trailing body is ignored",
			msg:  append(coreHex(t, winWrite311ResponseHex), 0xFF),
			want: Header{
				CreditCharge: 1, Command: CommandWrite, Credits: 1, Flags: FlagServerToRedir,
				MessageID: 5, TreeID: 1, SessionID: 0x0000100000000025,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeHeader(tt.msg)
			if err != nil {
				t.Fatalf("DecodeHeader: %v", err)
			}
			if got != tt.want {
				t.Fatalf("DecodeHeader\ngot  %+v\nwant %+v", got, tt.want)
			}
			if got.IsAsync() != (tt.want.Flags&FlagAsyncCommand != 0) || got.IsResponse() != (tt.want.Flags&FlagServerToRedir != 0) {
				t.Fatalf("IsAsync/IsResponse disagree with Flags %#x", got.Flags)
			}
			// Re-encoding gives the header back, except the sync Reserved
			// field that Windows fills with its process id.
			again := got.Encode(nil)
			want := bytes.Clone(tt.msg[:HeaderSize])
			if !got.IsAsync() {
				copy(want[offAsyncID:offTreeID], []byte{0, 0, 0, 0})
			}
			if !bytes.Equal(again, want) {
				t.Fatalf("re-encode\ngot  % X\nwant % X", again, want)
			}
		})
	}
}

func TestDecodeHeaderMalformed(t *testing.T) {
	valid := coreHex(t, winWrite300ResponseHex)
	with := func(off int, b ...byte) []byte {
		m := bytes.Clone(valid)
		copy(m[off:], b)
		return m
	}
	tests := []struct {
		name string
		msg  []byte
	}{
		{"nil", nil},
		{"protocol id only", valid[:4]},
		{"one byte short", valid[:HeaderSize-1]},
		{"transform header", with(0, 0xFD)},
		{"compression header", with(0, 0xFC)},
		{"SMB1", with(0, 0xFF)},
		{"lower-case smb", with(1, 's', 'm', 'b')},
		{"StructureSize 0", with(4, 0, 0)},
		{"StructureSize 65", with(4, 65, 0)},
		{"StructureSize 64 big-endian", with(4, 0, 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeHeader(tt.msg)
			coreWantMalformed(t, err)
		})
	}
}

// The patch helpers rewrite single fields of an encoded message in place;
// each is checked against the field's offset in MS-SMB2 2.2.1.1 and
// against DecodeHeader.
func TestHeaderPatchHelpers(t *testing.T) {
	msg := append(coreRequestHeader(CommandRead), 0xEE, 0xEE)
	SetNextCommand(msg, 0x01020304)
	SetFlags(msg, FlagRelatedOperations|FlagSigned)
	SetMessageID(msg, 0x1112131415161718)
	SetCredits(msg, 0x2122, 0x3132)
	SetSessionID(msg, 0x4142434445464748)
	SetTreeID(msg, 0x51525354)
	copy(Signature(msg), coreSeq(0x60, 16))

	want := coreHex(t, `
		FE534D42 4000
		2221                     // CreditCharge
		00000000
		0800                     // Command READ, untouched
		3231                     // CreditRequest
		0C000000                 // Flags
		04030201                 // NextCommand
		1817161514131211         // MessageId
		00000000
		54535251                 // TreeId
		4847464544434241         // SessionId
		606162636465666768696A6B6C6D6E6F // Signature
		EEEE                     // body untouched
	`)
	if !bytes.Equal(msg, want) {
		t.Fatalf("patched message\ngot  % X\nwant % X", msg, want)
	}
	if f := Flags(msg); f != FlagRelatedOperations|FlagSigned {
		t.Fatalf("Flags = %#x", f)
	}
	h, err := DecodeHeader(msg)
	if err != nil {
		t.Fatal(err)
	}
	if h.NextCommand != 0x01020304 || h.MessageID != 0x1112131415161718 || h.CreditCharge != 0x2122 ||
		h.Credits != 0x3132 || h.SessionID != 0x4142434445464748 || h.TreeID != 0x51525354 ||
		h.Signature != [16]byte(coreSeq(0x60, 16)) {
		t.Fatalf("DecodeHeader after patching = %+v", h)
	}

	// Signature is a window onto msg, not a copy: a signer zeroes it in
	// place before computing the MAC.
	s := Signature(msg)
	if len(s) != 16 || !coreWithin(msg, s) {
		t.Fatal("Signature does not alias the message")
	}
	clear(s)
	if !bytes.Equal(msg[offSignature:offSignature+16], make([]byte, 16)) {
		t.Fatal("clearing the Signature slice did not clear the message field")
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		payload []byte
		want    ProtocolKind
	}{
		{nil, KindUnknown},
		{[]byte{0xFE, 'S', 'M'}, KindUnknown},
		{[]byte{0xFE, 'S', 'M', 'B'}, KindSMB2},
		{coreHex(t, winNegotiateResponseHex), KindSMB2},
		{[]byte{0xFD, 'S', 'M', 'B', 0}, KindTransform},
		{[]byte{0xFC, 'S', 'M', 'B'}, KindCompressed},
		{[]byte{0xFF, 'S', 'M', 'B', 0x72}, KindSMB1},
		{[]byte{0xFE, 's', 'm', 'b'}, KindUnknown},
		{[]byte{0x00, 'S', 'M', 'B'}, KindUnknown},
		{[]byte{0x85, 0, 0, 0}, KindUnknown}, // NetBIOS keep-alive
	}
	for _, tt := range tests {
		if got := KindOf(tt.payload); got != tt.want {
			t.Errorf("KindOf(% X) = %v, want %v", tt.payload, got, tt.want)
		}
	}
}
