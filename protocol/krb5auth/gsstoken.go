package krb5auth

import (
	"encoding/asn1"
	"errors"
	"fmt"
)

// Kerberos token identifiers (RFC 4121 section 4.1): the two bytes that
// follow the mechanism OID in a context-establishment token.
const (
	tokAPReq    uint16 = 0x0100
	tokAPRep    uint16 = 0x0200
	tokKRBError uint16 = 0x0300
)

// Application tags of the Kerberos messages a context token may carry
// unframed (RFC 4120 section 5.10): some acceptors send a bare AP-REP or
// KRB-ERROR instead of the framed token.
const (
	appTagAPRep    = 15
	appTagKRBError = 30
)

// oidKerberos5 is the standard Kerberos V5 GSS-API mechanism OID
// (RFC 1964 section 1), and oidMSKerberos5 the truncated one Windows
// introduced (MS-SPNG 1.9). Tokens are always framed with the standard one;
// the MS OID only appears in SPNEGO mechanism lists, but a few acceptors
// echo it, so decoding accepts both.
var (
	oidKerberos5   = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	oidMSKerberos5 = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
)

// errMalformedToken is wrapped by every decoding failure of a mechanism
// token.
var errMalformedToken = errors.New("malformed Kerberos GSS-API token")

// mechToken is a decoded Kerberos context-establishment token.
type mechToken struct {
	// tokID is tokAPReq, tokAPRep or tokKRBError.
	tokID uint16
	// msg is the DER encoding of the Kerberos message (AP-REQ, AP-REP or
	// KRB-ERROR), including its application tag.
	msg []byte
}

// encodeMechToken frames a Kerberos message as a GSS-API
// InitialContextToken (RFC 2743 section 3.1): [APPLICATION 0] around the
// mechanism OID, the two-byte token identifier (RFC 4121 section 4.1) and
// the message.
func encodeMechToken(tokID uint16, msg []byte) ([]byte, error) {
	oid, err := asn1.Marshal(oidKerberos5)
	if err != nil {
		return nil, err
	}
	inner := make([]byte, 0, len(oid)+2+len(msg))
	inner = append(inner, oid...)
	inner = append(inner, byte(tokID>>8), byte(tokID))
	inner = append(inner, msg...)
	// The inner token is not itself DER (the message just follows the
	// identifier), so the frame is built as raw application-class bytes.
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: inner})
}

// decodeMechToken parses a Kerberos context-establishment token. Besides the
// framed form it accepts a bare AP-REP or KRB-ERROR, which some acceptors
// send. Anything else, including trailing bytes after the frame, is an
// error wrapping errMalformedToken.
func decodeMechToken(b []byte) (*mechToken, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", errMalformedToken)
	}
	var frame asn1.RawValue
	rest, err := asn1.Unmarshal(b, &frame)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformedToken, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the token", errMalformedToken, len(rest))
	}
	if frame.Class == asn1.ClassApplication && frame.IsCompound {
		switch frame.Tag {
		case appTagAPRep:
			return &mechToken{tokID: tokAPRep, msg: clone(b)}, nil
		case appTagKRBError:
			return &mechToken{tokID: tokKRBError, msg: clone(b)}, nil
		}
	}
	if frame.Class != asn1.ClassApplication || frame.Tag != 0 || !frame.IsCompound {
		return nil, fmt.Errorf("%w: not a GSS-API token (class %d, tag %d)", errMalformedToken, frame.Class, frame.Tag)
	}
	var oid asn1.ObjectIdentifier
	inner, err := asn1.Unmarshal(frame.Bytes, &oid)
	if err != nil {
		return nil, fmt.Errorf("%w: mechanism OID: %v", errMalformedToken, err)
	}
	if !oid.Equal(oidKerberos5) && !oid.Equal(oidMSKerberos5) {
		return nil, fmt.Errorf("%w: mechanism %v is not Kerberos V5", errMalformedToken, oid)
	}
	if len(inner) < 2 {
		return nil, fmt.Errorf("%w: no token identifier", errMalformedToken)
	}
	t := &mechToken{tokID: uint16(inner[0])<<8 | uint16(inner[1]), msg: clone(inner[2:])}
	switch t.tokID {
	case tokAPReq, tokAPRep, tokKRBError:
	default:
		return nil, fmt.Errorf("%w: unknown token identifier 0x%04x", errMalformedToken, t.tokID)
	}
	if len(t.msg) == 0 {
		return nil, fmt.Errorf("%w: token 0x%04x carries no message", errMalformedToken, t.tokID)
	}
	return t, nil
}

// clone returns a copy of b that does not alias the caller's buffer.
func clone(b []byte) []byte { return append([]byte(nil), b...) }
