package smbcrypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// KDF derives bits bits of key material from key with the SP800-108 key
// derivation function in counter mode, HMAC-SHA256 as the PRF and a 32-bit
// counter (r = 32), as MS-SMB2 3.1.4.2 specifies. Each PRF input is
//
//	i (4 bytes, big-endian, from 1) || label || 0x00 || context || L (4 bytes, big-endian)
//
// where L is bits. SMB labels and contexts are NUL-terminated strings whose
// terminator counts as part of them, so callers pass e.g. "SMBSigningKey\x00"
// and the separator byte follows it.
//
// bits must be a positive multiple of 8 no larger than 2^20; otherwise KDF
// returns nil.
func KDF(key, label, context []byte, bits int) []byte {
	if bits <= 0 || bits%8 != 0 || bits > 1<<20 {
		return nil
	}
	n := bits / 8
	out := make([]byte, 0, (n+sha256.Size-1)/sha256.Size*sha256.Size)
	mac := hmac.New(sha256.New, key)
	var word [4]byte
	for i := uint32(1); len(out) < n; i++ {
		mac.Reset()
		binary.BigEndian.PutUint32(word[:], i)
		mac.Write(word[:])
		mac.Write(label)
		mac.Write([]byte{0})
		mac.Write(context)
		binary.BigEndian.PutUint32(word[:], uint32(bits))
		mac.Write(word[:])
		out = mac.Sum(out)
	}
	return out[:n:n]
}

// SessionKeys are the keys of one authenticated SMB2 session, from the
// client's point of view (MS-SMB2 3.2.1.3).
type SessionKeys struct {
	// Signing signs and verifies messages (Session.SigningKey). It is always
	// 16 bytes.
	Signing []byte
	// Encrypt encrypts client-to-server messages (Session.EncryptionKey).
	// Nil for dialects 2.0.2 and 2.1.
	Encrypt []byte
	// Decrypt decrypts server-to-client messages (Session.DecryptionKey).
	// Nil for dialects 2.0.2 and 2.1.
	Decrypt []byte
	// Application is the 16-byte key handed to applications that ask for
	// the session key, such as DCE/RPC over named pipes: Session.ApplicationKey
	// for SMB 3.x, Session.SessionKey before (MS-SMB2 3.2.4.25).
	Application []byte
}

// KDF labels and contexts of MS-SMB2 3.2.5.3.1, terminator included.
var (
	label30Signing  = []byte("SMB2AESCMAC\x00")
	ctx30Signing    = []byte("SmbSign\x00")
	label30Cipher   = []byte("SMB2AESCCM\x00")
	ctx30ServerIn   = []byte("ServerIn \x00") // the space is part of the string
	ctx30ServerOut  = []byte("ServerOut\x00")
	label30App      = []byte("SMB2APP\x00")
	ctx30App        = []byte("SmbRpc\x00")
	label311Signing = []byte("SMBSigningKey\x00")
	label311C2S     = []byte("SMBC2SCipherKey\x00")
	label311S2C     = []byte("SMBS2CCipherKey\x00")
	label311App     = []byte("SMBAppKey\x00")
)

// PreauthHashSize is the size of the SHA-512 pre-authentication integrity
// hash that 3.1.1 uses as KDF context.
const PreauthHashSize = 64

// DeriveKeys derives the session keys for dialect from sessionKey, the
// cryptographic key the GSS mechanism (NTLM, Kerberos) produced, following
// MS-SMB2 3.2.5.3.1:
//
//   - Session.SessionKey is the first 16 bytes of sessionKey, right-padded
//     with zeros when it is shorter (MS-SMB2 3.2.1.3).
//   - 2.0.2 and 2.1: the signing key is Session.SessionKey itself (used
//     with HMAC-SHA256), and so is the application key; there is no
//     encryption.
//   - 3.0 and 3.0.2: 128-bit keys derived from Session.SessionKey with the
//     fixed labels "SMB2AESCMAC"/"SmbSign" (signing), "SMB2AESCCM"/
//     "ServerIn " (client-to-server), "SMB2AESCCM"/"ServerOut"
//     (server-to-client) and "SMB2APP"/"SmbRpc" (application). preauthHash
//     is ignored; cipherID must be CipherNone or CipherAES128CCM.
//   - 3.1.1: labels "SMBSigningKey", "SMBC2SCipherKey", "SMBS2CCipherKey"
//     and "SMBAppKey" with preauthHash (the session's final
//     PreauthIntegrityHashValue, 64 bytes) as context. When cipherID is
//     AES-256-CCM or AES-256-GCM the two cipher keys are 256 bits long and
//     derived from the full sessionKey (Session.FullSessionKey); signing and
//     application keys stay 128-bit keys derived from Session.SessionKey,
//     because the signing algorithms are all AES-128 based. This matches
//     what Windows, Samba and macOS do.
//
// The returned slices never alias sessionKey or preauthHash.
func DeriveKeys(dialect uint16, sessionKey, preauthHash []byte, cipherID uint16) (SessionKeys, error) {
	if len(sessionKey) == 0 {
		return SessionKeys{}, errors.New("smbcrypto: empty session key (anonymous or guest session)")
	}
	var short [16]byte
	copy(short[:], sessionKey)

	switch dialect {
	case Dialect202, Dialect210:
		if cipherID != CipherNone {
			return SessionKeys{}, fmt.Errorf("smbcrypto: dialect 0x%04X has no encryption, cipher id 0x%04X given", dialect, cipherID)
		}
		return SessionKeys{
			Signing:     append([]byte(nil), short[:]...),
			Application: append([]byte(nil), short[:]...),
		}, nil

	case Dialect300, Dialect302:
		if cipherID != CipherNone && cipherID != CipherAES128CCM {
			return SessionKeys{}, fmt.Errorf("smbcrypto: dialect 0x%04X encrypts only with AES-128-CCM, cipher id 0x%04X given", dialect, cipherID)
		}
		return SessionKeys{
			Signing:     KDF(short[:], label30Signing, ctx30Signing, 128),
			Encrypt:     KDF(short[:], label30Cipher, ctx30ServerIn, 128),
			Decrypt:     KDF(short[:], label30Cipher, ctx30ServerOut, 128),
			Application: KDF(short[:], label30App, ctx30App, 128),
		}, nil

	case Dialect311:
		if len(preauthHash) != PreauthHashSize {
			return SessionKeys{}, fmt.Errorf("smbcrypto: 3.1.1 pre-authentication hash is %d bytes, want %d", len(preauthHash), PreauthHashSize)
		}
		cipherKey, cipherBits := short[:], 128
		switch cipherID {
		case CipherNone, CipherAES128CCM, CipherAES128GCM:
		case CipherAES256CCM, CipherAES256GCM:
			cipherKey, cipherBits = sessionKey, 256
		default:
			return SessionKeys{}, fmt.Errorf("smbcrypto: unknown cipher id 0x%04X", cipherID)
		}
		return SessionKeys{
			Signing:     KDF(short[:], label311Signing, preauthHash, 128),
			Encrypt:     KDF(cipherKey, label311C2S, preauthHash, cipherBits),
			Decrypt:     KDF(cipherKey, label311S2C, preauthHash, cipherBits),
			Application: KDF(short[:], label311App, preauthHash, 128),
		}, nil
	}
	return SessionKeys{}, fmt.Errorf("smbcrypto: unknown dialect 0x%04X", dialect)
}
