package spnego

import (
	"encoding/asn1"
	"fmt"
)

// NegState is the negState of a negTokenResp (RFC 4178 section 4.2.2).
type NegState int

// NegState values, RFC 4178 section 4.2.2.
const (
	AcceptCompleted  NegState = 0 // accept-completed: authentication done
	AcceptIncomplete NegState = 1 // accept-incomplete: more tokens follow
	Reject           NegState = 2 // reject: negotiation failed
	RequestMIC       NegState = 3 // request-mic: the acceptor wants a mechListMIC
)

// String returns the RFC 4178 name of s.
func (s NegState) String() string {
	switch s {
	case AcceptCompleted:
		return "accept-completed"
	case AcceptIncomplete:
		return "accept-incomplete"
	case Reject:
		return "reject"
	case RequestMIC:
		return "request-mic"
	}
	return fmt.Sprintf("NegState(%d)", int(s))
}

// NegTokenResp is a negTokenResp (RFC 4178 section 4.2.2), the token of
// every SPNEGO message after the first. All fields are optional.
type NegTokenResp struct {
	// HasNegState says whether negState is present; clients usually omit
	// it (RFC 4178 allows that after the first message).
	HasNegState bool
	NegState    NegState
	// SupportedMech is the mechanism the acceptor chose; nil when absent.
	SupportedMech asn1.ObjectIdentifier
	// ResponseToken is the mechanism token; nil when absent (a non-nil
	// empty slice encodes an empty OCTET STRING).
	ResponseToken []byte
	// MechListMIC is nil when absent.
	MechListMIC []byte
}

// EncodeNegTokenResp encodes t as a NegotiationToken choice [1]. Unlike a
// negTokenInit it carries no GSS-API header (RFC 4178 section 4.2).
func EncodeNegTokenResp(t NegTokenResp) ([]byte, error) {
	var fields [][]byte
	if t.HasNegState {
		if t.NegState < AcceptCompleted || t.NegState > RequestMIC {
			return nil, fmt.Errorf("spnego: invalid negState %d", int(t.NegState))
		}
		fields = append(fields, tlv(contextTag(0), tlv(tagEnumerated, []byte{byte(t.NegState)})))
	}
	if t.SupportedMech != nil {
		oid, err := marshalOID(t.SupportedMech)
		if err != nil {
			return nil, err
		}
		fields = append(fields, tlv(contextTag(1), oid))
	}
	if t.ResponseToken != nil {
		fields = append(fields, tlv(contextTag(2), tlv(tagOctetString, t.ResponseToken)))
	}
	if t.MechListMIC != nil {
		fields = append(fields, tlv(contextTag(3), tlv(tagOctetString, t.MechListMIC)))
	}
	return tlv(contextTag(1), tlv(tagSequence, fields...)), nil
}

// DecodeNegTokenResp decodes a NegotiationToken that must be the
// negTokenResp choice [1]. Unknown extension components after [3] are
// skipped; anything else that is not DER, out of order, repeated or followed
// by trailing bytes is an error, as is a negState outside 0-3.
func DecodeNegTokenResp(b []byte) (*NegTokenResp, error) {
	el, err := parseSingle(b, contextTag(1), "negTokenResp")
	if err != nil {
		return nil, err
	}
	seq, err := parseSingle(el.content, tagSequence, "NegTokenResp")
	if err != nil {
		return nil, err
	}
	t := &NegTokenResp{}
	err = forEachField(seq.content, "NegTokenResp", func(n int, inner element) error {
		var err error
		switch n {
		case 0:
			t.NegState, err = parseNegState(inner)
			t.HasNegState = err == nil
		case 1:
			t.SupportedMech, err = parseOID(inner, "supportedMech")
		case 2:
			t.ResponseToken, err = octetString(inner, "responseToken")
		case 3:
			t.MechListMIC, err = octetString(inner, "mechListMIC")
		default:
			// RFC 4178's extension marker: later components are ignored.
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// parseNegState decodes the ENUMERATED negState. In DER each of the four
// defined values is a single content octet, so any other length is either
// out of range or not minimally encoded.
func parseNegState(el element) (NegState, error) {
	if el.tag != tagEnumerated {
		return 0, fmt.Errorf("%w: negState has tag 0x%02x, want ENUMERATED", ErrMalformed, el.tag)
	}
	if len(el.content) != 1 || el.content[0] > byte(RequestMIC) {
		return 0, fmt.Errorf("%w: negState % x is not one of 0-3", ErrMalformed, el.content)
	}
	return NegState(el.content[0]), nil
}
