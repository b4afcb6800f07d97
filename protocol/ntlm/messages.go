package ntlm

import "fmt"

// NEGOTIATE_MESSAGE layout (MS-NLMP 2.2.1.1): Signature, MessageType,
// NegotiateFlags, DomainNameFields, WorkstationFields, Version.
const negotiateLen = 40

// marshalNegotiate builds a NEGOTIATE_MESSAGE without domain or workstation
// (the OEM_*_SUPPLIED flags are never set, so both fields are empty and
// point at the end of the message). The Version field stays zero unless
// NTLMSSP_NEGOTIATE_VERSION is offered (MS-NLMP 2.2.1.1).
func marshalNegotiate(flags NegotiateFlags, v Version) []byte {
	b := make([]byte, negotiateLen)
	copy(b, messageSignature)
	le.PutUint32(b[8:], typeNegotiate)
	le.PutUint32(b[12:], uint32(flags))
	putField(b[16:], 0, negotiateLen)
	putField(b[24:], 0, negotiateLen)
	if flags&FlagVersion != 0 {
		ver := v.marshal()
		copy(b[32:], ver[:])
	}
	return b
}

// AUTHENTICATE_MESSAGE layout (MS-NLMP 2.2.1.3). The fixed part is always
// followed by the 8-byte Version (zero when VERSION was not negotiated) so
// that the MIC, when present, sits at offset 72 where servers read it.
const (
	authFixedLen = 64
	authMICOff   = 72
	micLen       = 16
)

// authenticateMessage holds the fields of an AUTHENTICATE_MESSAGE.
type authenticateMessage struct {
	flags        NegotiateFlags
	lmResponse   []byte
	ntResponse   []byte
	domain       string
	user         string
	workstation  string
	encryptedKey []byte
	version      Version
	withMIC      bool // reserve the 16-byte MIC field (left zero here)
}

// marshal lays the message out with the payload in the order domain, user,
// workstation, LM response, NT response, session key, as in the MS-NLMP
// 4.2.4.3 example. Every payload field is limited to 65535 bytes by its
// 16-bit length; longer strings are an error rather than being cut.
func (m *authenticateMessage) marshal() ([]byte, error) {
	domain := encodeUTF16(m.domain)
	user := encodeUTF16(m.user)
	workstation := encodeUTF16(m.workstation)

	header := authFixedLen + 8
	if m.withMIC {
		header += micLen
	}
	fields := []struct {
		at   int
		name string
		data []byte
	}{
		{28, "domain", domain},
		{36, "user", user},
		{44, "workstation", workstation},
		{12, "LM response", m.lmResponse},
		{20, "NT response", m.ntResponse},
		{52, "session key", m.encryptedKey},
	}
	size := header
	for _, f := range fields {
		if len(f.data) > 0xFFFF {
			return nil, fmt.Errorf("ntlm: %s of %d bytes is too long for an AUTHENTICATE_MESSAGE field", f.name, len(f.data))
		}
		size += len(f.data)
	}

	b := make([]byte, header, size)
	copy(b, messageSignature)
	le.PutUint32(b[8:], typeAuthenticate)
	for _, f := range fields {
		putField(b[f.at:], len(f.data), len(b))
		b = append(b, f.data...)
	}
	le.PutUint32(b[60:], uint32(m.flags))
	if m.flags&FlagVersion != 0 {
		ver := m.version.marshal()
		copy(b[authFixedLen:], ver[:])
	}
	return b, nil
}
