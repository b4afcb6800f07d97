package dcerpc

import "fmt"

// requestHeaderSize and responseHeaderSize are the sizes of the request and
// response PDU headers: the common header plus alloc_hint, p_cont_id and
// opnum (request) or cancel_count and a reserved byte (response).
const (
	requestHeaderSize  = HeaderSize + 8
	responseHeaderSize = HeaderSize + 8
	faultBodyMin       = 12 // alloc_hint, p_cont_id, cancel_count, flags, status
)

// Request is a call: the stub data of operation Opnum of the interface
// bound as presentation context ContextID (C706 12.6.4.9).
type Request struct {
	CallID    uint32
	ContextID uint16
	Opnum     uint16
	Stub      []byte
}

// Fragments encodes the request as PDUs of at most maxFrag bytes each (the
// max_recv_frag the server announced in its bind_ack). Every fragment but
// the last carries a multiple of 8 stub bytes, so that NDR alignment is the
// same in each fragment as in the whole stub. alloc_hint is the number of
// stub bytes from this fragment on.
func (r *Request) Fragments(maxFrag int) ([][]byte, error) {
	room := (min(maxFrag, MaxFragLength) - requestHeaderSize) &^ 7
	if room <= 0 {
		return nil, fmt.Errorf("dcerpc request: fragment size %d leaves no room for stub data", maxFrag)
	}
	stub := r.Stub
	var frags [][]byte
	for first := true; first || len(stub) > 0; first = false {
		n := min(len(stub), room)
		flags := Flags(0)
		if first {
			flags |= FlagFirstFrag
		}
		if n == len(stub) {
			flags |= FlagLastFrag
		}
		b := appendHeader(make([]byte, 0, requestHeaderSize+n), Header{
			Type:    PacketRequest,
			Flags:   flags,
			DataRep: dataRepLE,
			CallID:  r.CallID,
		})
		b = le.AppendUint32(b, uint32(len(stub)))
		b = le.AppendUint16(b, r.ContextID)
		b = le.AppendUint16(b, r.Opnum)
		b = append(b, stub[:n]...)
		putFragLength(b)
		frags = append(frags, b)
		stub = stub[n:]
	}
	return frags, nil
}

// Response is one response PDU (C706 12.6.4.10). Stub aliases the PDU.
type Response struct {
	CallID      uint32
	Flags       Flags
	AllocHint   uint32
	ContextID   uint16
	CancelCount uint8
	Stub        []byte
}

// DecodeResponse decodes a response PDU.
func DecodeResponse(p *PDU) (*Response, error) {
	if p.Type != PacketResponse {
		return nil, malformed("expected response, got %v PDU", p.Type)
	}
	if len(p.Body) < responseHeaderSize-HeaderSize {
		return nil, malformed("response: body of %d bytes, need at least %d", len(p.Body), responseHeaderSize-HeaderSize)
	}
	return &Response{
		CallID:      p.CallID,
		Flags:       p.Flags,
		AllocHint:   le.Uint32(p.Body),
		ContextID:   le.Uint16(p.Body[4:]),
		CancelCount: p.Body[6],
		Stub:        p.Body[8:],
	}, nil
}

// Fault is the fault PDU (C706 12.6.4.7; the byte C706 reserves after
// cancel_count carries MS-RPCE's fault flags, 2.2.2.11).
type Fault struct {
	CallID      uint32
	AllocHint   uint32
	ContextID   uint16
	CancelCount uint8
	FaultFlags  uint8
	Status      uint32
}

// DecodeFault decodes a fault PDU.
func DecodeFault(p *PDU) (*Fault, error) {
	if p.Type != PacketFault {
		return nil, malformed("expected fault, got %v PDU", p.Type)
	}
	if len(p.Body) < faultBodyMin {
		return nil, malformed("fault: body of %d bytes, need at least %d", len(p.Body), faultBodyMin)
	}
	return &Fault{
		CallID:      p.CallID,
		AllocHint:   le.Uint32(p.Body),
		ContextID:   le.Uint16(p.Body[4:]),
		CancelCount: p.Body[6],
		FaultFlags:  p.Body[7],
		Status:      le.Uint32(p.Body[8:]),
	}, nil
}

// Err returns the fault as an error.
func (f *Fault) Err() error { return &FaultError{Status: f.Status} }
