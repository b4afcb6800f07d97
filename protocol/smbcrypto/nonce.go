package smbcrypto

import (
	cryptorand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"
)

// ErrNoncesExhausted is returned by NonceSource.Next once all 2^64-1 nonces
// of a source are used. The session's encryption key must then be replaced
// (by a new session): reusing a nonce under a key breaks CCM and, worse,
// GCM.
var ErrNoncesExhausted = errors.New("smbcrypto: nonce counter exhausted for this key")

// counterSize is the size of the counter part of every nonce.
const counterSize = 8

// NonceSource hands out distinct nonces for one encryption key
// (MS-SMB2 3.1.4.3: "a newly generated implementation-specific value that is
// not used for any other encrypted message within the session"). Each nonce
// is a random prefix, fixed for the source, followed by a 64-bit
// little-endian counter; Next refuses to go on rather than let the counter
// wrap.
//
// The counter alone makes the nonces of one source unique. The random prefix
// (3 bytes for CCM, 4 for GCM) makes accidental reuse across sources unlikely
// should two of them ever share a key. Use exactly one source per key: the
// channels of a multichannel session share Session.EncryptionKey and so must
// share its source.
//
// A NonceSource is safe for concurrent use.
type NonceSource struct {
	size   int
	prefix [tfNonceField - counterSize]byte
	next   atomic.Uint64
}

// NewNonceSource returns a source of nonceSize-byte nonces (11 for CCM, 12
// for GCM; anything from 8 to 16 works) whose prefix is read from rand, or
// from crypto/rand when rand is nil.
func NewNonceSource(nonceSize int, rand io.Reader) (*NonceSource, error) {
	if nonceSize < counterSize || nonceSize > tfNonceField {
		return nil, fmt.Errorf("smbcrypto: nonce size %d outside %d..%d", nonceSize, counterSize, tfNonceField)
	}
	if rand == nil {
		rand = cryptoRand{}
	}
	n := &NonceSource{size: nonceSize}
	if _, err := io.ReadFull(rand, n.prefix[:nonceSize-counterSize]); err != nil {
		return nil, fmt.Errorf("smbcrypto: nonce prefix: %w", err)
	}
	return n, nil
}

// cryptoRand reads from crypto/rand; a named type keeps the package free of
// mutable globals.
type cryptoRand struct{}

func (cryptoRand) Read(p []byte) (int, error) { return cryptorand.Read(p) }

// Size returns the length of the nonces the source produces.
func (n *NonceSource) Size() int { return n.size }

// Next writes the next nonce into dst, which must be Size() bytes long.
func (n *NonceSource) Next(dst []byte) error {
	if len(dst) != n.size {
		return fmt.Errorf("smbcrypto: nonce buffer of %d bytes, want %d", len(dst), n.size)
	}
	for {
		v := n.next.Load()
		if v == math.MaxUint64 {
			return ErrNoncesExhausted
		}
		if n.next.CompareAndSwap(v, v+1) {
			p := copy(dst, n.prefix[:n.size-counterSize])
			binary.LittleEndian.PutUint64(dst[p:], v)
			return nil
		}
	}
}
