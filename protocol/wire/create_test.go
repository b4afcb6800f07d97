package wire

import (
	"bytes"
	"reflect"
	"testing"
)

// The 56-byte fixed part of a CREATE request (MS-SMB2 2.2.13) up to and
// excluding NameOffset, as the tests below set it: impersonation, no
// oplock, and the access/share/disposition/options each test states.
const coreCreateFixedOpenDirHex = `
	39 00                    // StructureSize 57
	00                       // SecurityFlags
	00                       // RequestedOplockLevel NONE
	02 00 00 00              // ImpersonationLevel Impersonation
	00 00 00 00 00 00 00 00  // SmbCreateFlags
	00 00 00 00 00 00 00 00  // Reserved
	80 00 10 00              // DesiredAccess READ_ATTRIBUTES|SYNCHRONIZE
	00 00 00 00              // FileAttributes
	07 00 00 00              // ShareAccess READ|WRITE|DELETE
	01 00 00 00              // CreateDisposition FILE_OPEN
	01 00 00 00              // CreateOptions DIRECTORY_FILE
`

// coreOpenDir is the CREATE request that coreCreateFixedOpenDirHex describes.
func coreOpenDir(name string, contexts ...CreateContext) CreateRequest {
	return CreateRequest{
		ImpersonationLevel: Impersonation,
		DesiredAccess:      FileReadAttributes | Synchronize,
		ShareAccess:        ShareAll,
		CreateDisposition:  FileOpen,
		CreateOptions:      FileDirectoryFile,
		Name:               name,
		Contexts:           contexts,
	}
}

// coreDH2QData is the data of an SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2
// (MS-SMB2 2.2.13.2.11): Timeout, Flags, Reserved, CreateGuid.
const coreDH2QDataHex = `
	60 EA 00 00              // Timeout 60000 ms
	02 00 00 00              // Flags PERSISTENT
	00 00 00 00 00 00 00 00  // Reserved
	80 81 82 83 84 85 86 87 88 89 8A 8B 8C 8D 8E 8F // CreateGuid
`

// coreAppInstanceIDName is the 16-byte name of SMB2_CREATE_APP_INSTANCE_ID
// (MS-SMB2 2.2.13.2.13), a create context whose name is not 4 bytes.
const coreAppInstanceIDNameHex = `45BCA66AEFA7F74A9008FA462E144D74`

// Expected requests follow MS-SMB2 2.2.13 and 2.2.13.2: the name follows
// the fixed part at offset 120; the first create context starts on the
// next 8-byte boundary counted from the header; inside a context the name
// sits at offset 16 and the data at the next 8-byte boundary; Next points
// at the following context's 8-byte aligned start and is 0 in the last.
func TestCreateRequestEncode(t *testing.T) {
	t.Run("file with a name, no contexts", func(t *testing.T) {
		req := CreateRequest{
			RequestedOplockLevel: OplockLevelII,
			ImpersonationLevel:   Impersonation,
			DesiredAccess:        GenericRead | GenericWrite,
			FileAttributes:       FileAttributeNormal,
			ShareAccess:          ShareRead,
			CreateDisposition:    FileOverwriteIf,
			CreateOptions:        FileNonDirectoryFile | FileRandomAccess,
			Name:                 `dir\file.txt`,
		}
		if req.Command() != CommandCreate {
			t.Fatalf("Command = %v", req.Command())
		}
		coreCheckBody(t, coreEncode(t, &req), coreHex(t, `
			39 00  00
			01                       // RequestedOplockLevel LEVEL_II
			02 00 00 00
			00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
			00 00 00 C0              // DesiredAccess GENERIC_READ|GENERIC_WRITE
			80 00 00 00              // FileAttributes NORMAL
			01 00 00 00              // ShareAccess READ
			05 00 00 00              // CreateDisposition FILE_OVERWRITE_IF
			40 08 00 00              // CreateOptions NON_DIRECTORY_FILE|RANDOM_ACCESS
			78 00                    // NameOffset 120
			18 00                    // NameLength 24
			00 00 00 00  00 00 00 00 // no create contexts
			64 00 69 00 72 00 5C 00 66 00 69 00 6C 00 65 00 2E 00 74 00 78 00 74 00
		`))
	})

	tests := []struct {
		name string
		req  CreateRequest
		want string // after the fixed part's first 48 bytes
	}{
		{
			name: "share root: empty name, one buffer byte",
			req:  coreOpenDir(""),
			want: `
				78 00  00 00             // NameOffset 120, NameLength 0
				00 00 00 00  00 00 00 00
				00                       // Buffer: never empty on the wire
			`,
		},
		{
			name: "empty name with a context",
			req:  coreOpenDir("", CreateContext{Name: []byte(ContextQueryOnDiskID)}),
			want: `
				78 00  00 00
				80 00 00 00              // CreateContextsOffset 128
				14 00 00 00              // CreateContextsLength 20
				00                       // the one name byte
				00 00 00 00 00 00 00     // Padding 121 -> 128
				// 128: QFid, no data, last
				00 00 00 00  10 00  04 00  00 00  00 00  00 00 00 00
				51 46 69 64
			`,
		},
		{
			name: "MxAc then DH2Q",
			req: coreOpenDir("a",
				CreateContext{Name: []byte(ContextMaximalAccess)},
				CreateContext{Name: []byte(ContextDurableV2), Data: coreHex(t, coreDH2QDataHex)},
			),
			want: `
				78 00  02 00
				80 00 00 00              // CreateContextsOffset 128
				50 00 00 00              // CreateContextsLength 80
				61 00                    // "a"
				00 00 00 00 00 00        // Padding 122 -> 128
				// 128: MxAc without a timestamp
				18 00 00 00              // Next 24
				10 00                    // NameOffset 16
				04 00                    // NameLength 4
				00 00                    // Reserved
				00 00                    // DataOffset: no data
				00 00 00 00              // DataLength 0
				4D 78 41 63              // "MxAc"
				00 00 00 00              // Padding to the next context
				// 152: DH2Q, last
				00 00 00 00              // Next 0
				10 00  04 00  00 00
				18 00                    // DataOffset 24
				20 00 00 00              // DataLength 32
				44 48 32 51              // "DH2Q"
				00 00 00 00              // Padding to the data
				` + coreDH2QDataHex,
		},
		{
			name: "name ending on a boundary, MxAc with a timestamp",
			req: coreOpenDir("abcd",
				CreateContext{Name: []byte(ContextMaximalAccess), Data: coreHex(t, "00803ED5DEB19D01")},
			),
			want: `
				78 00  08 00
				80 00 00 00              // CreateContextsOffset 128: no padding needed
				20 00 00 00              // CreateContextsLength 32
				61 00 62 00 63 00 64 00
				00 00 00 00  10 00  04 00  00 00  18 00  08 00 00 00
				4D 78 41 63  00 00 00 00
				00 80 3E D5 DE B1 9D 01  // Timestamp
			`,
		},
		{
			name: "context with a 16-byte name and unaligned data length",
			req: coreOpenDir("x",
				CreateContext{Name: coreHex(t, coreAppInstanceIDNameHex), Data: coreHex(t, "1400 0000 A0A1A2A3A4A5A6A7A8A9AAABACADAEAF")},
				CreateContext{Name: []byte(ContextMaximalAccess)},
			),
			want: `
				78 00  02 00
				80 00 00 00
				4C 00 00 00              // CreateContextsLength 76
				78 00  00 00 00 00 00 00
				// 128: SMB2_CREATE_APP_INSTANCE_ID
				38 00 00 00              // Next 56
				10 00                    // NameOffset 16
				10 00                    // NameLength 16
				00 00
				20 00                    // DataOffset 32
				14 00 00 00              // DataLength 20
				` + coreAppInstanceIDNameHex + `
				14 00  00 00             // StructureSize 20, Reserved
				A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF // AppInstanceId
				00 00 00 00              // Padding 52 -> 56
				// 184: MxAc, last
				00 00 00 00  10 00  04 00  00 00  00 00  00 00 00 00
				4D 78 41 63
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := append(coreHex(t, coreCreateFixedOpenDirHex), coreHex(t, tt.want)...)
			msg := coreEncode(t, &tt.req)
			coreCheckBody(t, msg, want)
			// Both offsets are 8-byte aligned from the header whenever
			// contexts are present (MS-SMB2 2.2.13).
			if off := le.Uint32(msg[HeaderSize+48:]); len(tt.req.Contexts) > 0 && off%8 != 0 {
				t.Fatalf("CreateContextsOffset %d not 8-byte aligned", off)
			}
		})
	}
}

// coreCreateResponseContextsHex is a response context chain laid out from
// MS-SMB2 2.2.13.2, 2.2.14.2.5 (MxAc: QueryStatus, MaximalAccess) and
// 2.2.14.2.9 (QFid: DiskFileId, VolumeId, Reserved).
const coreCreateResponseContextsHex = `
	// 0: MxAc
	20 00 00 00  10 00  04 00  00 00  18 00  08 00 00 00
	4D 78 41 63  00 00 00 00
	00 00 00 00              // QueryStatus STATUS_SUCCESS
	FF 01 1F 00              // MaximalAccess
	// 32: QFid, last
	00 00 00 00  10 00  04 00  00 00  18 00  20 00 00 00
	51 46 69 64  00 00 00 00
	9E 3B 06 00 00 00 00 00  // DiskFileId
	00 FC 00 00 00 00 00 00  // VolumeId
	00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00 // Reserved
`

func TestDecodeCreateContexts(t *testing.T) {
	buf := coreHex(t, coreCreateResponseContextsHex)
	got, err := DecodeCreateContexts(buf)
	if err != nil {
		t.Fatal(err)
	}
	want := []CreateContext{
		{Name: []byte("MxAc"), Data: coreHex(t, "00000000 FF011F00")},
		{Name: []byte("QFid"), Data: buf[56:88]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %q, want %q", got, want)
	}
	for _, c := range got {
		coreCheckAlias(t, "name", buf, c.Name)
		coreCheckAlias(t, "data", buf, c.Data)
	}

	if got, err := DecodeCreateContexts(nil); err != nil || got != nil {
		t.Fatalf("DecodeCreateContexts(nil) = %v, %v", got, err)
	}

	// What the request encoder chains decodes back to what it was given.
	in := []CreateContext{
		{Name: []byte(ContextMaximalAccess)},
		{Name: coreHex(t, coreAppInstanceIDNameHex), Data: coreSeq(1, 20)},
		{Name: []byte(ContextDurableV2), Data: coreHex(t, coreDH2QDataHex)},
		{Name: []byte("X"), Data: []byte{1}},
	}
	out, err := DecodeCreateContexts(appendCreateContexts(nil, in))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if i >= len(out) || !bytes.Equal(out[i].Name, in[i].Name) || !bytes.Equal(out[i].Data, in[i].Data) {
			t.Fatalf("round trip: got %q, want %q", out, in)
		}
	}
	if len(out) != len(in) {
		t.Fatalf("round trip: %d contexts, want %d", len(out), len(in))
	}
}

func TestDecodeCreateContextsMalformed(t *testing.T) {
	valid := coreHex(t, coreCreateResponseContextsHex)
	patch := func(off int, b ...byte) []byte {
		m := bytes.Clone(valid)
		copy(m[off:], b)
		return m
	}
	tests := []struct {
		name string
		buf  []byte
	}{
		{"one byte", valid[:1]},
		{"15 bytes", valid[:15]},
		{"first context cut in its data", valid[:30]},
		{"second context header cut", valid[:32+15]},
		{"second context cut in its data", valid[:len(valid)-1]},
		{"Next 8, inside the header", patch(0, 8)},
		{"Next 1", patch(0, 1)},
		// With no name and no data nothing else catches a Next that lands
		// inside the 16-byte header it belongs to.
		{"Next 8 in an empty context", coreHex(t, "08000000 1000 0000 0000 0000 00000000 00000000 00000000")},
		{"Next beyond the buffer", patch(0, 0xFF)},
		{"Next 0xFFFFFFFF", patch(0, 0xFF, 0xFF, 0xFF, 0xFF)},
		{"Next pointing exactly at the end", valid[:32]},
		{"name beyond its context", patch(4, 30)},
		{"name offset 0xFFFF", patch(4, 0xFF, 0xFF)},
		{"name length beyond its context", patch(6, 17)},
		{"data beyond its context", patch(12, 9)},
		{"data length 0xFFFFFFFF", patch(12, 0xFF, 0xFF, 0xFF, 0xFF)},
		{"data offset 0xFFFF", patch(10, 0xFF, 0xFF)},
		{"last context data beyond the buffer", patch(32+12, 0x21)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCreateContexts(tt.buf)
			coreWantMalformed(t, err)
		})
	}
}

// coreCreateResponseHex is a CREATE response body laid out from MS-SMB2
// 2.2.14 with the contexts of coreCreateResponseContextsHex at offset 152.
const coreCreateResponseHex = `
	59 00                    // StructureSize 89
	01                       // OplockLevel LEVEL_II
	00                       // Flags
	01 00 00 00              // CreateAction FILE_OPENED
	00 80 3E D5 DE B1 9D 01  // CreationTime
	01 80 3E D5 DE B1 9D 01  // LastAccessTime
	02 80 3E D5 DE B1 9D 01  // LastWriteTime
	03 80 3E D5 DE B1 9D 01  // ChangeTime
	00 10 00 00 00 00 00 00  // AllocationSize 4096
	0D 00 00 00 00 00 00 00  // EndofFile 13
	20 00 00 00              // FileAttributes ARCHIVE
	00 00 00 00              // Reserved2
	15 01 00 00 39 00 00 02  // FileId.Persistent
	01 00 00 00 39 02 00 00  // FileId.Volatile
	98 00 00 00              // CreateContextsOffset 152
	58 00 00 00              // CreateContextsLength 88
` + coreCreateResponseContextsHex

func TestCreateResponseDecode(t *testing.T) {
	wantFixed := CreateResponse{
		OplockLevel:    OplockLevelII,
		CreateAction:   FileOpened,
		CreationTime:   0x019DB1DED53E8000,
		LastAccessTime: 0x019DB1DED53E8001,
		LastWriteTime:  0x019DB1DED53E8002,
		ChangeTime:     0x019DB1DED53E8003,
		AllocationSize: 4096,
		EndOfFile:      13,
		FileAttributes: FileAttributeArchive,
		FileID:         FileID{Persistent: 0x0200003900000115, Volatile: 0x0000023900000001},
	}

	t.Run("with contexts", func(t *testing.T) {
		msg := coreResponse(CommandCreate, coreHex(t, coreCreateResponseHex))
		var r CreateResponse
		if err := r.Decode(msg); err != nil {
			t.Fatal(err)
		}
		fixed := r
		fixed.Contexts = nil
		if !reflect.DeepEqual(fixed, wantFixed) {
			t.Fatalf("fixed fields\ngot  %+v\nwant %+v", fixed, wantFixed)
		}
		if len(r.Contexts) != 2 {
			t.Fatalf("%d contexts, want 2", len(r.Contexts))
		}
		mxac, ok := r.Context(ContextMaximalAccess)
		if !ok || !bytes.Equal(mxac, coreHex(t, "00000000 FF011F00")) {
			t.Fatalf("Context(MxAc) = % X, %v", mxac, ok)
		}
		qfid, ok := r.Context(ContextQueryOnDiskID)
		if !ok || len(qfid) != 32 || qfid[0] != 0x9E {
			t.Fatalf("Context(QFid) = % X, %v", qfid, ok)
		}
		if d, ok := r.Context(ContextLease); ok || d != nil {
			t.Fatalf("Context(RqLs) = % X, %v for an absent context", d, ok)
		}
		for _, c := range r.Contexts {
			coreCheckAlias(t, "context name", msg, c.Name)
			coreCheckAlias(t, "context data", msg, c.Data)
		}
	})

	t.Run("without contexts, fixed part only", func(t *testing.T) {
		body := coreHex(t, coreCreateResponseHex)[:88]
		le.PutUint64(body[80:], 0) // CreateContextsOffset and Length
		r := CreateResponse{Contexts: []CreateContext{{}}}
		if err := r.Decode(coreResponse(CommandCreate, body)); err != nil {
			t.Fatal(err)
		}
		if r.Contexts != nil {
			t.Fatalf("Contexts = %v, want none", r.Contexts)
		}
		r.Contexts = nil
		if !reflect.DeepEqual(r, wantFixed) {
			t.Fatalf("fixed fields\ngot  %+v\nwant %+v", r, wantFixed)
		}
	})

	t.Run("empty context list at an arbitrary offset", func(t *testing.T) {
		body := coreHex(t, coreCreateResponseHex)[:89]
		le.PutUint32(body[80:], 0xFFFFFFFF)
		le.PutUint32(body[84:], 0)
		var r CreateResponse
		if err := r.Decode(coreResponse(CommandCreate, body)); err != nil || r.Contexts != nil {
			t.Fatalf("Decode = %v, contexts %v", err, r.Contexts)
		}
	})
}

func TestCreateResponseMalformed(t *testing.T) {
	valid := coreResponse(CommandCreate, coreHex(t, coreCreateResponseHex))
	patch16 := func(off int, v uint16) []byte {
		m := bytes.Clone(valid)
		le.PutUint16(m[HeaderSize+off:], v)
		return m
	}
	patch32 := func(off int, v uint32) []byte {
		m := bytes.Clone(valid)
		le.PutUint32(m[HeaderSize+off:], v)
		return m
	}
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"header only", valid[:HeaderSize]},
		{"fixed part one byte short", valid[:HeaderSize+87]},
		{"StructureSize 88", patch16(0, 88)},
		{"StructureSize of the request", patch16(0, 57)},
		{"contexts cut short", valid[:len(valid)-1]},
		{"contexts offset beyond the message", patch32(80, 0xFFFFFF00)},
		{"contexts length beyond the message", patch32(84, 89)},
		{"contexts offset + length overflow 32 bits", patch32(80, 0xFFFFFFF8)},
		{"bad Next inside the list", patch32(88, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r CreateResponse
			coreWantMalformed(t, r.Decode(tt.msg))
		})
	}
}

// CLOSE (MS-SMB2 2.2.15) and FLUSH (2.2.17) requests: StructureSize 24,
// flags or reserved, 4 reserved bytes, the FileId.
func TestCloseFlushRequestEncode(t *testing.T) {
	id := FileID{Persistent: 0x0200003900000115, Volatile: 0x0000023900000001}
	tests := []struct {
		name string
		req  Request
		cmd  Command
		want string
	}{
		{"close asking for attributes", &CloseRequest{Flags: CloseFlagPostQueryAttrib, FileID: id}, CommandClose, `
			18 00                    // StructureSize 24
			01 00                    // Flags POSTQUERY_ATTRIB
			00 00 00 00              // Reserved
			15 01 00 00 39 00 00 02  01 00 00 00 39 02 00 00 // FileId
		`},
		{"close of the chain's handle", &CloseRequest{FileID: RelatedFileID}, CommandClose, `
			18 00  00 00  00 00 00 00
			FF FF FF FF FF FF FF FF  FF FF FF FF FF FF FF FF
		`},
		{"flush", &FlushRequest{FileID: id}, CommandFlush, `
			18 00                    // StructureSize 24
			00 00                    // Reserved1
			00 00 00 00              // Reserved2
			15 01 00 00 39 00 00 02  01 00 00 00 39 02 00 00
		`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Command() != tt.cmd {
				t.Fatalf("Command = %v, want %v", tt.req.Command(), tt.cmd)
			}
			coreCheckBody(t, coreEncode(t, tt.req), coreHex(t, tt.want))
		})
	}
}

// coreCloseResponseHex is a CLOSE response with attributes (MS-SMB2 2.2.16).
const coreCloseResponseHex = `
	3C 00                    // StructureSize 60
	01 00                    // Flags POSTQUERY_ATTRIB
	00 00 00 00              // Reserved
	00 80 3E D5 DE B1 9D 01  // CreationTime
	01 80 3E D5 DE B1 9D 01  // LastAccessTime
	02 80 3E D5 DE B1 9D 01  // LastWriteTime
	03 80 3E D5 DE B1 9D 01  // ChangeTime
	00 20 00 00 00 00 00 00  // AllocationSize 8192
	01 10 00 00 00 00 00 00  // EndofFile 4097
	10 00 00 00              // FileAttributes DIRECTORY
`

func TestCloseResponseDecode(t *testing.T) {
	var r CloseResponse
	if err := r.Decode(coreResponse(CommandClose, coreHex(t, coreCloseResponseHex))); err != nil {
		t.Fatal(err)
	}
	want := CloseResponse{
		Flags:          CloseFlagPostQueryAttrib,
		CreationTime:   0x019DB1DED53E8000,
		LastAccessTime: 0x019DB1DED53E8001,
		LastWriteTime:  0x019DB1DED53E8002,
		ChangeTime:     0x019DB1DED53E8003,
		AllocationSize: 8192,
		EndOfFile:      4097,
		FileAttributes: FileAttributeDirectory,
	}
	if r != want {
		t.Fatalf("decoded\ngot  %+v\nwant %+v", r, want)
	}

	zero := make([]byte, 60)
	zero[0] = 60
	r = CloseResponse{EndOfFile: 1}
	if err := r.Decode(coreResponse(CommandClose, zero)); err != nil || r != (CloseResponse{}) {
		t.Fatalf("attribute-less CLOSE decoded to %+v, %v", r, err)
	}
}

func TestCloseResponseMalformed(t *testing.T) {
	valid := coreResponse(CommandClose, coreHex(t, coreCloseResponseHex))
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"header only", valid[:HeaderSize]},
		{"one byte short", valid[:len(valid)-1]},
		{"StructureSize 24 (the request)", append(bytes.Clone(valid[:HeaderSize]), append([]byte{24, 0}, valid[HeaderSize+2:]...)...)},
		{"error response body", coreResponse(CommandClose, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r CloseResponse
			coreWantMalformed(t, r.Decode(tt.msg))
		})
	}
}

func TestFileID(t *testing.T) {
	if !(FileID{}).IsZero() {
		t.Error("zero FileID is not IsZero")
	}
	for _, id := range []FileID{{Persistent: 1}, {Volatile: 1}, RelatedFileID} {
		if id.IsZero() {
			t.Errorf("%+v IsZero", id)
		}
	}
	b := appendFileID([]byte{0xAA}, FileID{Persistent: 0x0102030405060708, Volatile: 0x1112131415161718})
	want := coreHex(t, "AA 0807060504030201 1817161514131211")
	if !bytes.Equal(b, want) {
		t.Fatalf("appendFileID = % X, want % X", b, want)
	}
	if id := decodeFileID(b[1:]); id != (FileID{Persistent: 0x0102030405060708, Volatile: 0x1112131415161718}) {
		t.Fatalf("decodeFileID = %+v", id)
	}
}
