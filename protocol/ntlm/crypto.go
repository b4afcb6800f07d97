package ntlm

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"strings"

	"golang.org/x/crypto/md4" //lint:ignore SA1019 the NT hash is MD4 by definition (MS-NLMP 3.3.1 NTOWFv1)
)

// ntHash is NTOWFv1 (MS-NLMP 3.3.1): MD4 of the UTF-16LE password. NTOWFv2
// starts from it, which is also why an NT hash can stand in for a password.
func ntHash(password string) []byte {
	h := md4.New()
	h.Write(encodeUTF16(password))
	return h.Sum(nil)
}

// ntowfv2 is NTOWFv2 (MS-NLMP 3.3.2): HMAC-MD5 keyed with the NT hash over
// UTF-16LE(Uppercase(User) || UserDom). Only the user name is upper-cased.
// It serves as both ResponseKeyNT and ResponseKeyLM.
func ntowfv2(hash []byte, user, domain string) []byte {
	return hmacMD5(hash, encodeUTF16(strings.ToUpper(user)+domain))
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// ntlmv2ClientChallenge builds the "temp" of MS-NLMP 3.3.2, the
// NTLMv2_CLIENT_CHALLENGE structure (2.2.2.7): RespType 1, HiRespType 1,
// six reserved zero bytes, the FILETIME, the client nonce, four reserved
// zero bytes, the AV pairs (ending in MsvAvEOL) and four more zero bytes.
func ntlmv2ClientChallenge(timestamp [8]byte, clientChallenge [8]byte, avPairs []byte) []byte {
	temp := make([]byte, 0, 28+len(avPairs)+4)
	temp = append(temp, 1, 1, 0, 0, 0, 0, 0, 0)
	temp = append(temp, timestamp[:]...)
	temp = append(temp, clientChallenge[:]...)
	temp = append(temp, 0, 0, 0, 0)
	temp = append(temp, avPairs...)
	return append(temp, 0, 0, 0, 0)
}

// ntlmv2Response computes, per MS-NLMP 3.3.2, NTProofStr =
// HMAC_MD5(ResponseKeyNT, ServerChallenge || temp), the NtChallengeResponse
// NTProofStr || temp, and SessionBaseKey = HMAC_MD5(ResponseKeyNT,
// NTProofStr). For NTLMv2 the key exchange key is the SessionBaseKey
// (MS-NLMP 3.4.5.1).
func ntlmv2Response(responseKey []byte, serverChallenge [8]byte, temp []byte) (ntResponse, sessionBaseKey []byte) {
	proof := hmacMD5(responseKey, serverChallenge[:], temp)
	ntResponse = make([]byte, 0, len(proof)+len(temp))
	ntResponse = append(append(ntResponse, proof...), temp...)
	return ntResponse, hmacMD5(responseKey, proof)
}

// lmv2Response is the LMv2 response of MS-NLMP 3.3.2:
// HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) || ClientChallenge.
func lmv2Response(responseKey []byte, serverChallenge, clientChallenge [8]byte) []byte {
	return append(hmacMD5(responseKey, serverChallenge[:], clientChallenge[:]), clientChallenge[:]...)
}

// rc4Encrypt is RC4K(key, data) of MS-NLMP 6: a fresh RC4 stream, used to
// carry the random session key under the key exchange key.
func rc4Encrypt(key, data []byte) []byte {
	c, err := rc4.NewCipher(key)
	if err != nil {
		panic("ntlm: rc4 key of invalid size") // keys here are always 16 bytes
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// Magic constants of SIGNKEY and SEALKEY (MS-NLMP 3.4.5.2, 3.4.5.3),
// including their terminating NUL, which is hashed too.
const (
	clientSignMagic = "session key to client-to-server signing key magic constant\x00"
	serverSignMagic = "session key to server-to-client signing key magic constant\x00"
	clientSealMagic = "session key to client-to-server sealing key magic constant\x00"
	serverSealMagic = "session key to server-to-client sealing key magic constant\x00"
)

// signKey is SIGNKEY with extended session security (MS-NLMP 3.4.5.2).
func signKey(exportedSessionKey []byte, magic string) []byte {
	h := md5.New()
	h.Write(exportedSessionKey)
	h.Write([]byte(magic))
	return h.Sum(nil)
}

// sealKey is SEALKEY with extended session security (MS-NLMP 3.4.5.3): the
// exported key is cut to 16, 7 or 5 bytes by the negotiated strength before
// hashing.
func sealKey(flags NegotiateFlags, exportedSessionKey []byte, magic string) []byte {
	key := exportedSessionKey
	switch {
	case flags&Flag128 != 0:
	case flags&Flag56 != 0:
		key = key[:7]
	default:
		key = key[:5]
	}
	h := md5.New()
	h.Write(key)
	h.Write([]byte(magic))
	return h.Sum(nil)
}
