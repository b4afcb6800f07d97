package ntlm

import (
	"fmt"
	"math/bits"
	"strings"
)

// NegotiateFlags is the NegotiateFlags field shared by the three NTLM
// messages (MS-NLMP 2.2.2.5). Bit names follow the specification.
type NegotiateFlags uint32

// Negotiate flag bits, MS-NLMP 2.2.2.5 (the letter is the one the
// specification uses in its bit diagram).
const (
	FlagUnicode                 NegotiateFlags = 1 << 0  // A: NTLMSSP_NEGOTIATE_UNICODE
	FlagOEM                     NegotiateFlags = 1 << 1  // B: NTLM_NEGOTIATE_OEM
	FlagRequestTarget           NegotiateFlags = 1 << 2  // C: NTLMSSP_REQUEST_TARGET
	FlagSign                    NegotiateFlags = 1 << 4  // D: NTLMSSP_NEGOTIATE_SIGN
	FlagSeal                    NegotiateFlags = 1 << 5  // E: NTLMSSP_NEGOTIATE_SEAL
	FlagDatagram                NegotiateFlags = 1 << 6  // F: NTLMSSP_NEGOTIATE_DATAGRAM
	FlagLMKey                   NegotiateFlags = 1 << 7  // G: NTLMSSP_NEGOTIATE_LM_KEY
	FlagNTLM                    NegotiateFlags = 1 << 9  // H: NTLMSSP_NEGOTIATE_NTLM
	FlagAnonymous               NegotiateFlags = 1 << 11 // J: NTLMSSP_NEGOTIATE_ANONYMOUS
	FlagOEMDomainSupplied       NegotiateFlags = 1 << 12 // K: NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED
	FlagOEMWorkstationSupplied  NegotiateFlags = 1 << 13 // L: NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED
	FlagAlwaysSign              NegotiateFlags = 1 << 15 // M: NTLMSSP_NEGOTIATE_ALWAYS_SIGN
	FlagTargetTypeDomain        NegotiateFlags = 1 << 16 // N: NTLMSSP_TARGET_TYPE_DOMAIN
	FlagTargetTypeServer        NegotiateFlags = 1 << 17 // O: NTLMSSP_TARGET_TYPE_SERVER
	FlagExtendedSessionSecurity NegotiateFlags = 1 << 19 // P: NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY
	FlagIdentify                NegotiateFlags = 1 << 20 // Q: NTLMSSP_NEGOTIATE_IDENTIFY
	FlagRequestNonNTSessionKey  NegotiateFlags = 1 << 22 // R: NTLMSSP_REQUEST_NON_NT_SESSION_KEY
	FlagTargetInfo              NegotiateFlags = 1 << 23 // S: NTLMSSP_NEGOTIATE_TARGET_INFO
	FlagVersion                 NegotiateFlags = 1 << 25 // T: NTLMSSP_NEGOTIATE_VERSION
	Flag128                     NegotiateFlags = 1 << 29 // U: NTLMSSP_NEGOTIATE_128
	FlagKeyExch                 NegotiateFlags = 1 << 30 // V: NTLMSSP_NEGOTIATE_KEY_EXCH
	Flag56                      NegotiateFlags = 1 << 31 // W: NTLMSSP_NEGOTIATE_56
)

// DefaultFlags is what a [Client] sends in its NEGOTIATE_MESSAGE when
// Client.Flags is zero (0xE2888215, the set a current Windows client offers
// for SMB, without LM_KEY and OEM). Why each bit is there:
//
//   - UNICODE: all strings are UTF-16LE; OEM code pages are not supported.
//   - REQUEST_TARGET: asks the server for its TargetName; Samba's server only
//     returns TargetInfo (the AV pairs NTLMv2 needs) when this is set.
//   - NTLM, EXTENDED_SESSIONSECURITY: required with NTLMv2 (MS-NLMP 3.1.5.1.1);
//     ESS also selects the HMAC-MD5 message signature used for mechListMIC.
//   - SIGN, ALWAYS_SIGN: the SPNEGO mechListMIC is an NTLM signature, and SMB
//     signing needs a session key, which Windows servers only establish when
//     SIGN (or SEAL) is negotiated.
//   - TARGET_INFO: announces that the client uses the AV pairs (NTLMv2).
//   - VERSION: the Version field is always present, which also keeps the MIC
//     at its fixed offset 72 where servers look for it.
//   - 128, 56, KEY_EXCH: the exported session key is a fresh random key
//     encrypted with the key exchange key, and the sealing key (which also
//     encrypts signatures) is full strength.
//
// SEAL is not requested: SMB never seals with NTLM (SMB3 encryption uses keys
// derived from the session key), and signatures do not need it.
const DefaultFlags = FlagUnicode | FlagRequestTarget | FlagSign | FlagNTLM |
	FlagAlwaysSign | FlagExtendedSessionSecurity | FlagTargetInfo |
	FlagVersion | Flag128 | FlagKeyExch | Flag56

var flagNames = [32]string{
	0: "UNICODE", 1: "OEM", 2: "REQUEST_TARGET", 4: "SIGN", 5: "SEAL",
	6: "DATAGRAM", 7: "LM_KEY", 9: "NTLM", 11: "ANONYMOUS",
	12: "OEM_DOMAIN_SUPPLIED", 13: "OEM_WORKSTATION_SUPPLIED",
	15: "ALWAYS_SIGN", 16: "TARGET_TYPE_DOMAIN", 17: "TARGET_TYPE_SERVER",
	19: "EXTENDED_SESSIONSECURITY", 20: "IDENTIFY",
	22: "REQUEST_NON_NT_SESSION_KEY", 23: "TARGET_INFO", 25: "VERSION",
	29: "128", 30: "KEY_EXCH", 31: "56",
}

// String lists the set bits by their MS-NLMP names, for logs and test
// failures; unnamed (reserved) bits are shown as hex.
func (f NegotiateFlags) String() string {
	if f == 0 {
		return "0"
	}
	var parts []string
	for v := uint32(f); v != 0; v &= v - 1 {
		bit := bits.TrailingZeros32(v)
		if name := flagNames[bit]; name != "" {
			parts = append(parts, name)
		} else {
			parts = append(parts, fmt.Sprintf("0x%x", uint32(1)<<bit))
		}
	}
	return strings.Join(parts, "|")
}
