package dcerpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Captures from Samba 4.17 (samba-dcerpcd), recorded by this project's
// client against its own test server; see testdata/README.md.
const (
	captureBindAck     = "samba-bind-ack.bin"               // bind_ack to SRVSVC v3.0 / NDR, call 1
	captureShareEnum1  = "samba-shareenum-1frag.bin"        // NetrShareEnum response, call 2, one fragment
	captureShareEnum4  = "samba-shareenum-4frag.bin"        // NetrShareEnum response, call 2, four fragments
	captureFourFragLen = 4280 + 4280 + 4280 + 1464          // their frag_lengths, summed
	captureFourStubLen = (4280-24)*3 + (1464 - 24)          // their stub bytes
	srvsvcUUIDBytes    = "c84f324b7016d30112785a47bf6ee188" // 4b324fc8-1670-01d3-1278-5a47bf6ee188, NDR order
)

// srvsvcSyntax is SRVSVC v3.0, as package srvsvc defines it (repeated here
// to keep this package's tests free of a dependency on its user).
var srvsvcSyntax = SyntaxID{
	UUID:    UUID{0x4b324fc8, 0x1670, 0x01d3, [8]byte{0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88}},
	Version: 3,
}

// readCapture returns a testdata file.
func readCapture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readCaptureBytes reads a testdata file where no testing.TB is at hand
// (table construction); a missing file yields nil and fails the case.
func readCaptureBytes(name string) []byte {
	b, _ := os.ReadFile(filepath.Join("testdata", name))
	return b
}

// unhex decodes hex with spaces and newlines.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// pdu builds a PDU of type typ with body (no authentication).
func pdu(typ PacketType, flags Flags, callID uint32, body []byte) []byte {
	b := appendHeader(nil, Header{Type: typ, Flags: flags, DataRep: dataRepLE, CallID: callID})
	b = append(b, body...)
	putFragLength(b)
	return b
}

// responsePDU builds one response fragment carrying stub.
func responsePDU(callID uint32, flags Flags, allocHint uint32, stub []byte) []byte {
	body := le.AppendUint32(nil, allocHint)
	body = append(body, 0, 0, 0, 0) // p_cont_id, cancel_count, reserved
	return pdu(PacketResponse, flags, callID, append(body, stub...))
}

// faultPDU builds a fault PDU with status.
func faultPDU(callID uint32, status uint32) []byte {
	body := le.AppendUint32(nil, 0)
	body = append(body, 0, 0, 0, 0)
	body = le.AppendUint32(body, status)
	body = append(body, 0, 0, 0, 0)
	return pdu(PacketFault, FlagFirstFrag|FlagLastFrag, callID, body)
}

// bindAckPDU builds a bind_ack with one result.
func bindAckPDU(callID uint32, maxXmit, maxRecv uint16, result, reason uint16, transfer SyntaxID) []byte {
	body := le.AppendUint16(nil, maxXmit)
	body = le.AppendUint16(body, maxRecv)
	body = le.AppendUint32(body, 0x1234)
	addr := []byte("\\PIPE\\srvsvc\x00")
	body = le.AppendUint16(body, uint16(len(addr)))
	body = append(body, addr...)
	for (HeaderSize+len(body))%4 != 0 {
		body = append(body, 0)
	}
	body = append(body, 1, 0, 0, 0)
	body = le.AppendUint16(body, result)
	body = le.AppendUint16(body, reason)
	body = appendSyntaxID(body, transfer)
	return pdu(PacketBindAck, FlagFirstFrag|FlagLastFrag, callID, body)
}

// splitStream cuts a PDU stream into its PDUs.
func splitStream(t testing.TB, stream []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(stream) > 0 {
		p, rest, err := SplitPDU(stream)
		if err != nil || p == nil {
			t.Fatalf("SplitPDU: %v (%d bytes left)", err, len(stream))
		}
		out = append(out, p)
		stream = rest
	}
	return out
}

// errWouldBlock is what scriptTransport returns when the client reads
// although the server has nothing more to send: on a real pipe that read
// would wait forever.
var errWouldBlock = errors.New("test transport: read with nothing left to send (would block)")

// scriptTransport plays a server: each Transact and ReadMessage hands out
// the next scripted message. It records what the client sent.
type scriptTransport struct {
	msgs       [][]byte
	transacted [][]byte
	written    [][]byte
	maxOuts    []int
	reads      int
}

func (s *scriptTransport) next() ([]byte, error) {
	if len(s.msgs) == 0 {
		return nil, errWouldBlock
	}
	m := s.msgs[0]
	s.msgs = s.msgs[1:]
	return bytes.Clone(m), nil
}

func (s *scriptTransport) Transact(_ context.Context, in []byte, maxOut int) ([]byte, error) {
	s.transacted = append(s.transacted, bytes.Clone(in))
	s.maxOuts = append(s.maxOuts, maxOut)
	return s.next()
}

func (s *scriptTransport) Write(_ context.Context, data []byte) error {
	s.written = append(s.written, bytes.Clone(data))
	return nil
}

func (s *scriptTransport) ReadMessage(_ context.Context, limit int) ([]byte, error) {
	s.reads++
	m, err := s.next()
	if err == nil && len(m) > limit {
		return nil, errors.New("test transport: message above limit")
	}
	return m, err
}
