package dcerpc

import (
	"context"
	"errors"
	"testing"
)

// fuzzSeeds are valid PDUs: Samba's captures and the builders' output.
func fuzzSeeds() [][]byte {
	seeds := [][]byte{
		readCaptureBytes(captureBindAck),
		readCaptureBytes(captureShareEnum1),
		bindAckPDU(1, 4280, 4280, ResultProviderRejection, ReasonTransferSyntaxesNotSupported, SyntaxID{}),
		pdu(PacketBindNak, 3, 1, []byte{4, 0, 1, 5, 0}),
		faultPDU(2, StatusOpRangeError),
		responsePDU(2, FlagFirstFrag, 100, []byte{1, 2, 3, 4, 5, 6, 7, 8}),
	}
	if frags, err := (&Request{CallID: 3, Opnum: 15, Stub: []byte("stub")}).Fragments(DefaultMaxFrag); err == nil {
		seeds = append(seeds, frags[0])
	}
	if b, err := (&BindRequest{CallID: 1, MaxXmitFrag: 4280, MaxRecvFrag: 4280,
		Contexts: []PresentationContext{{Abstract: srvsvcSyntax, Transfer: []SyntaxID{NDR}}}}).Encode(); err == nil {
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzParsePDU checks that no input makes the PDU parsers panic or return
// slices outside the input.
func FuzzParsePDU(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePDU(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if int(p.FragLength) != len(b) || len(p.Body)+len(p.Auth)+HeaderSize > len(b) {
			t.Fatalf("PDU parts (%d + %d) exceed the %d input bytes", len(p.Body), len(p.Auth), len(b))
		}
		switch p.Type {
		case PacketBindAck:
			if a, err := DecodeBindAck(p); err == nil && len(a.Results)*(4+syntaxIDSize) > len(p.Body) {
				t.Fatalf("%d results from a %d-byte body", len(a.Results), len(p.Body))
			}
		case PacketBindNak:
			_, _ = DecodeBindNak(p)
		case PacketResponse:
			if r, err := DecodeResponse(p); err == nil && len(r.Stub) > len(p.Body) {
				t.Fatal("stub larger than the body")
			}
		case PacketFault:
			_, _ = DecodeFault(p)
		}
	})
}

// FuzzReassemble feeds a byte stream, cut into PDUs, to a Reassembler for
// the call the first PDU names.
func FuzzReassemble(f *testing.F) {
	f.Add(readCaptureBytes(captureShareEnum4))
	f.Add(readCaptureBytes(captureShareEnum1))
	f.Add(append(responsePDU(4, FlagFirstFrag, 0, []byte{1}), faultPDU(4, 5)...))
	f.Fuzz(func(t *testing.T, stream []byte) {
		const limit = 1 << 16
		var r *Reassembler
		fed := 0
		for len(stream) > 0 {
			p, rest, err := SplitPDU(stream)
			if err != nil || p == nil {
				return
			}
			if r == nil {
				r = NewReassembler(le.Uint32(p[12:]), limit)
			}
			done, err := r.Add(p)
			fed += len(p)
			if len(r.Stub()) > limit || len(r.Stub()) > fed {
				t.Fatalf("stub of %d bytes from %d bytes of PDUs (limit %d)", len(r.Stub()), fed, limit)
			}
			if err != nil || done {
				return
			}
			stream = rest
		}
	})
}

// FuzzClient plays an arbitrary server: the input, cut in two, is the
// reply to the bind and then to one call. The client must fail cleanly or
// succeed, never panic, and never read past what the server sent (the
// scripted transport reports such a read as errWouldBlock, which is only
// legitimate while a PDU is incomplete).
func FuzzClient(f *testing.F) {
	ack := readCaptureBytes(captureBindAck)
	f.Add(ack, readCaptureBytes(captureShareEnum4), uint16(4280))
	f.Add(ack, readCaptureBytes(captureShareEnum1), uint16(100))
	f.Add(ack, faultPDU(2, StatusAccessDenied), uint16(1))
	f.Fuzz(func(t *testing.T, bindReply, callReply []byte, chunk uint16) {
		size := max(int(chunk), 1)
		msgs := [][]byte{bindReply}
		for b := callReply; len(b) > 0; {
			n := min(size, len(b))
			msgs = append(msgs, b[:n])
			b = b[n:]
		}
		st := &scriptTransport{msgs: msgs}
		c, err := Bind(context.Background(), st, srvsvcSyntax, &Config{MaxResponse: 1 << 16})
		if err != nil {
			return
		}
		stub, err := c.Call(context.Background(), 15, []byte{0, 0, 0, 0})
		if err == nil && len(stub) > len(callReply) {
			t.Fatalf("stub of %d bytes from a %d-byte reply", len(stub), len(callReply))
		}
	})
}

// FuzzDecodeWString decodes a conformant varying string and checks that
// encoding the result and decoding again gives the same string.
func FuzzDecodeWString(f *testing.F) {
	for _, s := range []string{"", "IPC$", "Grüße 😀", "a\x00b"} {
		e := NewEncoder()
		e.WString(s)
		f.Add(e.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		s := d.WString()
		if d.Err() != nil {
			return
		}
		e := NewEncoder()
		e.WString(s)
		d2 := NewDecoder(e.Bytes())
		if s2 := d2.WString(); d2.Err() != nil || s2 != s {
			t.Fatalf("round trip of %q gave %q, %v", s, s2, d2.Err())
		}
	})
}
