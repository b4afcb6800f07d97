package dcerpc

import (
	"bytes"
	"errors"
	"testing"
)

func TestDCEReassembleSamba(t *testing.T) {
	stream := readCapture(t, captureShareEnum4)
	if len(stream) != captureFourFragLen {
		t.Fatalf("capture of %d bytes, want %d", len(stream), captureFourFragLen)
	}
	frags := splitStream(t, stream)
	r := NewReassembler(2, 0)
	var want []byte
	for i, f := range frags {
		done, err := r.Add(f)
		if err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
		if done != (i == len(frags)-1) {
			t.Fatalf("fragment %d: done = %v", i, done)
		}
		want = append(want, f[responseHeaderSize:]...)
	}
	if got := r.Stub(); len(got) != captureFourStubLen || !bytes.Equal(got, want) {
		t.Errorf("stub of %d bytes, want %d", len(got), captureFourStubLen)
	}
	if r.Fragments() != 4 {
		t.Errorf("Fragments() = %d", r.Fragments())
	}
	if _, err := r.Add(frags[0]); err == nil {
		t.Error("a fragment after the last one was accepted")
	}
}

func TestDCEReassembleErrors(t *testing.T) {
	first := responsePDU(7, FlagFirstFrag, 8, make([]byte, 8))
	middle := responsePDU(7, 0, 8, make([]byte, 8))
	last := responsePDU(7, FlagLastFrag, 8, make([]byte, 8))
	tests := []struct {
		name  string
		limit int
		pdus  [][]byte
		check func(error) bool
	}{
		{"other call", 0, [][]byte{responsePDU(8, FlagFirstFrag|FlagLastFrag, 0, nil)}, isMalformed},
		{"no first flag", 0, [][]byte{middle}, isMalformed},
		{"first flag twice", 0, [][]byte{first, first}, isMalformed},
		{"bind_ack in a reply", 0, [][]byte{bindAckPDU(7, 4280, 4280, 0, 0, NDR)}, isMalformed},
		{"truncated PDU", 0, [][]byte{first[:len(first)-1]}, isMalformed},
		{"over the limit", 20, [][]byte{first, middle, last}, isMalformed},
		{"fault", 0, [][]byte{faultPDU(7, StatusAccessDenied)}, func(err error) bool {
			var fe *FaultError
			return errors.As(err, &fe) && fe.Status == StatusAccessDenied
		}},
		{"fault after fragments", 0, [][]byte{first, faultPDU(7, StatusProtoError)}, func(err error) bool {
			var fe *FaultError
			return errors.As(err, &fe) && fe.Status == StatusProtoError
		}},
		{"short fault", 0, [][]byte{pdu(PacketFault, 3, 7, make([]byte, 4))}, isMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReassembler(7, tt.limit)
			var err error
			for _, p := range tt.pdus {
				if _, err = r.Add(p); err != nil {
					break
				}
			}
			if !tt.check(err) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("within the limit", func(t *testing.T) {
		r := NewReassembler(7, 24)
		for _, p := range [][]byte{first, middle, last} {
			if _, err := r.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		if len(r.Stub()) != 24 {
			t.Errorf("stub %d bytes", len(r.Stub()))
		}
	})
}

func isMalformed(err error) bool { return errors.Is(err, ErrMalformed) }
