package smbcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
)

// SMB's AEAD parameters (MS-SMB2 2.2.41): the TRANSFORM_HEADER has room for a
// 16-byte nonce of which CCM uses 11 bytes and GCM 12, and a 16-byte
// Signature that carries the tag.
const (
	ccmNonceSize = 11
	gcmNonceSize = 12
	aeadTagSize  = 16
)

// NewAEAD returns the AEAD of an SMB 3 cipher id (MS-SMB2 2.2.3.1.2) keyed
// with key, which must be 16 bytes for the AES-128 ciphers and 32 for the
// AES-256 ones. CCM takes 11-byte nonces, GCM 12-byte ones; both produce
// 16-byte tags. The AEAD is safe for concurrent use.
//
// Dialects 3.0 and 3.0.2 always use CipherAES128CCM.
func NewAEAD(cipherID uint16, key []byte) (cipher.AEAD, error) {
	want := cipherKeySize(cipherID)
	if want == 0 {
		return nil, fmt.Errorf("smbcrypto: unknown cipher id 0x%04X", cipherID)
	}
	if len(key) != want {
		return nil, fmt.Errorf("smbcrypto: cipher id 0x%04X needs a %d-byte key, got %d bytes", cipherID, want, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("smbcrypto: encryption key: %w", err)
	}
	switch cipherID {
	case CipherAES128CCM, CipherAES256CCM:
		return newCCM(block, ccmNonceSize, aeadTagSize)
	default:
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("smbcrypto: GCM: %w", err)
		}
		return gcm, nil
	}
}
