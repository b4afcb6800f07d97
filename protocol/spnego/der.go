package spnego

import (
	"encoding/asn1"
	"fmt"
)

// DER tags used by SPNEGO (X.690). Context-specific tags are constructed
// because RFC 4178's module uses EXPLICIT tagging.
const (
	tagBitString       = 0x03
	tagOctetString     = 0x04
	tagOID             = 0x06
	tagEnumerated      = 0x0a
	tagGeneralString   = 0x1b
	tagSequence        = 0x30
	tagApplication0    = 0x60 // [APPLICATION 0] constructed: GSS-API InitialContextToken
	tagContext0        = 0xa0 // [0] constructed; [n] is tagContext0|n
	tagClassMask       = 0xe0 // class and constructed bits of a tag byte
	tagNumberMask      = 0x1f
	highTagNumberForm  = 0x1f // tag number continues in further bytes
	longFormLengthFlag = 0x80
	indefiniteLength   = 0x80 // BER only; DER forbids it
	maxLengthOctets    = 4    // lengths above 4 GiB are never legitimate here
)

func contextTag(n int) byte { return tagContext0 | byte(n) }

// appendLength appends a DER definite length in the shortest form.
func appendLength(dst []byte, n int) []byte {
	if n < 0x80 {
		return append(dst, byte(n))
	}
	var buf [8]byte
	i := len(buf)
	for v := uint64(n); v > 0; v >>= 8 {
		i--
		buf[i] = byte(v)
	}
	dst = append(dst, longFormLengthFlag|byte(len(buf)-i))
	return append(dst, buf[i:]...)
}

// tlv encodes one DER element from its tag and the concatenated contents.
func tlv(tag byte, contents ...[]byte) []byte {
	n := 0
	for _, c := range contents {
		n += len(c)
	}
	out := make([]byte, 0, 1+5+n)
	out = append(out, tag)
	out = appendLength(out, n)
	for _, c := range contents {
		out = append(out, c...)
	}
	return out
}

// element is one parsed DER TLV.
type element struct {
	tag     byte
	content []byte
	full    []byte // tag, length and content
}

// parseElement reads the DER element at the start of b and returns it with
// the bytes that follow. It accepts only what DER allows: single-byte tags
// (every tag SPNEGO uses), definite lengths in their shortest form, and
// content that fits in b.
func parseElement(b []byte) (element, []byte, error) {
	if len(b) < 2 {
		return element{}, nil, fmt.Errorf("%w: truncated element (%d bytes)", ErrMalformed, len(b))
	}
	tag := b[0]
	if tag&tagNumberMask == highTagNumberForm {
		return element{}, nil, fmt.Errorf("%w: multi-byte tag 0x%02x", ErrMalformed, tag)
	}
	length, hdr := int(b[1]), 2
	if length&longFormLengthFlag != 0 {
		octets := length &^ longFormLengthFlag
		switch {
		case length == indefiniteLength:
			return element{}, nil, fmt.Errorf("%w: indefinite length", ErrMalformed)
		case octets > maxLengthOctets:
			return element{}, nil, fmt.Errorf("%w: length of %d octets", ErrMalformed, octets)
		case len(b) < 2+octets:
			return element{}, nil, fmt.Errorf("%w: truncated length", ErrMalformed)
		case b[2] == 0:
			return element{}, nil, fmt.Errorf("%w: length with leading zero octet", ErrMalformed)
		}
		length = 0
		for _, c := range b[2 : 2+octets] {
			length = length<<8 | int(c)
		}
		if length < 0x80 {
			return element{}, nil, fmt.Errorf("%w: long-form length %d", ErrMalformed, length)
		}
		hdr += octets
	}
	if length > len(b)-hdr {
		return element{}, nil, fmt.Errorf("%w: element of %d bytes but only %d remain", ErrMalformed, length, len(b)-hdr)
	}
	end := hdr + length
	return element{tag: tag, content: b[hdr:end], full: b[:end]}, b[end:], nil
}

// parseSingle parses b as exactly one element with the given tag.
func parseSingle(b []byte, tag byte, what string) (element, error) {
	el, rest, err := parseElement(b)
	if err != nil {
		return element{}, fmt.Errorf("%s: %w", what, err)
	}
	if el.tag != tag {
		return element{}, fmt.Errorf("%w: %s has tag 0x%02x, want 0x%02x", ErrMalformed, what, el.tag, tag)
	}
	if len(rest) != 0 {
		return element{}, fmt.Errorf("%w: %d bytes after %s", ErrMalformed, len(rest), what)
	}
	return el, nil
}

// forEachField walks the elements of a SEQUENCE whose components are all
// EXPLICIT context-tagged ([n] constructed, holding exactly one element).
// Tags must be strictly increasing, as DER orders SEQUENCE components and
// forbids repeats. fn gets the tag number and the inner element.
func forEachField(seq []byte, what string, fn func(n int, inner element) error) error {
	last := -1
	for rest := seq; len(rest) > 0; {
		el, next, err := parseElement(rest)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		rest = next
		if el.tag&tagClassMask != tagContext0 {
			return fmt.Errorf("%w: %s component with tag 0x%02x", ErrMalformed, what, el.tag)
		}
		n := int(el.tag & tagNumberMask)
		if n <= last {
			return fmt.Errorf("%w: %s component [%d] after [%d]", ErrMalformed, what, n, last)
		}
		last = n
		inner, rest2, err := parseElement(el.content)
		if err != nil {
			return fmt.Errorf("%s [%d]: %w", what, n, err)
		}
		if len(rest2) != 0 {
			return fmt.Errorf("%w: %s [%d] holds more than one element", ErrMalformed, what, n)
		}
		if err := fn(n, inner); err != nil {
			return err
		}
	}
	return nil
}

// parseOID decodes an OBJECT IDENTIFIER element.
func parseOID(el element, what string) (asn1.ObjectIdentifier, error) {
	if el.tag != tagOID {
		return nil, fmt.Errorf("%w: %s has tag 0x%02x, want OBJECT IDENTIFIER", ErrMalformed, what, el.tag)
	}
	var oid asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(el.full, &oid)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	if len(rest) != 0 { // cannot happen: el.full is one element
		return nil, fmt.Errorf("%w: %s: trailing bytes", ErrMalformed, what)
	}
	return oid, nil
}

// marshalOID encodes an OBJECT IDENTIFIER element.
func marshalOID(oid asn1.ObjectIdentifier) ([]byte, error) {
	b, err := asn1.Marshal(oid)
	if err != nil {
		return nil, fmt.Errorf("spnego: invalid mechanism OID %v: %w", oid, err)
	}
	return b, nil
}

// octetString returns the content of an OCTET STRING element, never nil so
// that a present but empty string stays distinguishable from an absent one.
func octetString(el element, what string) ([]byte, error) {
	if el.tag != tagOctetString {
		return nil, fmt.Errorf("%w: %s has tag 0x%02x, want OCTET STRING", ErrMalformed, what, el.tag)
	}
	return append([]byte{}, el.content...), nil
}
