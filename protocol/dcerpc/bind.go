package dcerpc

import "fmt"

// Context negotiation results of a bind_ack (p_cont_def_result_t, C706
// 12.6.3.1; negotiate_ack is MS-RPCE 2.2.2.4's bind time feature
// negotiation).
const (
	ResultAcceptance        uint16 = 0
	ResultUserRejection     uint16 = 1
	ResultProviderRejection uint16 = 2
	ResultNegotiateAck      uint16 = 3
)

// Provider reasons for a rejected context (p_provider_reason_t, C706
// 12.6.3.1).
const (
	ReasonNotSpecified                 uint16 = 0
	ReasonAbstractSyntaxNotSupported   uint16 = 1
	ReasonTransferSyntaxesNotSupported uint16 = 2
	ReasonLocalLimitExceeded           uint16 = 3
)

// PresentationContext is one p_cont_elem_t of a bind: an interface and the
// transfer syntaxes the client can marshal it with.
type PresentationContext struct {
	ID       uint16
	Abstract SyntaxID
	Transfer []SyntaxID
}

// BindRequest is the bind PDU (C706 12.6.4.3).
type BindRequest struct {
	CallID       uint32
	MaxXmitFrag  uint16 // largest fragment the client sends
	MaxRecvFrag  uint16 // largest fragment the client accepts
	AssocGroupID uint32 // 0: a new association group
	Contexts     []PresentationContext
}

// Encode returns the bind PDU: one fragment, no authentication.
func (r *BindRequest) Encode() ([]byte, error) {
	if len(r.Contexts) == 0 || len(r.Contexts) > 255 {
		return nil, fmt.Errorf("dcerpc bind: %d presentation contexts, want 1 to 255", len(r.Contexts))
	}
	b := appendHeader(make([]byte, 0, 72), Header{
		Type:    PacketBind,
		Flags:   FlagFirstFrag | FlagLastFrag,
		DataRep: dataRepLE,
		CallID:  r.CallID,
	})
	b = le.AppendUint16(b, r.MaxXmitFrag)
	b = le.AppendUint16(b, r.MaxRecvFrag)
	b = le.AppendUint32(b, r.AssocGroupID)
	b = append(b, byte(len(r.Contexts)), 0, 0, 0) // n_context_elem, reserved, reserved2
	for _, c := range r.Contexts {
		if len(c.Transfer) == 0 || len(c.Transfer) > 255 {
			return nil, fmt.Errorf("dcerpc bind: context %d offers %d transfer syntaxes, want 1 to 255", c.ID, len(c.Transfer))
		}
		b = le.AppendUint16(b, c.ID)
		b = append(b, byte(len(c.Transfer)), 0)
		b = appendSyntaxID(b, c.Abstract)
		for _, t := range c.Transfer {
			b = appendSyntaxID(b, t)
		}
	}
	if len(b) > MaxFragLength {
		return nil, fmt.Errorf("dcerpc bind: PDU of %d bytes exceeds a fragment", len(b))
	}
	putFragLength(b)
	return b, nil
}

// ContextResult is one p_result_t of a bind_ack.
type ContextResult struct {
	Result   uint16
	Reason   uint16
	Transfer SyntaxID
}

// BindAck is the bind_ack PDU (C706 12.6.4.4).
type BindAck struct {
	CallID       uint32
	Flags        Flags
	MaxXmitFrag  uint16 // largest fragment the server sends
	MaxRecvFrag  uint16 // largest fragment the server accepts
	AssocGroupID uint32
	// SecondaryAddress is the port_spec, e.g. `\PIPE\srvsvc`, without its
	// terminating NUL.
	SecondaryAddress string
	Results          []ContextResult
}

// DecodeBindAck decodes a bind_ack PDU.
func DecodeBindAck(p *PDU) (*BindAck, error) {
	if p.Type != PacketBindAck {
		return nil, malformed("expected bind_ack, got %v PDU", p.Type)
	}
	body := p.Body
	if len(body) < 10 {
		return nil, malformed("bind_ack: body of %d bytes, need at least 10", len(body))
	}
	a := &BindAck{
		CallID:       p.CallID,
		Flags:        p.Flags,
		MaxXmitFrag:  le.Uint16(body),
		MaxRecvFrag:  le.Uint16(body[2:]),
		AssocGroupID: le.Uint32(body[4:]),
	}
	n := int(le.Uint16(body[8:]))
	pos := 10
	if len(body)-pos < n {
		return nil, malformed("bind_ack: secondary address of %d bytes, %d left", n, len(body)-pos)
	}
	addr := body[pos : pos+n]
	if n > 0 && addr[n-1] == 0 {
		addr = addr[:n-1]
	}
	a.SecondaryAddress = string(addr)
	pos += n
	// The result list is 4-byte aligned relative to the start of the PDU.
	for (HeaderSize+pos)%4 != 0 {
		pos++
	}
	if len(body)-pos < 4 {
		return nil, malformed("bind_ack: no result list after the secondary address")
	}
	count := int(body[pos])
	pos += 4
	if (len(body)-pos)/(4+syntaxIDSize) < count {
		return nil, malformed("bind_ack: %d results announced, room for %d", count, (len(body)-pos)/(4+syntaxIDSize))
	}
	a.Results = make([]ContextResult, count)
	for i := range a.Results {
		r := body[pos:]
		a.Results[i] = ContextResult{Result: le.Uint16(r), Reason: le.Uint16(r[2:]), Transfer: decodeSyntaxID(r[4:])}
		pos += 4 + syntaxIDSize
	}
	return a, nil
}

// BindNak is the bind_nak PDU (C706 12.6.4.5): the server refuses the
// association.
type BindNak struct {
	CallID uint32
	// Reason is the p_reject_reason_t.
	Reason uint16
	// Versions lists the protocol versions the server supports, as
	// (major, minor) pairs.
	Versions [][2]uint8
}

// DecodeBindNak decodes a bind_nak PDU.
func DecodeBindNak(p *PDU) (*BindNak, error) {
	if p.Type != PacketBindNak {
		return nil, malformed("expected bind_nak, got %v PDU", p.Type)
	}
	if len(p.Body) < 2 {
		return nil, malformed("bind_nak: body of %d bytes, need at least 2", len(p.Body))
	}
	n := &BindNak{CallID: p.CallID, Reason: le.Uint16(p.Body)}
	if len(p.Body) >= 3 {
		count := int(p.Body[2])
		if len(p.Body)-3 < 2*count {
			return nil, malformed("bind_nak: %d versions announced, %d bytes left", count, len(p.Body)-3)
		}
		for i := range count {
			n.Versions = append(n.Versions, [2]uint8{p.Body[3+2*i], p.Body[4+2*i]})
		}
	}
	return n, nil
}
