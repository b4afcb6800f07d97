package smbcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Signer computes SMB2 message signatures with one signing key
// (MS-SMB2 3.1.4.1). Implementations returned by NewSigner are safe for
// concurrent use.
type Signer interface {
	// Sign returns the 16-byte signature of one SMB2 message: its 64-byte
	// header and everything up to the next message of a compound chain,
	// padding included. The caller guarantees that the Signature field
	// (header bytes 48..63) is zero and that SMB2_FLAGS_SIGNED is already
	// set in Flags when the message is to carry the signature. Sign does
	// not modify msg. A msg shorter than the header is signed as is, with
	// the header fields AES-GMAC reads taken as zero; it cannot be a valid
	// SMB2 message.
	Sign(msg []byte) [SignatureSize]byte
}

// NewSigner returns a Signer for one of the signing algorithm ids
// (MS-SMB2 2.2.3.1.7):
//
//   - SigningHMACSHA256: HMAC-SHA256 truncated to 16 bytes, for dialects
//     2.0.2 and 2.1. Any key length is accepted; SMB uses the 16-byte
//     session key.
//   - SigningAESCMAC: AES-128-CMAC, for 3.x when nothing else was
//     negotiated. key must be 16 bytes.
//   - SigningAESGMAC: AES-128-GMAC, for 3.1.1 with the
//     SMB2_SIGNING_CAPABILITIES context. key must be 16 bytes.
func NewSigner(algorithm uint16, key []byte) (Signer, error) {
	switch algorithm {
	case SigningHMACSHA256:
		if len(key) == 0 {
			return nil, errors.New("smbcrypto: HMAC-SHA256 signing with an empty key")
		}
		k := append([]byte(nil), key...)
		s := &hmacSigner{}
		s.pool.New = func() any { return hmac.New(sha256.New, k) }
		return s, nil
	case SigningAESCMAC, SigningAESGMAC:
		if len(key) != 16 {
			return nil, fmt.Errorf("smbcrypto: signing algorithm %d needs a 16-byte key, got %d bytes", algorithm, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("smbcrypto: signing key: %w", err)
		}
		if algorithm == SigningAESCMAC {
			c, err := newCMAC(block)
			if err != nil {
				return nil, err
			}
			return cmacSigner{c}, nil
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("smbcrypto: GMAC: %w", err)
		}
		return gmacSigner{gcm}, nil
	}
	return nil, fmt.Errorf("smbcrypto: unknown signing algorithm id 0x%04X", algorithm)
}

// Verify reports whether the Signature field of the SMB2 message msg holds
// s's signature of it, comparing in constant time. A message shorter than
// the 64-byte header is never valid.
//
// Verify zeroes the Signature field of msg while it computes the signature
// and restores it before returning, so msg is unchanged afterwards but must
// not be read or written by another goroutine during the call. This lets a
// connection verify a response where it lies in its read buffer without a
// copy.
func Verify(s Signer, msg []byte) bool {
	if len(msg) < smb2HeaderSize {
		return false
	}
	field := msg[offSignature : offSignature+SignatureSize]
	got := [SignatureSize]byte(field)
	clear(field)
	want := s.Sign(msg)
	copy(field, got[:])
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// hmacSigner signs with HMAC-SHA256 truncated to 16 bytes (MS-SMB2 3.1.4.1,
// dialects 2.0.2 and 2.1). hash.Hash values are stateful, so each Sign takes
// one from a pool private to the signer.
type hmacSigner struct {
	pool sync.Pool // of hash.Hash from hmac.New(sha256.New, key)
}

// Sign implements Signer.
func (s *hmacSigner) Sign(msg []byte) [SignatureSize]byte {
	h := s.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(msg)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	s.pool.Put(h)
	return [SignatureSize]byte(sum[:SignatureSize])
}

// cmacSigner signs with AES-128-CMAC (MS-SMB2 3.1.4.1, SMB 3.x).
type cmacSigner struct{ c *cmac }

// Sign implements Signer.
func (s cmacSigner) Sign(msg []byte) [SignatureSize]byte { return s.c.sum(msg) }

// gmacSigner signs with AES-128-GMAC: AES-128-GCM over an empty plaintext
// with the whole message as additional data, the tag being the signature
// (MS-SMB2 3.1.4.1). The AEAD from crypto/cipher is safe for concurrent
// Seal calls.
type gmacSigner struct{ gcm cipher.AEAD }

// Sign implements Signer.
func (s gmacSigner) Sign(msg []byte) [SignatureSize]byte {
	nonce := gmacNonce(msg)
	var tag [SignatureSize]byte
	s.gcm.Seal(tag[:0], nonce[:], nil, msg)
	return tag
}

// gmacNonce builds the 12-byte AES-GMAC nonce of MS-SMB2 3.1.4.1 from the
// header of msg: the MessageId (8 bytes, little-endian as on the wire), then
// a 32-bit little-endian word whose bit 0 says the message goes from server
// to client (SMB2_FLAGS_SERVER_TO_REDIR) and whose bit 1 says it is an SMB2
// CANCEL request. Binding the role and the cancel bit into the nonce keeps a
// signature from being replayed in the other direction, or a CANCEL (which
// reuses the MessageId of the request it cancels) from standing in for that
// request.
func gmacNonce(msg []byte) [12]byte {
	var nonce [12]byte
	if len(msg) < smb2HeaderSize {
		return nonce
	}
	copy(nonce[:8], msg[offMessageID:offMessageID+8])
	flags := binary.LittleEndian.Uint32(msg[offFlags:])
	command := binary.LittleEndian.Uint16(msg[offCommand:])
	var bits uint32
	if flags&flagServerToRed != 0 {
		bits |= 1
	} else if command == commandCancel {
		bits |= 2
	}
	binary.LittleEndian.PutUint32(nonce[8:], bits)
	return nonce
}
