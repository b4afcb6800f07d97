package protocol

import (
	"github.com/smbfs/smbfs/protocol/smbcrypto"
)

// transformHeaderSize is the size of the SMB2 TRANSFORM_HEADER (MS-SMB2 2.2.41).
const transformHeaderSize = smbcrypto.TransformHeaderSize

// seal encrypts, in place, the message chain that follows a reserved
// transform header at buf[at:at+52] (MS-SMB2 3.1.4.3) and returns the frame
// buf[:at] + TRANSFORM_HEADER + ciphertext. Each message gets a fresh nonce
// from the session's NonceSource: a nonce is never reused under one key.
func (s *Session) seal(buf []byte, at int) ([]byte, error) {
	var nonce [16]byte
	n := nonce[:s.encryptor.NonceSize()]
	if err := s.nonces.Next(n); err != nil {
		return nil, err
	}
	return smbcrypto.Seal(buf[:at], s.encryptor, n, s.id, buf[at+transformHeaderSize:])
}
