package wire

import (
	"bytes"
	"reflect"
	"testing"
)

// Expected NEGOTIATE requests follow MS-SMB2 2.2.3 and 2.2.3.1: the context
// list starts at the first 8-byte boundary after the dialects, counted from
// the header, and every later context starts on an 8-byte boundary too,
// with no padding after the last one.
func TestNegotiateRequestEncode(t *testing.T) {
	guid := [16]byte(coreSeq(0x10, 16))
	tests := []struct {
		name string
		req  NegotiateRequest
		want string
	}{
		{
			name: "SMB 2 dialects only: contexts are not sent",
			req: NegotiateRequest{
				Dialects:     []Dialect{Dialect202, Dialect210},
				SecurityMode: SigningEnabled,
				Capabilities: CapDFS | CapLargeMTU,
				ClientGUID:   guid,
				Contexts:     []NegotiateContext{PreauthIntegrityContext([]uint16{HashSHA512}, coreSeq(0xA0, 32))},
			},
			want: `
				24 00                    // StructureSize 36
				02 00                    // DialectCount
				01 00                    // SecurityMode SIGNING_ENABLED
				00 00                    // Reserved
				05 00 00 00              // Capabilities DFS|LARGE_MTU
				10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F // ClientGuid
				00 00 00 00 00 00 00 00  // ClientStartTime
				02 02 10 02              // Dialects 2.0.2, 2.1
			`,
		},
		{
			name: "3.1.1 with padding before and between contexts",
			req: NegotiateRequest{
				Dialects:     []Dialect{Dialect300, Dialect302, Dialect311},
				SecurityMode: SigningEnabled | SigningRequired,
				Capabilities: CapDFS | CapLeasing | CapLargeMTU | CapMultiChannel | CapPersistentHandles | CapDirectoryLeasing | CapEncryption,
				ClientGUID:   guid,
				Contexts: []NegotiateContext{
					PreauthIntegrityContext([]uint16{HashSHA512}, coreSeq(0xA0, 32)),
					EncryptionContext([]uint16{CipherAES128GCM, CipherAES128CCM, CipherAES256GCM}),
					SigningContext([]uint16{SigningAESGMAC, SigningAESCMAC}),
					NetnameContext("fs1"),
				},
			},
			want: `
				24 00  03 00  03 00  00 00
				7F 00 00 00              // Capabilities
				10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F
				70 00 00 00              // NegotiateContextOffset 112
				04 00                    // NegotiateContextCount
				00 00                    // Reserved2
				00 03 02 03 11 03        // Dialects, ending at message offset 106
				00 00 00 00 00 00        // Padding to 112
				// 112: SMB2_PREAUTH_INTEGRITY_CAPABILITIES
				01 00  26 00  00 00 00 00
				01 00                    // HashAlgorithmCount
				20 00                    // SaltLength
				01 00                    // SHA-512
				A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF
				B0 B1 B2 B3 B4 B5 B6 B7 B8 B9 BA BB BC BD BE BF
				00 00                    // Padding 158 -> 160
				// 160: SMB2_ENCRYPTION_CAPABILITIES
				02 00  08 00  00 00 00 00
				03 00  02 00  01 00  04 00
				// 176: SMB2_SIGNING_CAPABILITIES, already aligned
				08 00  06 00  00 00 00 00
				02 00  02 00  01 00
				00 00                    // Padding 190 -> 192
				// 192: SMB2_NETNAME_NEGOTIATE_CONTEXT_ID, last: no padding after
				05 00  06 00  00 00 00 00
				66 00 73 00 31 00        // "fs1"
			`,
		},
		{
			name: "3.1.1 with the dialects ending on a boundary",
			req: NegotiateRequest{
				Dialects:     []Dialect{Dialect302, Dialect311},
				SecurityMode: SigningEnabled,
				ClientGUID:   guid,
				Contexts:     []NegotiateContext{CompressionContext([]uint16{CompressionLZ77, CompressionPatternV1}, CompressionFlagChained)},
			},
			want: `
				24 00  02 00  01 00  00 00
				00 00 00 00
				10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F
				68 00 00 00              // NegotiateContextOffset 104: no padding needed
				01 00  00 00
				02 03 11 03
				// 104: SMB2_COMPRESSION_CAPABILITIES
				03 00  0C 00  00 00 00 00
				02 00                    // CompressionAlgorithmCount
				00 00                    // Padding
				01 00 00 00              // Flags CHAINED
				02 00  04 00             // LZ77, Pattern_V1
			`,
		},
		{
			name: "3.1.1 without contexts",
			req: NegotiateRequest{
				Dialects:   []Dialect{Dialect311},
				ClientGUID: guid,
			},
			want: `
				24 00  01 00  00 00  00 00  00 00 00 00
				10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F
				00 00 00 00  00 00  00 00
				11 03
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Command() != CommandNegotiate {
				t.Fatalf("Command = %v", tt.req.Command())
			}
			msg := coreEncode(t, &tt.req)
			coreCheckBody(t, msg, coreHex(t, tt.want))
		})
	}
}

// The Windows 10 NEGOTIATE request of the pre-authentication blog, rebuilt
// from its field values, must come out byte for byte.
func TestNegotiateRequestMatchesWindows(t *testing.T) {
	want := coreHex(t, winNegotiateRequestHex)
	h := Header{CreditCharge: 1, Command: CommandNegotiate, Credits: 128, MessageID: 1}
	req := NegotiateRequest{
		Dialects:     []Dialect{Dialect202, Dialect210, Dialect300, Dialect302, Dialect311},
		Capabilities: 0x3F,
		ClientGUID:   [16]byte(coreHex(t, "ECD86F32 6276024F 9F7752B8 9BB33F3A")),
		Contexts: []NegotiateContext{
			PreauthIntegrityContext([]uint16{HashSHA512},
				coreHex(t, "FA49E6578F1F3A9F4CD3E9CC14A67AA884B3D05844E0E5A118225C15887F32FF")),
			EncryptionContext([]uint16{CipherAES128GCM, CipherAES128CCM}),
		},
	}
	got := coreAsWindows(req.Encode(h.Encode(nil)))
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n% X\nwant\n% X", got, want)
	}
}

func TestNegotiateContextBuilders(t *testing.T) {
	tests := []struct {
		name string
		ctx  NegotiateContext
		typ  NegotiateContextType
		data string
	}{
		{"preauth", PreauthIntegrityContext([]uint16{HashSHA512}, []byte{0xAA, 0xBB, 0xCC}), ContextPreauthIntegrity,
			"0100 0300 0100 AABBCC"},
		{"preauth without salt", PreauthIntegrityContext([]uint16{HashSHA512, 0x7777}, nil), ContextPreauthIntegrity,
			"0200 0000 0100 7777"},
		{"encryption", EncryptionContext([]uint16{CipherAES256GCM, CipherAES256CCM}), ContextEncryption,
			"0200 0400 0300"},
		{"signing", SigningContext([]uint16{SigningAESGMAC, SigningAESCMAC, SigningHMACSHA256}), ContextSigning,
			"0300 0200 0100 0000"},
		{"compression", CompressionContext([]uint16{CompressionLZ4}, 0), ContextCompression,
			"0100 0000 00000000 0500"},
		{"compression chained", CompressionContext([]uint16{CompressionLZNT1, CompressionLZ77, CompressionLZ77Huf}, CompressionFlagChained), ContextCompression,
			"0300 0000 01000000 0100 0200 0300"},
		{"netname", NetnameContext(`srv.example`), ContextNetname,
			"7300 7200 7600 2E00 6500 7800 6100 6D00 7000 6C00 6500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ctx.Type != tt.typ {
				t.Fatalf("Type = %#x, want %#x", tt.ctx.Type, tt.typ)
			}
			if want := coreHex(t, tt.data); !bytes.Equal(tt.ctx.Data, want) {
				t.Fatalf("Data = % X, want % X", tt.ctx.Data, want)
			}
		})
	}

	// Parsing what the builders made gives their inputs back.
	hashes, salt, err := ParsePreauthIntegrity(PreauthIntegrityContext([]uint16{1, 2}, []byte("salt")).Data)
	if err != nil || !reflect.DeepEqual(hashes, []uint16{1, 2}) || string(salt) != "salt" {
		t.Errorf("ParsePreauthIntegrity round trip = %v, %q, %v", hashes, salt, err)
	}
	ciphers, err := ParseEncryption(EncryptionContext([]uint16{4, 2}).Data)
	if err != nil || !reflect.DeepEqual(ciphers, []uint16{4, 2}) {
		t.Errorf("ParseEncryption round trip = %v, %v", ciphers, err)
	}
	algs, err := ParseSigning(SigningContext([]uint16{2, 1, 0}).Data)
	if err != nil || !reflect.DeepEqual(algs, []uint16{2, 1, 0}) {
		t.Errorf("ParseSigning round trip = %v, %v", algs, err)
	}
	comp, flags, err := ParseCompression(CompressionContext([]uint16{5, 4}, CompressionFlagChained).Data)
	if err != nil || !reflect.DeepEqual(comp, []uint16{5, 4}) || flags != CompressionFlagChained {
		t.Errorf("ParseCompression round trip = %v, %#x, %v", comp, flags, err)
	}
	none, err := ParseEncryption([]byte{0, 0})
	if err != nil || len(none) != 0 {
		t.Errorf("ParseEncryption(no ciphers) = %v, %v", none, err)
	}
}

func TestParseNegotiateContextMalformed(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) error
		data  string
	}{
		{"preauth empty", parsePreauthErr, ""},
		{"preauth 3 bytes", parsePreauthErr, "010020"},
		{"preauth count beyond data", parsePreauthErr, "0200 0000 0100"},
		{"preauth salt beyond data", parsePreauthErr, "0100 2000 0100 AABB"},
		{"preauth huge counts", parsePreauthErr, "FFFF FFFF 0100"},
		{"encryption empty", parseEncryptionErr, ""},
		{"encryption 1 byte", parseEncryptionErr, "01"},
		{"encryption count beyond data", parseEncryptionErr, "0200 0200"},
		{"encryption odd tail", parseEncryptionErr, "0100 02"},
		{"signing empty", parseSigningErr, ""},
		{"signing count beyond data", parseSigningErr, "FFFF 0100"},
		{"compression 7 bytes", parseCompressionErr, "0100 0000 000000"},
		{"compression count beyond data", parseCompressionErr, "0200 0000 00000000 0500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			coreWantMalformed(t, tt.parse(coreHex(t, tt.data)))
		})
	}
}

func parsePreauthErr(b []byte) error     { _, _, err := ParsePreauthIntegrity(b); return err }
func parseEncryptionErr(b []byte) error  { _, err := ParseEncryption(b); return err }
func parseSigningErr(b []byte) error     { _, err := ParseSigning(b); return err }
func parseCompressionErr(b []byte) error { _, _, err := ParseCompression(b); return err }

// coreNegotiateResponse311Hex is a 3.1.1 NEGOTIATE response body laid out
// from MS-SMB2 2.2.4 and 2.2.4.1 with five contexts, one of a type this
// package does not know, and the padding the server must insert.
const coreNegotiateResponse311Hex = `
	41 00                    // StructureSize 65
	03 00                    // SecurityMode ENABLED|REQUIRED
	11 03                    // DialectRevision 3.1.1
	05 00                    // NegotiateContextCount
	30 31 32 33 34 35 36 37 38 39 3A 3B 3C 3D 3E 3F // ServerGuid
	44 00 00 00              // Capabilities LARGE_MTU|ENCRYPTION
	00 00 10 00              // MaxTransactSize 1 MiB
	00 00 80 00              // MaxReadSize 8 MiB
	00 00 40 00              // MaxWriteSize 4 MiB
	00 80 3E D5 DE B1 9D 01  // SystemTime
	00 00 00 00 00 00 00 00  // ServerStartTime
	80 00                    // SecurityBufferOffset 128
	0A 00                    // SecurityBufferLength 10
	90 00 00 00              // NegotiateContextOffset 144
	// 128: security buffer
	60 08 06 06 2B 06 01 05 05 02
	00 00 00 00 00 00        // Padding 138 -> 144
	// 144: preauth integrity, SHA-512 and a 32-byte salt
	01 00  26 00  00 00 00 00
	01 00  20 00  01 00
	C0 C1 C2 C3 C4 C5 C6 C7 C8 C9 CA CB CC CD CE CF
	D0 D1 D2 D3 D4 D5 D6 D7 D8 D9 DA DB DC DD DE DF
	00 00                    // Padding 190 -> 192
	// 192: encryption, AES-256-GCM chosen
	02 00  04 00  00 00 00 00
	01 00  04 00
	00 00 00 00              // Padding 204 -> 208
	// 208: signing, AES-GMAC chosen
	08 00  04 00  00 00 00 00
	01 00  02 00
	00 00 00 00              // Padding 220 -> 224
	// 224: type 0x0100, unknown here, 16 bytes
	00 01  10 00  00 00 00 00
	E0 E1 E2 E3 E4 E5 E6 E7 E8 E9 EA EB EC ED EE EF
	// 248: compression, chained LZ4; last, so no padding
	03 00  0A 00  00 00 00 00
	01 00  00 00  01 00 00 00  05 00
`

func TestNegotiateResponseDecode(t *testing.T) {
	t.Run("hand-built 3.1.1", func(t *testing.T) {
		msg := coreResponse(CommandNegotiate, coreHex(t, coreNegotiateResponse311Hex))
		var r NegotiateResponse
		if err := r.Decode(msg); err != nil {
			t.Fatal(err)
		}
		if r.SecurityMode != SigningEnabled|SigningRequired || r.Dialect != Dialect311 ||
			r.ServerGUID != [16]byte(coreSeq(0x30, 16)) || r.Capabilities != CapLargeMTU|CapEncryption ||
			r.MaxTransactSize != 1<<20 || r.MaxReadSize != 8<<20 || r.MaxWriteSize != 4<<20 ||
			r.SystemTime != 0x019DB1DED53E8000 || r.ServerStartTime != 0 {
			t.Fatalf("fixed fields = %+v", r)
		}
		if want := coreHex(t, "60 08 06 06 2B 06 01 05 05 02"); !bytes.Equal(r.SecurityBuffer, want) {
			t.Fatalf("SecurityBuffer = % X", r.SecurityBuffer)
		}
		coreCheckAlias(t, "SecurityBuffer", msg, r.SecurityBuffer)
		wantTypes := []NegotiateContextType{ContextPreauthIntegrity, ContextEncryption, ContextSigning, 0x0100, ContextCompression}
		if len(r.Contexts) != len(wantTypes) {
			t.Fatalf("%d contexts, want %d", len(r.Contexts), len(wantTypes))
		}
		for i, c := range r.Contexts {
			if c.Type != wantTypes[i] {
				t.Errorf("context %d type %#x, want %#x", i, c.Type, wantTypes[i])
			}
			coreCheckAlias(t, "context data", msg, c.Data)
		}

		pre, ok := r.Context(ContextPreauthIntegrity)
		if !ok {
			t.Fatal("no preauth context")
		}
		hashes, salt, err := ParsePreauthIntegrity(pre.Data)
		if err != nil || !reflect.DeepEqual(hashes, []uint16{HashSHA512}) || !bytes.Equal(salt, coreSeq(0xC0, 32)) {
			t.Errorf("preauth = %v, % X, %v", hashes, salt, err)
		}
		// The salt is followed by padding and the next context in the
		// message; it must not be appendable over them.
		coreCheckAlias(t, "salt", pre.Data, salt)
		enc, _ := r.Context(ContextEncryption)
		if ciphers, err := ParseEncryption(enc.Data); err != nil || !reflect.DeepEqual(ciphers, []uint16{CipherAES256GCM}) {
			t.Errorf("encryption = %v, %v", ciphers, err)
		}
		sig, _ := r.Context(ContextSigning)
		if algs, err := ParseSigning(sig.Data); err != nil || !reflect.DeepEqual(algs, []uint16{SigningAESGMAC}) {
			t.Errorf("signing = %v, %v", algs, err)
		}
		unknown, _ := r.Context(0x0100)
		if !bytes.Equal(unknown.Data, coreSeq(0xE0, 16)) {
			t.Errorf("unknown context data = % X", unknown.Data)
		}
		comp, _ := r.Context(ContextCompression)
		if algs, flags, err := ParseCompression(comp.Data); err != nil || !reflect.DeepEqual(algs, []uint16{CompressionLZ4}) || flags != CompressionFlagChained {
			t.Errorf("compression = %v, %#x, %v", algs, flags, err)
		}
		if _, ok := r.Context(ContextNetname); ok {
			t.Error("Context found a netname context that is not there")
		}
	})

	t.Run("Windows Server 2016 3.1.1", func(t *testing.T) {
		msg := coreHex(t, winNegotiateResponseHex)
		var r NegotiateResponse
		if err := r.Decode(msg); err != nil {
			t.Fatal(err)
		}
		if r.SecurityMode != SigningEnabled || r.Dialect != Dialect311 || r.Capabilities != 0x2F ||
			r.ServerGUID != [16]byte(coreHex(t, "39CBCAF3 29714942 BDCE5D60 F09AB3FB")) ||
			r.MaxTransactSize != 8<<20 || r.MaxReadSize != 8<<20 || r.MaxWriteSize != 8<<20 ||
			r.SystemTime != 0x01D0AECBADE5DAD8 || r.ServerStartTime != 0x01D0AE95B04A0909 {
			t.Fatalf("fixed fields = %+v", r)
		}
		if len(r.SecurityBuffer) != 320 || !bytes.Equal(r.SecurityBuffer[:4], []byte{0x60, 0x82, 0x01, 0x3C}) {
			t.Fatalf("SecurityBuffer: %d bytes starting % X", len(r.SecurityBuffer), r.SecurityBuffer[:4])
		}
		if len(r.Contexts) != 2 {
			t.Fatalf("%d contexts, want 2", len(r.Contexts))
		}
		pre, _ := r.Context(ContextPreauthIntegrity)
		hashes, salt, err := ParsePreauthIntegrity(pre.Data)
		wantSalt := coreHex(t, "60A3C3B95C3C7CCD51EC536648D9B3AC74C483CA5B65385A251117BEB30712E5")
		if err != nil || !reflect.DeepEqual(hashes, []uint16{HashSHA512}) || !bytes.Equal(salt, wantSalt) {
			t.Errorf("preauth = %v, % X, %v", hashes, salt, err)
		}
		enc, _ := r.Context(ContextEncryption)
		if ciphers, err := ParseEncryption(enc.Data); err != nil || !reflect.DeepEqual(ciphers, []uint16{CipherAES128GCM}) {
			t.Errorf("encryption = %v, %v", ciphers, err)
		}
	})

	t.Run("3.0.2 ignores the reserved context fields", func(t *testing.T) {
		body := coreHex(t, coreNegotiateResponse311Hex)
		le.PutUint16(body[4:], uint16(Dialect302))
		le.PutUint32(body[60:], 0xFFFFFFF0) // Reserved2 in 3.0.2: garbage must not be followed
		msg := coreResponse(CommandNegotiate, body)
		var r NegotiateResponse
		r.Contexts = []NegotiateContext{{Type: 1}} // left over from an earlier decode
		if err := r.Decode(msg); err != nil {
			t.Fatal(err)
		}
		if r.Dialect != Dialect302 || r.Contexts != nil || len(r.SecurityBuffer) != 10 {
			t.Fatalf("decoded %+v", r)
		}
	})

	t.Run("SMB 2.??? wildcard without a security buffer", func(t *testing.T) {
		body := coreHex(t, coreNegotiateResponse311Hex)[:64]
		le.PutUint16(body[4:], uint16(DialectWildcard))
		le.PutUint32(body[56:], 0) // SecurityBufferOffset/Length 0
		var r NegotiateResponse
		if err := r.Decode(coreResponse(CommandNegotiate, body)); err != nil {
			t.Fatal(err)
		}
		if r.Dialect != DialectWildcard || r.SecurityBuffer != nil || r.Contexts != nil {
			t.Fatalf("decoded %+v", r)
		}
	})
}

func TestNegotiateResponseMalformed(t *testing.T) {
	valid := coreResponse(CommandNegotiate, coreHex(t, coreNegotiateResponse311Hex))
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
		{"one body byte", valid[:HeaderSize+1]},
		{"fixed part one byte short", valid[:HeaderSize+63]},
		{"StructureSize 64", patch16(0, 64)},
		{"StructureSize of the request", patch16(0, 36)},
		{"security buffer longer than the message", patch16(58, 0xFFFF)},
		{"security buffer offset beyond the message", patch16(56, 0xFFFF)},
		{"context offset beyond the message", patch32(60, 0xFFFFFFFF)},
		{"context offset just past the end", patch32(60, uint32(len(valid)))},
		{"context count one larger than the list", patch16(6, 6)},
		{"context count 65535", patch16(6, 0xFFFF)},
		{"last context data beyond the end", patch16(248-HeaderSize+2, 11)},
		{"first context data length 65535", patch16(144-HeaderSize+2, 0xFFFF)},
		{"cut inside the last context", valid[:len(valid)-1]},
		{"cut inside a context header", valid[:224+4]},
		{"cut in the padding before a context", valid[:222]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r NegotiateResponse
			coreWantMalformed(t, r.Decode(tt.msg))
		})
	}
}
