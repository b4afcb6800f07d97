package dcerpc

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// bindSamba binds over a script whose first message is Samba's bind_ack
// and whose later messages are msgs.
func bindSamba(t *testing.T, msgs ...[]byte) (*Client, *scriptTransport) {
	t.Helper()
	st := &scriptTransport{msgs: append([][]byte{readCapture(t, captureBindAck)}, msgs...)}
	c, err := Bind(context.Background(), st, srvsvcSyntax, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

func TestDCEClientBind(t *testing.T) {
	c, st := bindSamba(t)
	want, err := (&BindRequest{CallID: 1, MaxXmitFrag: 4280, MaxRecvFrag: 4280,
		Contexts: []PresentationContext{{Abstract: srvsvcSyntax, Transfer: []SyntaxID{NDR}}}}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.transacted) != 1 || !bytes.Equal(st.transacted[0], want) {
		t.Fatalf("bind sent % x\nwant % x", st.transacted, want)
	}
	if st.maxOuts[0] != DefaultMaxFrag {
		t.Errorf("bind transceive asked for %d bytes", st.maxOuts[0])
	}
	if st.reads != 0 {
		t.Errorf("%d extra reads after a complete bind_ack", st.reads)
	}
	if a := c.BindAck(); a.AssocGroupID != 0xd6bc || a.SecondaryAddress != `\pipe\srvsvc` {
		t.Errorf("bind_ack %+v", a)
	}
}

func TestDCEClientBindRefused(t *testing.T) {
	ndr64 := SyntaxID{UUID: UUID{0x71710533, 0xbeba, 0x4937, [8]byte{0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36}}, Version: 1}
	tests := []struct {
		name  string
		reply []byte
		check func(error) bool
	}{
		{"provider rejection", bindAckPDU(1, 4280, 4280, ResultProviderRejection, ReasonAbstractSyntaxNotSupported, SyntaxID{}), func(err error) bool {
			var be *BindError
			return errors.As(err, &be) && be.Reason == ReasonAbstractSyntaxNotSupported && errors.Is(err, errors.ErrUnsupported)
		}},
		{"bind_nak", pdu(PacketBindNak, 3, 1, []byte{4, 0, 0}), func(err error) bool {
			var be *BindError
			return errors.As(err, &be) && be.Nak && be.Reason == 4
		}},
		{"fault", faultPDU(1, StatusUnknownIf), func(err error) bool {
			var fe *FaultError
			return errors.As(err, &fe) && fe.Status == StatusUnknownIf
		}},
		{"transfer syntax not proposed", bindAckPDU(1, 4280, 4280, ResultAcceptance, 0, ndr64), isMalformed},
		{"other call", bindAckPDU(2, 4280, 4280, ResultAcceptance, 0, NDR), isMalformed},
		{"tiny fragments", bindAckPDU(1, 4280, 16, ResultAcceptance, 0, NDR), isMalformed},
		{"response instead of bind_ack", responsePDU(1, 3, 0, nil), isMalformed},
		{"bytes after the bind_ack", append(bindAckPDU(1, 4280, 4280, 0, 0, NDR), 0), isMalformed},
		{"truncated bind_ack and nothing more", readCaptureBytes(captureBindAck)[:40], func(err error) bool {
			return errors.Is(err, errWouldBlock)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &scriptTransport{msgs: [][]byte{tt.reply}}
			_, err := Bind(context.Background(), st, srvsvcSyntax, nil)
			if !tt.check(err) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("bad MaxFrag", func(t *testing.T) {
		if _, err := Bind(context.Background(), &scriptTransport{}, srvsvcSyntax, &Config{MaxFrag: 20}); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestDCEClientCallReassembly(t *testing.T) {
	stream := readCapture(t, captureShareEnum4)
	frags := splitStream(t, stream)
	var wantStub []byte
	for _, f := range frags {
		wantStub = append(wantStub, f[responseHeaderSize:]...)
	}
	chunks := func(size int) [][]byte {
		var out [][]byte
		for b := stream; len(b) > 0; {
			n := min(size, len(b))
			out = append(out, b[:n])
			b = b[n:]
		}
		return out
	}
	tests := []struct {
		name string
		msgs [][]byte // the transceive output, then one per read
	}{
		{"one fragment per message (message-mode pipe)", frags},
		{"whole reply in the transceive", [][]byte{stream}},
		{"byte stream cut every 1000 bytes", chunks(1000)},
		{"byte stream cut inside headers", chunks(4290)},
		{"byte stream cut every 7 bytes", chunks(7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, st := bindSamba(t, tt.msgs...)
			got, err := c.Call(context.Background(), 15, []byte{1, 2, 3, 4})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wantStub) {
				t.Fatalf("stub of %d bytes, want %d", len(got), len(wantStub))
			}
			// Every scripted message was consumed and nothing more was
			// read: a further read would have waited forever.
			if len(st.msgs) != 0 || st.reads != len(tt.msgs)-1 {
				t.Errorf("%d messages left, %d reads for %d messages", len(st.msgs), st.reads, len(tt.msgs))
			}
			if st.maxOuts[1] != 4280 {
				t.Errorf("call transceive asked for %d bytes, want the server's max_xmit_frag", st.maxOuts[1])
			}
		})
	}
}

func TestDCEClientCallFragmentsRequest(t *testing.T) {
	// The server accepts fragments of at most 64 bytes: a 100-byte stub
	// goes out as 40+40+20 stub bytes, the first two by WRITE, the last
	// with the transceive.
	st := &scriptTransport{msgs: [][]byte{
		bindAckPDU(1, 4280, 64, ResultAcceptance, 0, NDR),
		responsePDU(2, FlagFirstFrag|FlagLastFrag, 2, []byte{9, 9}),
	}}
	c, err := Bind(context.Background(), st, srvsvcSyntax, nil)
	if err != nil {
		t.Fatal(err)
	}
	stub := bytes.Repeat([]byte{0xab}, 100)
	got, err := c.Call(context.Background(), 15, stub)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte{9, 9}) {
		t.Errorf("got % x", got)
	}
	if len(st.written) != 2 || len(st.transacted) != 2 {
		t.Fatalf("%d writes and %d transceives, want 2 and 2 (bind + last fragment)", len(st.written), len(st.transacted))
	}
	var joined []byte
	for i, f := range append(st.written, st.transacted[1]) {
		if len(f) > 64 {
			t.Errorf("fragment %d of %d bytes", i, len(f))
		}
		joined = append(joined, f[requestHeaderSize:]...)
	}
	if !bytes.Equal(joined, stub) {
		t.Error("fragments do not carry the stub")
	}
}

func TestDCEClientCallErrors(t *testing.T) {
	t.Run("fault keeps the client usable", func(t *testing.T) {
		c, _ := bindSamba(t, faultPDU(2, StatusOpRangeError), responsePDU(3, 3, 1, []byte{7}))
		_, err := c.Call(context.Background(), 99, nil)
		var fe *FaultError
		if !errors.As(err, &fe) || fe.Status != StatusOpRangeError {
			t.Fatalf("err = %v", err)
		}
		got, err := c.Call(context.Background(), 15, nil)
		if err != nil || !bytes.Equal(got, []byte{7}) {
			t.Fatalf("call after fault: % x, %v", got, err)
		}
	})
	t.Run("malformed reply breaks the client", func(t *testing.T) {
		c, _ := bindSamba(t, responsePDU(5, 3, 0, nil), responsePDU(3, 3, 0, nil))
		if _, err := c.Call(context.Background(), 15, nil); !isMalformed(err) {
			t.Fatalf("err = %v", err)
		}
		if _, err := c.Call(context.Background(), 15, nil); err == nil {
			t.Fatal("a broken client made another call")
		}
	})
	t.Run("bytes after the last fragment", func(t *testing.T) {
		c, _ := bindSamba(t, append(responsePDU(2, 3, 0, nil), 5, 0))
		if _, err := c.Call(context.Background(), 15, nil); !isMalformed(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("reply larger than MaxResponse", func(t *testing.T) {
		st := &scriptTransport{msgs: [][]byte{readCapture(t, captureBindAck), readCapture(t, captureShareEnum4)}}
		c, err := Bind(context.Background(), st, srvsvcSyntax, &Config{MaxResponse: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Call(context.Background(), 15, nil); !isMalformed(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("server stops mid-reply", func(t *testing.T) {
		stream := readCapture(t, captureShareEnum4)
		c, _ := bindSamba(t, stream[:5000])
		if _, err := c.Call(context.Background(), 15, nil); !errors.Is(err, errWouldBlock) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty message inside a PDU", func(t *testing.T) {
		stream := readCapture(t, captureShareEnum4)
		c, _ := bindSamba(t, stream[:100], []byte{})
		if _, err := c.Call(context.Background(), 15, nil); !isMalformed(err) {
			t.Fatalf("err = %v", err)
		}
	})
}
