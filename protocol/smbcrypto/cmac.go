package smbcrypto

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
)

// cmac computes AES-CMAC as RFC 4493 (NIST SP 800-38B) defines it. The
// subkeys are derived once; sum keeps all its state on the stack of the call,
// so one cmac serves any number of goroutines at once (an AES cipher.Block
// from crypto/aes only reads its expanded key).
type cmac struct {
	block  cipher.Block
	k1, k2 [16]byte
}

// cmacRb is R_128 of RFC 4493 section 2.3: the constant folded into a subkey
// when doubling in GF(2^128) shifts a one out of the top bit.
const cmacRb = 0x87

// newCMAC prepares CMAC with a 16-byte block cipher (RFC 4493 section 2.3,
// Generate_Subkey).
func newCMAC(block cipher.Block) (*cmac, error) {
	if block.BlockSize() != 16 {
		return nil, errors.New("smbcrypto: CMAC needs a 128-bit block cipher")
	}
	c := &cmac{block: block}
	var l [16]byte
	block.Encrypt(l[:], l[:])
	c.k1 = gfDouble(l)
	c.k2 = gfDouble(c.k1)
	return c, nil
}

// gfDouble multiplies b by x in GF(2^128) with the CMAC bit order: a left
// shift of the whole 128-bit big-endian value, reducing by R_128.
func gfDouble(b [16]byte) [16]byte {
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	carry := hi >> 63
	hi = hi<<1 | lo>>63
	lo = lo<<1 ^ carry*cmacRb
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], hi)
	binary.BigEndian.PutUint64(out[8:], lo)
	return out
}

// xorBlock sets dst ^= src for one 16-byte block, two words at a time.
func xorBlock(dst, src []byte) {
	_, _ = dst[15], src[15]
	binary.LittleEndian.PutUint64(dst[:8], binary.LittleEndian.Uint64(dst[:8])^binary.LittleEndian.Uint64(src[:8]))
	binary.LittleEndian.PutUint64(dst[8:16], binary.LittleEndian.Uint64(dst[8:16])^binary.LittleEndian.Uint64(src[8:16]))
}

// sum returns the 16-byte CMAC of msg (RFC 4493 section 2.4, AES-CMAC).
func (c *cmac) sum(msg []byte) [16]byte {
	// The last block, complete or not, is set apart: it is masked with K1
	// when complete and padded with 10* and masked with K2 otherwise. An
	// empty message is one empty incomplete block.
	lastLen := 0
	if len(msg) > 0 {
		lastLen = len(msg) - (len(msg)-1)/16*16
	}
	head, tail := msg[:len(msg)-lastLen], msg[len(msg)-lastLen:]

	x := make([]byte, 16) // the chaining value; handed to Encrypt, so it lives on the heap once per call
	for ; len(head) >= 16; head = head[16:] {
		xorBlock(x, head[:16])
		c.block.Encrypt(x, x)
	}
	var last [16]byte
	copy(last[:], tail)
	if lastLen == 16 {
		xorBlock(last[:], c.k1[:])
	} else {
		last[lastLen] = 0x80
		xorBlock(last[:], c.k2[:])
	}
	xorBlock(x, last[:])
	c.block.Encrypt(x, x)
	return [16]byte(x)
}
