package ntlm

import "fmt"

// AvID identifies an AV_PAIR (MS-NLMP 2.2.2.1).
type AvID uint16

// AV_PAIR identifiers, MS-NLMP 2.2.2.1.
const (
	AvEOL             AvID = 0x0000 // MsvAvEOL: ends the list
	AvNbComputerName  AvID = 0x0001 // MsvAvNbComputerName: server NetBIOS name
	AvNbDomainName    AvID = 0x0002 // MsvAvNbDomainName: server NetBIOS domain
	AvDNSComputerName AvID = 0x0003 // MsvAvDnsComputerName: server FQDN
	AvDNSDomainName   AvID = 0x0004 // MsvAvDnsDomainName: domain FQDN
	AvDNSTreeName     AvID = 0x0005 // MsvAvDnsTreeName: forest FQDN
	AvFlags           AvID = 0x0006 // MsvAvFlags: 32-bit flags
	AvTimestamp       AvID = 0x0007 // MsvAvTimestamp: FILETIME of the server
	AvSingleHost      AvID = 0x0008 // MsvAvSingleHost: Single_Host_Data
	AvTargetName      AvID = 0x0009 // MsvAvTargetName: SPN of the target, UTF-16LE
	AvChannelBindings AvID = 0x000A // MsvAvChannelBindings: MD5 of channel bindings
)

// avFlagMICPresent is the MsvAvFlags bit saying the AUTHENTICATE_MESSAGE
// carries a MIC (MS-NLMP 2.2.2.1, value 0x00000002).
const avFlagMICPresent = 0x00000002

// AVPair is one attribute-value pair of a TargetInfo list. Value is kept as
// the raw bytes the peer sent.
type AVPair struct {
	ID    AvID
	Value []byte
}

// ParseAVPairs decodes an AV_PAIR list (MS-NLMP 2.2.2.1). The list must end
// with an MsvAvEOL of length zero and nothing may follow it; the EOL itself
// is not returned. Pairs whose size the specification fixes (MsvAvFlags 4
// bytes, MsvAvTimestamp 8 bytes) are checked. Values alias b.
func ParseAVPairs(b []byte) ([]AVPair, error) {
	var pairs []AVPair
	for off := 0; ; {
		if len(b)-off < 4 {
			return nil, fmt.Errorf("%w: AV_PAIR list not terminated by MsvAvEOL", ErrMalformed)
		}
		id := AvID(le.Uint16(b[off:]))
		n := int(le.Uint16(b[off+2:]))
		off += 4
		if n > len(b)-off {
			return nil, fmt.Errorf("%w: AV_PAIR 0x%04x length %d exceeds list", ErrMalformed, uint16(id), n)
		}
		value := b[off : off+n]
		off += n
		switch id {
		case AvEOL:
			if n != 0 {
				return nil, fmt.Errorf("%w: MsvAvEOL with length %d", ErrMalformed, n)
			}
			if off != len(b) {
				return nil, fmt.Errorf("%w: %d bytes after MsvAvEOL", ErrMalformed, len(b)-off)
			}
			return pairs, nil
		case AvFlags:
			if n != 4 {
				return nil, fmt.Errorf("%w: MsvAvFlags with length %d", ErrMalformed, n)
			}
		case AvTimestamp:
			if n != 8 {
				return nil, fmt.Errorf("%w: MsvAvTimestamp with length %d", ErrMalformed, n)
			}
		}
		pairs = append(pairs, AVPair{ID: id, Value: value})
	}
}

// appendAVPairs encodes pairs followed by MsvAvEOL. Values longer than
// 65535 bytes cannot be encoded; callers only pass server values (which
// were parsed from 16-bit lengths) and short names.
func appendAVPairs(dst []byte, pairs []AVPair) []byte {
	for _, p := range pairs {
		dst = le.AppendUint16(dst, uint16(p.ID))
		dst = le.AppendUint16(dst, uint16(len(p.Value)))
		dst = append(dst, p.Value...)
	}
	return append(dst, 0, 0, 0, 0)
}

// lookupAV returns the value of the first pair with the given id.
func lookupAV(pairs []AVPair, id AvID) ([]byte, bool) {
	for _, p := range pairs {
		if p.ID == id {
			return p.Value, true
		}
	}
	return nil, false
}

// clientAVPairs builds the AV pairs the client returns inside its NTLMv2
// client challenge (MS-NLMP 3.1.5.1.2): the server's pairs unchanged and in
// order (servers compare them with what they sent), MsvAvFlags with the
// MIC bit when a MIC will be sent, and MsvAvTargetName when an SPN is known.
func clientAVPairs(server []AVPair, withMIC bool, targetName string) ([]AVPair, error) {
	out := make([]AVPair, 0, len(server)+2)
	haveFlags := false
	for _, p := range server {
		switch p.ID {
		case AvFlags:
			if withMIC {
				v := le.Uint32(p.Value) | avFlagMICPresent
				p = AVPair{ID: AvFlags, Value: le.AppendUint32(nil, v)}
			}
			haveFlags = true
		case AvTargetName:
			// The client supplies its own target name below.
			continue
		}
		out = append(out, p)
	}
	if withMIC && !haveFlags {
		out = append(out, AVPair{ID: AvFlags, Value: le.AppendUint32(nil, avFlagMICPresent)})
	}
	if targetName != "" {
		name := encodeUTF16(targetName)
		if len(name) > 0xFFFF {
			return nil, fmt.Errorf("ntlm: target name of %d bytes is too long for an AV_PAIR", len(name))
		}
		out = append(out, AVPair{ID: AvTargetName, Value: name})
	}
	return out, nil
}
