package dcerpc

import (
	"bytes"
	"errors"
	"testing"
)

func TestDCEParseHeader(t *testing.T) {
	// The header of Samba's bind_ack: 5.0, bind_ack, first|last, LE drep,
	// frag_length 68, no auth, call 1.
	valid := unhex(t, "05000c03 10000000 4400 0000 01000000")
	tests := []struct {
		name    string
		in      []byte
		want    Header
		wantErr bool
	}{
		{"samba bind_ack", valid, Header{Type: PacketBindAck, Flags: FlagFirstFrag | FlagLastFrag, DataRep: dataRepLE, FragLength: 68, CallID: 1}, false},
		{"short", valid[:15], Header{}, true},
		{"version 4", append([]byte{4}, valid[1:]...), Header{}, true},
		{"minor version 1", append([]byte{5, 1}, valid[2:]...), Header{}, true},
		{"big-endian drep", unhex(t, "05000c03 00000000 0044 0000 00000001"), Header{}, true},
		{"EBCDIC drep", unhex(t, "05000c03 11000000 4400 0000 01000000"), Header{}, true},
		{"frag_length below header", unhex(t, "05000c03 10000000 0f00 0000 01000000"), Header{}, true},
		{"auth trailer beyond frag_length", unhex(t, "05000c03 10000000 2000 1000 01000000"), Header{}, true},
		{"auth trailer fits", unhex(t, "05000203 10000000 2800 1000 07000000"), Header{Type: PacketResponse, Flags: 3, DataRep: dataRepLE, FragLength: 40, AuthLength: 16, CallID: 7}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeader(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("error %v does not wrap ErrMalformed", err)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDCEHeaderEncodeBytes(t *testing.T) {
	// C706 12.6.3.1: rpc_vers, rpc_vers_minor, PTYPE, pfc_flags,
	// packed_drep[4], frag_length, auth_length, call_id; little-endian.
	got := appendHeader(nil, Header{Type: PacketRequest, Flags: FlagFirstFrag | FlagLastFrag, DataRep: dataRepLE, FragLength: 0x1234, AuthLength: 0, CallID: 0x01020304})
	want := unhex(t, "05 00 00 03 10 00 00 00 34 12 00 00 04 03 02 01")
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x\nwant % x", got, want)
	}
}

func TestDCEParsePDU(t *testing.T) {
	t.Run("samba bind_ack", func(t *testing.T) {
		b := readCapture(t, captureBindAck)
		p, err := ParsePDU(b)
		if err != nil {
			t.Fatal(err)
		}
		if p.Type != PacketBindAck || len(p.Body) != len(b)-HeaderSize || p.Auth != nil {
			t.Errorf("got type %v, body %d bytes, auth %v", p.Type, len(p.Body), p.Auth)
		}
	})
	t.Run("frag_length mismatch", func(t *testing.T) {
		b := readCapture(t, captureBindAck)
		if _, err := ParsePDU(b[:len(b)-1]); !errors.Is(err, ErrMalformed) {
			t.Errorf("truncated: err = %v", err)
		}
		if _, err := ParsePDU(append(b, 0)); !errors.Is(err, ErrMalformed) {
			t.Errorf("extended: err = %v", err)
		}
	})
	t.Run("auth trailer and padding", func(t *testing.T) {
		// A response with 4 bytes of stub, 4 bytes of auth padding,
		// sec_trailer (pad length 4) and an 8-byte auth value
		// (MS-RPCE 2.2.2.11).
		body := unhex(t, "08000000 0000 0000 aabbccdd 00000000 0a 06 04 00 00000000 1122334455667788")
		b := appendHeader(nil, Header{Type: PacketResponse, Flags: 3, DataRep: dataRepLE, AuthLength: 8, CallID: 2})
		b = append(b, body...)
		putFragLength(b)
		p, err := ParsePDU(b)
		if err != nil {
			t.Fatal(err)
		}
		if want := unhex(t, "08000000 0000 0000 aabbccdd"); !bytes.Equal(p.Body, want) {
			t.Errorf("body % x, want % x", p.Body, want)
		}
		if len(p.Auth) != 16 {
			t.Errorf("auth %d bytes, want 16", len(p.Auth))
		}
		r, err := DecodeResponse(p)
		if err != nil || !bytes.Equal(r.Stub, []byte{0xaa, 0xbb, 0xcc, 0xdd}) {
			t.Errorf("stub % x, err %v", r.Stub, err)
		}
	})
	t.Run("auth padding longer than body", func(t *testing.T) {
		b := appendHeader(nil, Header{Type: PacketResponse, Flags: 3, DataRep: dataRepLE, AuthLength: 4, CallID: 2})
		b = append(b, 0, 0)                      // two body bytes
		b = append(b, 0x0a, 6, 3, 0, 0, 0, 0, 0) // sec_trailer, pad length 3
		b = append(b, 1, 2, 3, 4)
		putFragLength(b)
		if _, err := ParsePDU(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestDCESplitPDU(t *testing.T) {
	stream := readCapture(t, captureShareEnum4)
	tests := []struct {
		name     string
		in       []byte
		wantPDU  int // length of the PDU returned, 0 for none
		wantRest int
		wantErr  bool
	}{
		{"empty", nil, 0, 0, false},
		{"partial header", stream[:10], 0, 10, false},
		{"header only", stream[:HeaderSize], 0, HeaderSize, false},
		{"partial fragment", stream[:4279], 0, 4279, false},
		{"exact fragment", stream[:4280], 4280, 0, false},
		{"fragment and a half", stream[:6000], 4280, 6000 - 4280, false},
		{"whole stream", stream, 4280, len(stream) - 4280, false},
		{"garbage header", bytes.Repeat([]byte{0xff}, 20), 0, 20, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, rest, err := SplitPDU(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if len(p) != tt.wantPDU || len(rest) != tt.wantRest {
				t.Errorf("pdu %d bytes, rest %d; want %d and %d", len(p), len(rest), tt.wantPDU, tt.wantRest)
			}
			if p != nil && cap(p) != len(p) {
				t.Error("the PDU slice can grow into the rest of the stream")
			}
		})
	}
	if got := len(splitStream(t, stream)); got != 4 {
		t.Errorf("capture splits into %d PDUs, want 4", got)
	}
}

func TestDCEPacketTypeString(t *testing.T) {
	for typ, want := range map[PacketType]string{PacketBindAck: "bind_ack", PacketFault: "fault", 99: "ptype(99)"} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(typ), got, want)
		}
	}
}
