package wire

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for the decoders of the core messages. Each is seeded with
// valid encodings (hand-built from MS-SMB2 or captured from Windows, see
// core_vectors_test.go) and truncations of them, and checks more than "no
// panic": errors wrap ErrMalformed, decoded slices alias the input, and
// whatever can be re-encoded comes back as the bytes it was decoded from.

// coreFuzzFailed reports whether err is non-nil, failing the test unless it
// wraps ErrMalformed.
func coreFuzzFailed(t *testing.T, err error) bool {
	t.Helper()
	if err != nil && !errors.Is(err, ErrMalformed) {
		t.Fatalf("error %v does not wrap ErrMalformed", err)
	}
	return err != nil
}

// coreAddSeeds adds each message and its truncations to the seed corpus.
func coreAddSeeds(f *testing.F, msgs ...[]byte) {
	for _, m := range msgs {
		f.Add(m)
		for _, cut := range coreTruncations(m) {
			f.Add(cut)
		}
	}
}

func FuzzDecodeHeader(f *testing.F) {
	async := Header{Status: StatusPending, Command: CommandChangeNotify, Flags: FlagServerToRedir | FlagAsyncCommand, MessageID: 9, AsyncID: 0x41}
	coreAddSeeds(f,
		coreHex(f, winNegotiateRequestHex)[:HeaderSize],
		coreHex(f, winWrite300RequestHex)[:HeaderSize],
		coreHex(f, winSessionSetupResponseHex)[:HeaderSize],
		async.Encode(nil),
	)
	f.Add([]byte{0xFD, 'S', 'M', 'B'})
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, err := DecodeHeader(msg)
		if coreFuzzFailed(t, err) {
			return
		}
		if len(msg) < HeaderSize || KindOf(msg) != KindSMB2 {
			t.Fatalf("accepted a %d-byte header of kind %v", len(msg), KindOf(msg))
		}
		// The header re-encodes to its bytes, but for the sync Reserved
		// field the encoder always leaves 0.
		want := bytes.Clone(msg[:HeaderSize])
		if !h.IsAsync() {
			clear(want[offAsyncID:offTreeID])
		}
		if got := h.Encode(nil); !bytes.Equal(got, want) {
			t.Fatalf("re-encoded\n% X\nfrom\n% X", got, want)
		}
		if Flags(msg) != h.Flags {
			t.Fatalf("Flags = %#x, DecodeHeader %#x", Flags(msg), h.Flags)
		}
	})
}

func FuzzParseFramePrefix(f *testing.F) {
	f.Add([]byte{0, 0, 0x01, 0xFC}, 1<<20)
	f.Add([]byte{0, 0xFF, 0xFF, 0xFF}, MaxFrameLength)
	f.Add([]byte{0, 0, 0x10, 0x01}, 0x1000)
	f.Add([]byte{0, 0, 0, 3}, 100)
	f.Add([]byte{0x85, 0, 0, 0}, 100)
	f.Add([]byte{0, 0, 0, 0x40}, -1)
	f.Fuzz(func(t *testing.T, p []byte, limit int) {
		if len(p) < FramePrefixSize {
			return
		}
		prefix := [4]byte(p)
		n, err := ParseFramePrefix(prefix, limit)
		if coreFuzzFailed(t, err) {
			if n != 0 {
				t.Fatalf("length %d returned with an error", n)
			}
			return
		}
		if n < 4 || n > limit || n > MaxFrameLength || prefix[0] != 0 {
			t.Fatalf("accepted length %d (limit %d) from % X", n, limit, prefix)
		}
		if got := AppendFramePrefix(nil, n); !bytes.Equal(got, prefix[:]) {
			t.Fatalf("AppendFramePrefix(%d) = % X, parsed from % X", n, got, prefix)
		}
	})
}

func FuzzNextMessage(f *testing.F) {
	read := coreResponse(CommandRead, coreHex(f, `11 00 50 00 05000000 00000000 00000000 68656C6C6F`))
	echo := coreResponse(CommandEcho, []byte{4, 0, 0, 0})
	chain := coreChain(read, coreHex(f, winWrite300ResponseHex), echo)
	coreAddSeeds(f, chain, echo)
	short := bytes.Clone(chain)
	SetNextCommand(short, uint32(len(chain)))
	f.Add(short)
	f.Fuzz(func(t *testing.T, chain []byte) {
		rest, total := chain, 0
		for len(rest) > 0 {
			msg, next, err := NextMessage(rest)
			if coreFuzzFailed(t, err) {
				if msg != nil || next != nil {
					t.Fatal("slices returned with an error")
				}
				return
			}
			if len(msg) < HeaderSize || len(msg)+len(next) != len(rest) || !coreWithin(rest, msg) ||
				!bytes.Equal(msg, rest[:len(msg)]) || (len(next) > 0 && &next[0] != &rest[len(msg)]) {
				t.Fatalf("split %d bytes into %d + %d", len(rest), len(msg), len(next))
			}
			if len(next) > 0 && (cap(msg) != len(msg) || len(next) < HeaderSize) {
				t.Fatalf("non-final part: cap %d len %d, %d bytes left", cap(msg), len(msg), len(next))
			}
			total += len(msg)
			rest = next
		}
		if total != len(chain) {
			t.Fatalf("parts cover %d of %d bytes", total, len(chain))
		}
	})
}

func FuzzNegotiateResponse(f *testing.F) {
	coreAddSeeds(f,
		coreHex(f, winNegotiateResponseHex),
		coreResponse(CommandNegotiate, coreHex(f, coreNegotiateResponse311Hex)),
	)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r NegotiateResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		coreCheckAlias(t, "SecurityBuffer", msg, r.SecurityBuffer)
		if r.Dialect != Dialect311 && r.Contexts != nil {
			t.Fatalf("contexts decoded for dialect %v", r.Dialect)
		}
		if len(r.Contexts) > int(le.Uint16(msg[HeaderSize+6:])) {
			t.Fatalf("%d contexts, count says %d", len(r.Contexts), le.Uint16(msg[HeaderSize+6:]))
		}
		for _, c := range r.Contexts {
			coreCheckAlias(t, "context data", msg, c.Data)
			coreCheckContextParsers(t, c.Data)
		}
	})
}

// coreCheckContextParsers runs every negotiate context parser on data,
// whatever its type, and checks that what a parser accepts rebuilds, with
// the matching builder, to the bytes it was parsed from.
func coreCheckContextParsers(t *testing.T, data []byte) {
	t.Helper()
	if hashes, salt, err := ParsePreauthIntegrity(data); !coreFuzzFailed(t, err) {
		coreCheckAlias(t, "salt", data, salt)
		want := data[:4+2*len(hashes)+len(salt)]
		if got := PreauthIntegrityContext(hashes, salt).Data; !bytes.Equal(got, want) {
			t.Fatalf("preauth rebuilt to % X from % X", got, want)
		}
	}
	if ids, err := ParseEncryption(data); !coreFuzzFailed(t, err) {
		if got := EncryptionContext(ids).Data; !bytes.Equal(got, data[:2+2*len(ids)]) {
			t.Fatalf("encryption rebuilt to % X from % X", got, data)
		}
	}
	if ids, err := ParseSigning(data); !coreFuzzFailed(t, err) {
		if got := SigningContext(ids).Data; !bytes.Equal(got, data[:2+2*len(ids)]) {
			t.Fatalf("signing rebuilt to % X from % X", got, data)
		}
	}
	if ids, flags, err := ParseCompression(data); !coreFuzzFailed(t, err) {
		want := bytes.Clone(data[:8+2*len(ids)])
		clear(want[2:4]) // Padding, which the builder zeroes
		if got := CompressionContext(ids, flags).Data; !bytes.Equal(got, want) {
			t.Fatalf("compression rebuilt to % X from % X", got, want)
		}
	}
}

func FuzzSessionSetupResponse(f *testing.F) {
	coreAddSeeds(f,
		coreHex(f, winSessionSetupResponseHex),
		coreResponse(CommandSessionSetup, coreHex(f, `09 00 04 00 48 00 03 00 A1 07 30`)),
	)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r SessionSetupResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		coreCheckAlias(t, "SecurityBuffer", msg, r.SecurityBuffer)
		if len(r.SecurityBuffer) != int(le.Uint16(msg[HeaderSize+6:])) {
			t.Fatalf("SecurityBuffer is %d bytes, length field says %d", len(r.SecurityBuffer), le.Uint16(msg[HeaderSize+6:]))
		}
		if r.SessionFlags != SessionFlags(le.Uint16(msg[HeaderSize+2:])) {
			t.Fatal("SessionFlags differ from the message")
		}
	})
}

func FuzzTreeConnectResponse(f *testing.F) {
	coreAddSeeds(f,
		coreResponse(CommandTreeConnect, coreHex(f, `10 00 01 00 30880000 18000000 FF011F00`)),
		coreResponse(CommandTreeConnect, coreHex(f, `10 00 02 00 00000000 00000000 9F011200`)),
	)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r TreeConnectResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		body := le.AppendUint16(nil, 16)
		body = append(body, byte(r.ShareType), msg[HeaderSize+3])
		body = le.AppendUint32(body, uint32(r.ShareFlags))
		body = le.AppendUint32(body, uint32(r.Capabilities))
		body = le.AppendUint32(body, uint32(r.MaximalAccess))
		if !bytes.Equal(body, msg[HeaderSize:HeaderSize+16]) {
			t.Fatalf("fields re-encode to % X from % X", body, msg[HeaderSize:HeaderSize+16])
		}
	})
}

func FuzzCreateResponse(f *testing.F) {
	full := coreResponse(CommandCreate, coreHex(f, coreCreateResponseHex))
	noCtx := bytes.Clone(full[:HeaderSize+89])
	le.PutUint64(noCtx[HeaderSize+80:], 0)
	coreAddSeeds(f, full, noCtx)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r CreateResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		for _, c := range r.Contexts {
			coreCheckAlias(t, "context name", msg, c.Name)
			coreCheckAlias(t, "context data", msg, c.Data)
		}
		// The fixed fields re-encode to the bytes they came from, but for
		// Reserved2.
		b := le.AppendUint16(nil, 89)
		b = append(b, byte(r.OplockLevel), r.Flags)
		b = le.AppendUint32(b, uint32(r.CreateAction))
		for _, v := range []uint64{r.CreationTime, r.LastAccessTime, r.LastWriteTime, r.ChangeTime, r.AllocationSize, r.EndOfFile} {
			b = le.AppendUint64(b, v)
		}
		b = le.AppendUint32(b, uint32(r.FileAttributes))
		b = append(b, msg[HeaderSize+60:HeaderSize+64]...)
		b = appendFileID(b, r.FileID)
		if !bytes.Equal(b, msg[HeaderSize:HeaderSize+80]) {
			t.Fatalf("fixed part re-encodes to % X from % X", b, msg[HeaderSize:HeaderSize+80])
		}
	})
}

func FuzzDecodeCreateContexts(f *testing.F) {
	valid := coreHex(f, coreCreateResponseContextsHex)
	req := appendCreateContexts(nil, []CreateContext{
		{Name: []byte(ContextMaximalAccess)},
		{Name: coreHex(f, coreAppInstanceIDNameHex), Data: coreSeq(1, 20)},
		{Name: []byte(ContextDurableV2), Data: coreHex(f, coreDH2QDataHex)},
	})
	for _, b := range [][]byte{valid, req} {
		f.Add(b)
		for _, n := range []int{1, 15, 16, 24, 31, 32, 47, len(b) - 1} {
			f.Add(b[:n:n])
		}
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		ctxs, err := DecodeCreateContexts(buf)
		if coreFuzzFailed(t, err) {
			if ctxs != nil {
				t.Fatal("contexts returned with an error")
			}
			return
		}
		canonical := true
		for _, c := range ctxs {
			coreCheckAlias(t, "name", buf, c.Name)
			coreCheckAlias(t, "data", buf, c.Data)
			// The encoder's 16-bit DataOffset bounds the names it can chain.
			canonical = canonical && len(c.Name) < 1<<12
		}
		if !canonical {
			return
		}
		again, err := DecodeCreateContexts(appendCreateContexts(nil, ctxs))
		if err != nil || len(again) != len(ctxs) {
			t.Fatalf("re-encoded chain decodes to %d contexts, %v; want %d", len(again), err, len(ctxs))
		}
		for i := range ctxs {
			if !bytes.Equal(again[i].Name, ctxs[i].Name) || !bytes.Equal(again[i].Data, ctxs[i].Data) {
				t.Fatalf("context %d: %q/% X re-encoded to %q/% X", i, ctxs[i].Name, ctxs[i].Data, again[i].Name, again[i].Data)
			}
		}
	})
}

func FuzzCloseResponse(f *testing.F) {
	empty := make([]byte, 60)
	empty[0] = 60
	coreAddSeeds(f,
		coreResponse(CommandClose, coreHex(f, coreCloseResponseHex)),
		coreResponse(CommandClose, empty),
	)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r CloseResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		b := le.AppendUint16(nil, 60)
		b = le.AppendUint16(b, r.Flags)
		b = append(b, msg[HeaderSize+4:HeaderSize+8]...)
		for _, v := range []uint64{r.CreationTime, r.LastAccessTime, r.LastWriteTime, r.ChangeTime, r.AllocationSize, r.EndOfFile} {
			b = le.AppendUint64(b, v)
		}
		b = le.AppendUint32(b, uint32(r.FileAttributes))
		if !bytes.Equal(b, msg[HeaderSize:HeaderSize+60]) {
			t.Fatalf("fields re-encode to % X from % X", b, msg[HeaderSize:HeaderSize+60])
		}
	})
}

func FuzzReadResponse(f *testing.F) {
	coreAddSeeds(f,
		coreResponse(CommandRead, coreHex(f, `11 00 50 00 05000000 00000000 00000000 68656C6C6F`)),
		coreResponse(CommandRead, coreHex(f, `11 00 58 00 03000000 00100000 00000000 EEEEEEEEEEEEEEEE 414243`)),
		coreResponse(CommandRead, coreHex(f, `11 00 00 00 00000000 00000000 00000000`)),
	)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r ReadResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		coreCheckAlias(t, "Data", msg, r.Data)
		if n := le.Uint32(msg[HeaderSize+4:]); len(r.Data) != int(n) {
			t.Fatalf("Data is %d bytes, DataLength says %d", len(r.Data), n)
		}
		if len(r.Data) > 0 && &r.Data[0] != &msg[msg[HeaderSize+2]] {
			t.Fatal("Data does not start at DataOffset")
		}
		if r.DataRemaining != le.Uint32(msg[HeaderSize+8:]) {
			t.Fatal("DataRemaining differs from the message")
		}
	})
}

func FuzzWriteResponse(f *testing.F) {
	coreAddSeeds(f,
		coreHex(f, winWrite300ResponseHex),
		coreHex(f, winWrite311ResponseHex),
	)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r WriteResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		if len(msg) < HeaderSize+16 || r.Count != le.Uint32(msg[HeaderSize+4:]) {
			t.Fatalf("Count %d from a %d-byte message", r.Count, len(msg))
		}
	})
}

func FuzzErrorResponse(f *testing.F) {
	coreAddSeeds(f,
		coreResponse(CommandCreate, coreHex(f, `09 00 00 00 00000000 00`)),
		coreResponse(CommandCreate, coreHex(f, `09 00 00 00 04000000 00100000`)),
		coreResponse(CommandCreate, coreHex(f, `09 00 01 00 10000000 08000000 00000000 A0A1A2A3A4A5A6A7`)),
	)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var r ErrorResponse
		if coreFuzzFailed(t, r.Decode(msg)) {
			return
		}
		if !IsErrorResponse(msg) {
			t.Fatal("decoded a body IsErrorResponse rejects")
		}
		coreCheckAlias(t, "ErrorData", msg, r.ErrorData)
		if n := le.Uint32(msg[HeaderSize+4:]); len(r.ErrorData) != int(n) {
			t.Fatalf("ErrorData is %d bytes, ByteCount says %d", len(r.ErrorData), n)
		}
		if len(r.ErrorData) > 0 && &r.ErrorData[0] != &msg[HeaderSize+8] {
			t.Fatal("ErrorData does not follow the fixed part")
		}
		if r.ErrorContextCount != msg[HeaderSize+2] {
			t.Fatal("ErrorContextCount differs from the message")
		}
	})
}

func FuzzDecodeUTF16(f *testing.F) {
	for _, s := range []string{"", "share", `dir\file.txt`, "Abé", "日本語", "a😀b", "\U0010FFFF"} {
		f.Add(EncodeUTF16(s))
	}
	f.Add([]byte{0x41})
	f.Add([]byte{0x3D, 0xD8, 0x41, 0x00})
	f.Add([]byte{0x00, 0xDE, 0x3D, 0xD8})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeUTF16(b)
		if coreFuzzFailed(t, err) {
			if len(b)%2 == 0 || s != "" {
				t.Fatalf("error %v for %d bytes, string %q", err, len(b), s)
			}
			return
		}
		if len(b)%2 != 0 || !utf8.ValidString(s) {
			t.Fatalf("accepted %d bytes as %q", len(b), s)
		}
		enc := EncodeUTF16(s)
		if again, err := DecodeUTF16(enc); err != nil || again != s {
			t.Fatalf("%q re-decodes to %q, %v", s, again, err)
		}
		// Without surrogate code units the encoding is exactly the input;
		// with them, unpaired ones became U+FFFD and pairs stayed pairs.
		surrogates := false
		for i := 0; i+1 < len(b); i += 2 {
			if u := le.Uint16(b[i:]); u >= 0xD800 && u < 0xE000 {
				surrogates = true
			}
		}
		if !surrogates && !bytes.Equal(enc, b) {
			t.Fatalf("% X decoded to %q, which encodes to % X", b, s, enc)
		}
		if len(enc) != len(b) {
			t.Fatalf("% X re-encoded to % X", b, enc)
		}
	})
}
