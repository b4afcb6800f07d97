package dcerpc

import (
	"bytes"
	"errors"
	"testing"
)

func TestDCERequestEncodeBytes(t *testing.T) {
	// C706 12.6.4.9 (rpcconn_request_hdr_t): common header, alloc_hint,
	// p_cont_id, opnum, stub.
	want := unhex(t, `
		05 00 00 03  10 00 00 00  1c 00 00 00  02 00 00 00
		04 00 00 00  00 00  0f 00
		01 02 03 04`)
	frags, err := (&Request{CallID: 2, ContextID: 0, Opnum: 15, Stub: []byte{1, 2, 3, 4}}).Fragments(DefaultMaxFrag)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != 1 || !bytes.Equal(frags[0], want) {
		t.Fatalf("got % x\nwant % x", frags, want)
	}
}

func TestDCERequestFragments(t *testing.T) {
	stub := make([]byte, 1000)
	for i := range stub {
		stub[i] = byte(i)
	}
	tests := []struct {
		name      string
		stub      []byte
		maxFrag   int
		wantSizes []int // stub bytes per fragment
	}{
		{"empty stub", nil, 4280, []int{0}},
		{"fits", stub, 4280, []int{1000}},
		{"exactly one fragment", stub[:256], 24 + 256, []int{256}},
		{"split at multiples of 8", stub, 24 + 300, []int{296, 296, 296, 112}},
		{"odd fragment size rounds down", stub[:20], 24 + 15, []int{8, 8, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frags, err := (&Request{CallID: 9, ContextID: 1, Opnum: 3, Stub: tt.stub}).Fragments(tt.maxFrag)
			if err != nil {
				t.Fatal(err)
			}
			if len(frags) != len(tt.wantSizes) {
				t.Fatalf("%d fragments, want %d", len(frags), len(tt.wantSizes))
			}
			var joined []byte
			remaining := len(tt.stub)
			for i, f := range frags {
				if len(f) > tt.maxFrag {
					t.Errorf("fragment %d: %d bytes > %d", i, len(f), tt.maxFrag)
				}
				p, err := ParsePDU(f)
				if err != nil {
					t.Fatal(err)
				}
				wantFlags := Flags(0)
				if i == 0 {
					wantFlags |= FlagFirstFrag
				}
				if i == len(frags)-1 {
					wantFlags |= FlagLastFrag
				}
				if p.Type != PacketRequest || p.Flags != wantFlags || p.CallID != 9 {
					t.Errorf("fragment %d: type %v flags %#x call %d", i, p.Type, p.Flags, p.CallID)
				}
				if hint := le.Uint32(p.Body); int(hint) != remaining {
					t.Errorf("fragment %d: alloc_hint %d, want %d", i, hint, remaining)
				}
				if ctx, op := le.Uint16(p.Body[4:]), le.Uint16(p.Body[6:]); ctx != 1 || op != 3 {
					t.Errorf("fragment %d: context %d opnum %d", i, ctx, op)
				}
				if n := len(p.Body) - 8; n != tt.wantSizes[i] {
					t.Errorf("fragment %d: %d stub bytes, want %d", i, n, tt.wantSizes[i])
				}
				joined = append(joined, p.Body[8:]...)
				remaining -= len(p.Body) - 8
			}
			if !bytes.Equal(joined, tt.stub) {
				t.Error("fragments do not join to the stub")
			}
		})
	}
	if _, err := (&Request{}).Fragments(24 + 7); err == nil {
		t.Error("a fragment size without room for 8 stub bytes was accepted")
	}
}

func TestDCEDecodeResponseAndFault(t *testing.T) {
	p, err := ParsePDU(readCapture(t, captureShareEnum1))
	if err != nil {
		t.Fatal(err)
	}
	r, err := DecodeResponse(p)
	if err != nil {
		t.Fatal(err)
	}
	if r.CallID != 2 || r.Flags != FlagFirstFrag|FlagLastFrag || r.AllocHint != 564 || r.ContextID != 0 || len(r.Stub) != 564 {
		t.Errorf("got call %d flags %#x hint %d ctx %d stub %d", r.CallID, r.Flags, r.AllocHint, r.ContextID, len(r.Stub))
	}
	if _, err := DecodeFault(p); !errors.Is(err, ErrMalformed) {
		t.Errorf("DecodeFault of a response: %v", err)
	}

	fp, err := ParsePDU(faultPDU(5, StatusOpRangeError))
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeFault(fp)
	if err != nil {
		t.Fatal(err)
	}
	if f.CallID != 5 || f.Status != StatusOpRangeError {
		t.Errorf("got %+v", *f)
	}
	want := "dcerpc fault: nca_op_rng_error (operation number out of range) (0x1c010002)"
	if got := f.Err().Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (&FaultError{Status: 0x1234}).Error(); got != "dcerpc fault: status 0x00001234" {
		t.Errorf("unknown status: %q", got)
	}
	if _, err := DecodeResponse(fp); !errors.Is(err, ErrMalformed) {
		t.Errorf("DecodeResponse of a fault: %v", err)
	}
	short := []*PDU{
		{Header: Header{Type: PacketResponse}, Body: make([]byte, 7)},
		{Header: Header{Type: PacketFault}, Body: make([]byte, 11)},
	}
	if _, err := DecodeResponse(short[0]); !errors.Is(err, ErrMalformed) {
		t.Errorf("short response: %v", err)
	}
	if _, err := DecodeFault(short[1]); !errors.Is(err, ErrMalformed) {
		t.Errorf("short fault: %v", err)
	}
}
