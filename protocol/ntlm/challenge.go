package ntlm

import "fmt"

// CHALLENGE_MESSAGE layout (MS-NLMP 2.2.1.2). Servers from before Windows
// 2000 stop after ServerChallenge; TargetInfoFields follow at 40 and the
// Version at 48.
const (
	challengeMinLen     = 32 // through ServerChallenge
	challengeInfoLen    = 48 // through TargetInfoFields
	challengeVersionLen = 56 // through Version
)

// Challenge is a decoded CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2).
type Challenge struct {
	// Flags are the flags the server selected.
	Flags NegotiateFlags
	// ServerChallenge is the server's 8-byte nonce.
	ServerChallenge [8]byte
	// TargetName is the server's domain or computer name (TargetNameFields).
	TargetName string
	// TargetInfo is the AV_PAIR list exactly as received; nil when the
	// server did not set NTLMSSP_NEGOTIATE_TARGET_INFO or sent none.
	TargetInfo []byte
	// AVPairs is TargetInfo decoded, without the final MsvAvEOL.
	AVPairs []AVPair
	// Version is the server's VERSION, nil when absent.
	Version *Version
}

// Lookup returns the value of the first AV pair with the given id.
func (c *Challenge) Lookup(id AvID) ([]byte, bool) {
	return lookupAV(c.AVPairs, id)
}

// Timestamp returns the MsvAvTimestamp value (a little-endian FILETIME) and
// whether the server sent one. Its presence makes the client send a MIC.
func (c *Challenge) Timestamp() (uint64, bool) {
	v, ok := c.Lookup(AvTimestamp)
	if !ok {
		return 0, false
	}
	return le.Uint64(v), true // ParseAVPairs guarantees 8 bytes
}

// ParseChallenge decodes a CHALLENGE_MESSAGE. It checks the signature and
// message type, that every payload field lies inside b after the fixed
// header, and that TargetInfo (when NTLMSSP_NEGOTIATE_TARGET_INFO is set) is
// a well-formed AV_PAIR list. The returned byte slices alias b.
func ParseChallenge(b []byte) (*Challenge, error) {
	if len(b) < challengeMinLen {
		return nil, fmt.Errorf("%w: CHALLENGE_MESSAGE of %d bytes, need at least %d", ErrMalformed, len(b), challengeMinLen)
	}
	if string(b[:8]) != messageSignature {
		return nil, fmt.Errorf("%w: no NTLMSSP signature", ErrMalformed)
	}
	if t := le.Uint32(b[8:]); t != typeChallenge {
		return nil, fmt.Errorf("%w: message type %d, want %d (CHALLENGE_MESSAGE)", ErrMalformed, t, typeChallenge)
	}
	c := &Challenge{Flags: NegotiateFlags(le.Uint32(b[20:]))}
	copy(c.ServerChallenge[:], b[24:32])

	// The payload starts after the last fixed field the message has room for.
	payloadStart := challengeMinLen
	if len(b) >= challengeInfoLen {
		payloadStart = challengeInfoLen
	}

	name, nameOff, err := readField(b, 12, payloadStart, "TargetName")
	if err != nil {
		return nil, err
	}
	if c.Flags&FlagUnicode != 0 {
		if c.TargetName, err = decodeUTF16(name); err != nil {
			return nil, fmt.Errorf("TargetName: %w", err)
		}
	} else {
		c.TargetName = decodeOEM(name)
	}
	firstPayload := len(b)
	if name != nil {
		firstPayload = nameOff
	}

	if c.Flags&FlagTargetInfo != 0 {
		if len(b) < challengeInfoLen {
			return nil, fmt.Errorf("%w: NTLMSSP_NEGOTIATE_TARGET_INFO set but message has no TargetInfoFields", ErrMalformed)
		}
		info, infoOff, err := readField(b, 40, payloadStart, "TargetInfo")
		if err != nil {
			return nil, err
		}
		if info != nil {
			if c.AVPairs, err = ParseAVPairs(info); err != nil {
				return nil, fmt.Errorf("TargetInfo: %w", err)
			}
			c.TargetInfo = info
			firstPayload = min(firstPayload, infoOff)
		}
	}

	// The Version is only there when negotiated and when the payload does
	// not begin where it would be.
	if c.Flags&FlagVersion != 0 && len(b) >= challengeVersionLen && firstPayload >= challengeVersionLen {
		c.Version = parseVersion(b[challengeInfoLen:challengeVersionLen])
	}
	return c, nil
}
