package smbcrypto

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ccm is the CCM mode of NIST SP 800-38C (also RFC 3610) over a 128-bit
// block cipher, as a cipher.AEAD. SMB 3 uses it with AES, an 11-byte nonce
// and a 16-byte tag (MS-SMB2 2.2.41, RFC 4309); the general nonce and tag
// sizes exist so the published test vectors can be checked.
//
// A ccm holds nothing but the block cipher and two sizes, and every call keeps
// its state locally, so it is safe for concurrent use.
type ccm struct {
	block     cipher.Block
	nonceSize int // n of SP 800-38C: 7..13
	tagSize   int // t: 4, 6, ..., 16
}

// errCCMOpen is the only error Open returns for a ciphertext that does not
// authenticate, whatever the reason, as for crypto/cipher's GCM.
var errCCMOpen = errors.New("smbcrypto: CCM message authentication failed")

// newCCM returns CCM over block with the given nonce and tag sizes
// (SP 800-38C A.1: nonce 7..13 bytes, tag 4..16 bytes and even).
func newCCM(block cipher.Block, nonceSize, tagSize int) (*ccm, error) {
	if block.BlockSize() != 16 {
		return nil, errors.New("smbcrypto: CCM needs a 128-bit block cipher")
	}
	if nonceSize < 7 || nonceSize > 13 {
		return nil, fmt.Errorf("smbcrypto: CCM nonce size %d outside 7..13", nonceSize)
	}
	if tagSize < 4 || tagSize > 16 || tagSize%2 != 0 {
		return nil, fmt.Errorf("smbcrypto: CCM tag size %d not one of 4, 6, ..., 16", tagSize)
	}
	return &ccm{block: block, nonceSize: nonceSize, tagSize: tagSize}, nil
}

// NonceSize implements cipher.AEAD.
func (c *ccm) NonceSize() int { return c.nonceSize }

// Overhead implements cipher.AEAD.
func (c *ccm) Overhead() int { return c.tagSize }

// maxPlaintext is the longest payload whose length fits the q-byte length
// field of B0 (q = 15 - nonce size), capped to what an int can hold.
func (c *ccm) maxPlaintext() uint64 {
	q := 15 - c.nonceSize
	if q >= 8 {
		return math.MaxInt64
	}
	return uint64(1)<<(8*q) - 1
}

// Seal implements cipher.AEAD. Like crypto/cipher's GCM it panics when the
// nonce has the wrong size or the plaintext is longer than the nonce size
// allows, both programming errors. dst may be plaintext[:0] to encrypt in
// place; any other overlap gives garbage.
func (c *ccm) Seal(dst, nonce, plaintext, additionalData []byte) []byte {
	if len(nonce) != c.nonceSize {
		panic("smbcrypto: CCM: incorrect nonce length given to Seal")
	}
	if uint64(len(plaintext)) > c.maxPlaintext() {
		panic("smbcrypto: CCM: plaintext too large")
	}
	ret, out := growSlice(dst, len(plaintext)+c.tagSize)

	// The MAC is computed over the plaintext before the keystream
	// overwrites it, so encrypting in place works.
	mac := c.cbcMAC(nonce, plaintext, additionalData)
	var s0 [16]byte
	c.keystream(nonce, out[:len(plaintext)], plaintext, s0[:])
	subtle.XORBytes(out[len(plaintext):], mac[:c.tagSize], s0[:c.tagSize])
	return ret
}

// Open implements cipher.AEAD. It returns an error, never panics, for a bad
// nonce size or a short or forged ciphertext, and on failure wipes the bytes
// it had written to dst's spare capacity. dst may be ciphertext[:0] to
// decrypt in place.
func (c *ccm) Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if len(nonce) != c.nonceSize {
		return nil, fmt.Errorf("smbcrypto: CCM nonce of %d bytes, want %d", len(nonce), c.nonceSize)
	}
	if len(ciphertext) < c.tagSize || uint64(len(ciphertext)-c.tagSize) > c.maxPlaintext() {
		return nil, errCCMOpen
	}
	n := len(ciphertext) - c.tagSize
	var tag [16]byte
	copy(tag[:], ciphertext[n:])
	ret, out := growSlice(dst, n)

	var s0 [16]byte
	c.keystream(nonce, out, ciphertext[:n], s0[:])
	mac := c.cbcMAC(nonce, out, additionalData)
	subtle.XORBytes(mac[:c.tagSize], mac[:c.tagSize], s0[:c.tagSize])
	if subtle.ConstantTimeCompare(mac[:c.tagSize], tag[:c.tagSize]) != 1 {
		clear(out)
		return nil, errCCMOpen
	}
	return ret, nil
}

// keystream sets s0 to the encryption of counter block A_0 (which masks
// the tag) and XORs the CTR keystream from A_1 on into dst (SP 800-38C 6.1
// steps 5-8). Counter blocks are flags || nonce || i, with i in the last q
// bytes; crypto/cipher's CTR increments the whole block as a big-endian
// number, which equals incrementing i because i never overflows its q bytes
// for a plaintext whose length fits them.
func (c *ccm) keystream(nonce, dst, src, s0 []byte) {
	ctr := make([]byte, 16) // handed to Encrypt and NewCTR: one heap block per call
	ctr[0] = byte(15 - c.nonceSize - 1)
	copy(ctr[1:], nonce)
	c.block.Encrypt(s0, ctr)
	if len(src) == 0 {
		return
	}
	ctr[15] = 1
	cipher.NewCTR(c.block, ctr).XORKeyStream(dst, src)
}

// cbcMAC returns the CBC-MAC over the formatted input B_0 || encoded
// additional data || payload, each part zero-padded to whole blocks
// (SP 800-38C A.2 and 6.1 steps 1-4). The caller truncates it to the tag
// size.
func (c *ccm) cbcMAC(nonce, payload, additionalData []byte) [16]byte {
	q := 15 - c.nonceSize
	x := make([]byte, 16) // the chaining value, handed to Encrypt

	// B_0: flags, nonce, payload length in q big-endian bytes (A.2.1).
	flags := byte((c.tagSize-2)/2<<3 | (q - 1))
	if len(additionalData) > 0 {
		flags |= 0x40
	}
	x[0] = flags
	copy(x[1:], nonce)
	var qbuf [8]byte
	binary.BigEndian.PutUint64(qbuf[:], uint64(len(payload)))
	copy(x[16-q:], qbuf[8-q:])
	c.block.Encrypt(x, x)

	if len(additionalData) > 0 {
		// The length prefix of A.2.2 goes in front of the data; the first
		// block is assembled by hand, the rest streams through absorb.
		var first [16]byte
		a := uint64(len(additionalData))
		var pre int
		switch {
		case a < 1<<16-1<<8:
			binary.BigEndian.PutUint16(first[:], uint16(a))
			pre = 2
		case a <= math.MaxUint32:
			first[0], first[1] = 0xFF, 0xFE
			binary.BigEndian.PutUint32(first[2:], uint32(a))
			pre = 6
		default:
			first[0], first[1] = 0xFF, 0xFF
			binary.BigEndian.PutUint64(first[2:], a)
			pre = 10
		}
		k := copy(first[pre:], additionalData)
		xorBlock(x, first[:])
		c.block.Encrypt(x, x)
		c.absorb(x, additionalData[k:])
	}
	c.absorb(x, payload)
	return [16]byte(x)
}

// absorb runs the CBC-MAC chain x over p, zero-padding its last block.
func (c *ccm) absorb(x, p []byte) {
	for ; len(p) >= 16; p = p[16:] {
		xorBlock(x, p[:16])
		c.block.Encrypt(x, x)
	}
	if len(p) > 0 {
		var last [16]byte
		copy(last[:], p)
		xorBlock(x, last[:])
		c.block.Encrypt(x, x)
	}
}

// growSlice extends in by n bytes, reusing its capacity when it can, and
// returns the whole slice and the n new bytes.
func growSlice(in []byte, n int) (whole, added []byte) {
	total := len(in) + n
	if cap(in) >= total {
		whole = in[:total]
	} else {
		whole = make([]byte, total)
		copy(whole, in)
	}
	return whole, whole[len(in):]
}
