package dcerpc

import (
	"bytes"
	"errors"
	"testing"
)

func TestDCEBindEncodeBytes(t *testing.T) {
	// Built by hand from C706 12.6.4.3 (rpcconn_bind_hdr_t) and
	// 12.6.3.1 (p_cont_list_t, p_syntax_id_t with the major version in
	// the low 16 bits of if_version).
	want := unhex(t, `
		05 00 0b 03  10 00 00 00  48 00 00 00  01 00 00 00
		b8 10 b8 10  00 00 00 00
		01 00 00 00
		00 00 01 00
		`+srvsvcUUIDBytes+` 03 00 00 00
		04 5d 88 8a  eb 1c c9 11  9f e8 08 00  2b 10 48 60  02 00 00 00`)
	got, err := (&BindRequest{
		CallID:      1,
		MaxXmitFrag: 4280,
		MaxRecvFrag: 4280,
		Contexts:    []PresentationContext{{ID: 0, Abstract: srvsvcSyntax, Transfer: []SyntaxID{NDR}}},
	}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("bind PDU\n got % x\nwant % x", got, want)
	}
}

func TestDCEBindEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		req  BindRequest
	}{
		{"no contexts", BindRequest{}},
		{"no transfer syntax", BindRequest{Contexts: []PresentationContext{{Abstract: srvsvcSyntax}}}},
		{"too many contexts", BindRequest{Contexts: make([]PresentationContext, 256)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.req.Encode(); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestDCEDecodeBindAckSamba(t *testing.T) {
	p, err := ParsePDU(readCapture(t, captureBindAck))
	if err != nil {
		t.Fatal(err)
	}
	a, err := DecodeBindAck(p)
	if err != nil {
		t.Fatal(err)
	}
	want := BindAck{
		CallID:           1,
		Flags:            FlagFirstFrag | FlagLastFrag,
		MaxXmitFrag:      4280,
		MaxRecvFrag:      4280,
		AssocGroupID:     0xd6bc,
		SecondaryAddress: `\pipe\srvsvc`,
		Results:          []ContextResult{{Result: ResultAcceptance, Reason: 0, Transfer: NDR}},
	}
	if a.CallID != want.CallID || a.Flags != want.Flags || a.MaxXmitFrag != want.MaxXmitFrag ||
		a.MaxRecvFrag != want.MaxRecvFrag || a.AssocGroupID != want.AssocGroupID ||
		a.SecondaryAddress != want.SecondaryAddress || len(a.Results) != 1 || a.Results[0] != want.Results[0] {
		t.Errorf("got %+v\nwant %+v", *a, want)
	}
}

func TestDCEDecodeBindAckErrors(t *testing.T) {
	good := readCapture(t, captureBindAck)
	parse := func(b []byte) *PDU {
		p, err := ParsePDU(b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The capture's secondary address length sits at body offset 8,
	// the result count at body offset 24.
	bigAddr := bytes.Clone(good)
	bigAddr[HeaderSize+8] = 0xff
	manyResults := bytes.Clone(good)
	manyResults[HeaderSize+24] = 2
	tests := []struct {
		name string
		p    *PDU
	}{
		{"wrong type", &PDU{Header: Header{Type: PacketBindNak}}},
		{"short body", &PDU{Header: Header{Type: PacketBindAck}, Body: make([]byte, 9)}},
		{"secondary address past the end", parse(bigAddr)},
		{"results past the end", parse(manyResults)},
		{"no result list", &PDU{Header: Header{Type: PacketBindAck}, Body: unhex(t, "b810 b810 00000000 0200 5c00")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeBindAck(tt.p); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestDCEDecodeBindNak(t *testing.T) {
	// C706 12.6.4.5: provider_reject_reason, then the supported
	// versions (count, then major/minor pairs).
	b := pdu(PacketBindNak, FlagFirstFrag|FlagLastFrag, 1, unhex(t, "0400 01 05 00"))
	p, err := ParsePDU(b)
	if err != nil {
		t.Fatal(err)
	}
	n, err := DecodeBindNak(p)
	if err != nil {
		t.Fatal(err)
	}
	if n.Reason != 4 || len(n.Versions) != 1 || n.Versions[0] != [2]uint8{5, 0} {
		t.Errorf("got %+v", *n)
	}
	for name, body := range map[string][]byte{"empty": nil, "versions past the end": unhex(t, "0400 03 05 00")} {
		p, err := ParsePDU(pdu(PacketBindNak, 3, 1, body))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeBindNak(p); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestDCEBindErrorText(t *testing.T) {
	tests := []struct {
		err         *BindError
		want        string
		unsupported bool
	}{
		{&BindError{Result: ResultProviderRejection, Reason: ReasonAbstractSyntaxNotSupported},
			"dcerpc bind refused: provider rejection: abstract syntax (interface) not supported", true},
		{&BindError{Result: ResultProviderRejection, Reason: ReasonTransferSyntaxesNotSupported},
			"dcerpc bind refused: provider rejection: proposed transfer syntaxes not supported", true},
		{&BindError{Result: ResultUserRejection, Reason: ReasonLocalLimitExceeded},
			"dcerpc bind refused: user rejection: local limit exceeded", false},
		{&BindError{Nak: true, Reason: 4}, "dcerpc bind refused (bind_nak): protocol version not supported", false},
		{&BindError{Nak: true, Reason: 42}, "dcerpc bind refused (bind_nak): reason 42", false},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
		if got := errors.Is(tt.err, errors.ErrUnsupported); got != tt.unsupported {
			t.Errorf("%q: errors.Is(ErrUnsupported) = %v", tt.want, got)
		}
	}
}

func TestDCESyntaxString(t *testing.T) {
	if got, want := NDR.String(), "8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := srvsvcSyntax.String(), "4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
