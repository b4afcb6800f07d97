package spnego

import (
	"encoding/asn1"
	"fmt"
	"slices"
)

// NegTokenInit is a decoded negTokenInit (RFC 4178 section 4.2.1), or the
// NegTokenInit2 variant of MS-SPNG 2.2.1 that SMB servers put in their
// NEGOTIATE response, which replaces mechListMIC [3] by negHints [3] and
// moves mechListMIC to [4]. Byte slices are copies of the input.
type NegTokenInit struct {
	// MechTypes lists the mechanisms in order of preference.
	MechTypes []asn1.ObjectIdentifier
	// MechTypesDER is the MechTypeList exactly as received, the input of a
	// mechListMIC (RFC 4178 section 5).
	MechTypesDER []byte
	// ReqFlags is the ContextFlags BIT STRING, nil when absent.
	ReqFlags *asn1.BitString
	// MechToken is the optimistic token for the first mechanism, nil when
	// absent.
	MechToken []byte
	// NegHints is MS-SPNG's negHints, nil when absent. Servers send the
	// fixed hint "not_defined_in_RFC4178@please_ignore"; it carries no
	// information.
	NegHints *NegHints
	// MechListMIC is nil when absent.
	MechListMIC []byte
}

// NegHints is the negHints field of MS-SPNG 2.2.1.
type NegHints struct {
	HintName    string // GeneralString; "" when absent
	HintAddress []byte // nil when absent
}

// Supports reports whether mech is among t.MechTypes.
func (t *NegTokenInit) Supports(mech asn1.ObjectIdentifier) bool {
	return slices.ContainsFunc(t.MechTypes, mech.Equal)
}

// MechTypesBytes returns the DER encoding of the MechTypeList (SEQUENCE OF
// OBJECT IDENTIFIER) for mechTypes. EncodeNegTokenInit embeds exactly these
// bytes, and RFC 4178 section 5 computes the mechListMIC over them.
func MechTypesBytes(mechTypes []asn1.ObjectIdentifier) ([]byte, error) {
	if len(mechTypes) == 0 {
		return nil, fmt.Errorf("spnego: no mechanism types")
	}
	oids := make([][]byte, len(mechTypes))
	for i, m := range mechTypes {
		b, err := marshalOID(m)
		if err != nil {
			return nil, err
		}
		oids[i] = b
	}
	return tlv(tagSequence, oids...), nil
}

// EncodeNegTokenInit builds the client's first SPNEGO token: a negTokenInit
// with mechTypes and, if mechToken is non-nil, the mechToken, wrapped in the
// GSS-API InitialContextToken with the SPNEGO OID (RFC 2743 section 3.1,
// RFC 4178 section 4.2.1). No reqFlags are sent; Windows sends none either.
func EncodeNegTokenInit(mechTypes []asn1.ObjectIdentifier, mechToken []byte) ([]byte, error) {
	list, err := MechTypesBytes(mechTypes)
	if err != nil {
		return nil, err
	}
	fields := [][]byte{tlv(contextTag(0), list)}
	if mechToken != nil {
		fields = append(fields, tlv(contextTag(2), tlv(tagOctetString, mechToken)))
	}
	negTokenInit := tlv(contextTag(0), tlv(tagSequence, fields...))
	spnegoOID, err := marshalOID(OIDSPNEGO)
	if err != nil {
		return nil, err
	}
	return tlv(tagApplication0, spnegoOID, negTokenInit), nil
}

// DecodeNegTokenInit decodes a negTokenInit, either wrapped in the GSS-API
// InitialContextToken (as servers send it in the SMB2 NEGOTIATE response)
// or as a bare NegotiationToken [0]. It accepts both the RFC 4178 layout and
// MS-SPNG's NegTokenInit2, and skips unknown extension components past [4].
// mechTypes is required. Trailing bytes are an error.
func DecodeNegTokenInit(b []byte) (*NegTokenInit, error) {
	el, rest, err := parseElement(b)
	if err != nil {
		return nil, fmt.Errorf("NegTokenInit: %w", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the token", ErrMalformed, len(rest))
	}
	switch el.tag {
	case tagApplication0:
		oidEl, inner, err := parseElement(el.content)
		if err != nil {
			return nil, fmt.Errorf("GSS-API token: %w", err)
		}
		oid, err := parseOID(oidEl, "GSS-API thisMech")
		if err != nil {
			return nil, err
		}
		if !oid.Equal(OIDSPNEGO) {
			return nil, fmt.Errorf("%w: GSS-API token for mechanism %v, not SPNEGO", ErrMalformed, oid)
		}
		if el, err = parseSingle(inner, tagContext0, "NegotiationToken"); err != nil {
			return nil, err
		}
	case tagContext0:
	default:
		return nil, fmt.Errorf("%w: tag 0x%02x is not a negTokenInit", ErrMalformed, el.tag)
	}
	seq, err := parseSingle(el.content, tagSequence, "NegTokenInit")
	if err != nil {
		return nil, err
	}
	return parseNegTokenInit(seq.content)
}

func parseNegTokenInit(seq []byte) (*NegTokenInit, error) {
	t := &NegTokenInit{}
	haveMechTypes := false
	err := forEachField(seq, "NegTokenInit", func(n int, inner element) error {
		var err error
		switch n {
		case 0:
			haveMechTypes = true
			t.MechTypes, err = parseMechTypes(inner)
			t.MechTypesDER = append([]byte{}, inner.full...)
		case 1:
			t.ReqFlags, err = parseBitString(inner, "reqFlags")
		case 2:
			t.MechToken, err = octetString(inner, "mechToken")
		case 3:
			// RFC 4178: mechListMIC OCTET STRING; MS-SPNG: negHints SEQUENCE.
			if inner.tag == tagSequence {
				t.NegHints, err = parseNegHints(inner.content)
			} else {
				t.MechListMIC, err = octetString(inner, "mechListMIC")
			}
		case 4:
			if t.MechListMIC != nil {
				return fmt.Errorf("%w: NegTokenInit has mechListMIC in both [3] and [4]", ErrMalformed)
			}
			t.MechListMIC, err = octetString(inner, "mechListMIC")
		default:
			// RFC 4178's extension marker: later components are ignored.
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !haveMechTypes {
		return nil, fmt.Errorf("%w: NegTokenInit without mechTypes", ErrMalformed)
	}
	return t, nil
}

func parseMechTypes(el element) ([]asn1.ObjectIdentifier, error) {
	if el.tag != tagSequence {
		return nil, fmt.Errorf("%w: mechTypes has tag 0x%02x, want SEQUENCE", ErrMalformed, el.tag)
	}
	mechs := []asn1.ObjectIdentifier{}
	for rest := el.content; len(rest) > 0; {
		oidEl, next, err := parseElement(rest)
		if err != nil {
			return nil, fmt.Errorf("mechTypes: %w", err)
		}
		oid, err := parseOID(oidEl, "mechTypes element")
		if err != nil {
			return nil, err
		}
		mechs = append(mechs, oid)
		rest = next
	}
	return mechs, nil
}

func parseBitString(el element, what string) (*asn1.BitString, error) {
	if el.tag != tagBitString {
		return nil, fmt.Errorf("%w: %s has tag 0x%02x, want BIT STRING", ErrMalformed, what, el.tag)
	}
	var bs asn1.BitString
	if _, err := asn1.Unmarshal(el.full, &bs); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	return &bs, nil
}

func parseNegHints(seq []byte) (*NegHints, error) {
	h := &NegHints{}
	err := forEachField(seq, "negHints", func(n int, inner element) error {
		switch n {
		case 0:
			if inner.tag != tagGeneralString {
				return fmt.Errorf("%w: hintName has tag 0x%02x, want GeneralString", ErrMalformed, inner.tag)
			}
			h.HintName = string(inner.content)
			return nil
		case 1:
			var err error
			h.HintAddress, err = octetString(inner, "hintAddress")
			return err
		default:
			return fmt.Errorf("%w: negHints component [%d]", ErrMalformed, n)
		}
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}
