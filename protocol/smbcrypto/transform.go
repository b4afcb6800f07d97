package smbcrypto

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// TransformHeaderSize is the size of the SMB2 TRANSFORM_HEADER that opens
// every encrypted frame (MS-SMB2 2.2.41).
const TransformHeaderSize = 52

// Layout of the TRANSFORM_HEADER (MS-SMB2 2.2.41). The additional
// authenticated data is everything from Nonce to the end of the header
// (MS-SMB2 3.1.4.3).
const (
	offTfSignature  = 4
	offTfNonce      = 20
	offTfOrigSize   = 36
	offTfReserved   = 40
	offTfFlags      = 42
	offTfSessionID  = 44
	tfNonceField    = 16
	tfFlagEncrypted = 0x0001 // Flags/EncryptionAlgorithm: "encrypted", the only value defined
)

// protocolTransform is the ProtocolId of the TRANSFORM_HEADER.
var protocolTransform = [4]byte{0xFD, 'S', 'M', 'B'}

// Errors that Open and PeekSessionID wrap. ErrMalformedTransform means the
// frame is not a well-formed encrypted frame; ErrDecrypt means it is, but it
// does not authenticate under the key (wrong key, forged or corrupted
// frame). MS-SMB2 3.2.5.1.1 has the client drop the connection in both cases.
var (
	ErrMalformedTransform = errors.New("smbcrypto: malformed SMB2 TRANSFORM_HEADER frame")
	ErrDecrypt            = errors.New("smbcrypto: encrypted SMB2 message failed authentication")
)

// Seal encrypts plaintext, one SMB2 message or a whole compound chain, for
// the session sessionID and appends the resulting frame body to dst: a
// TRANSFORM_HEADER (ProtocolId 0xFD 'S' 'M' 'B'; Signature the AEAD tag;
// Nonce, zero-padded to 16 bytes; OriginalMessageSize; Reserved zero;
// Flags 0x0001; SessionId) followed by the ciphertext, as MS-SMB2 3.1.4.3
// describes. The 32 header bytes from Nonce through SessionId are the
// additional authenticated data.
//
// aead comes from NewAEAD with the session's encryption key; nonce must be
// aead.NonceSize() bytes and never used before under that key (see
// NonceSource). The Direct TCP prefix is not part of the frame body.
//
// plaintext must not overlap dst's spare capacity, except that it may start
// exactly TransformHeaderSize bytes past the end of dst: a message built at
// that spot in a buffer is then encrypted in place, without a copy, when the
// buffer has 16 bytes of capacity to spare after the message (the AEAD
// appends the tag there before it moves into the header). With less room
// Seal still works, into a new array.
func Seal(dst []byte, aead cipher.AEAD, nonce []byte, sessionID uint64, plaintext []byte) ([]byte, error) {
	if aead.Overhead() != aeadTagSize {
		return nil, fmt.Errorf("smbcrypto: AEAD tag of %d bytes, SMB needs %d", aead.Overhead(), aeadTagSize)
	}
	if len(nonce) != aead.NonceSize() || len(nonce) > tfNonceField {
		return nil, fmt.Errorf("smbcrypto: nonce of %d bytes, the AEAD takes %d", len(nonce), aead.NonceSize())
	}
	if len(plaintext) == 0 {
		return nil, errors.New("smbcrypto: nothing to encrypt")
	}
	if uint64(len(plaintext)) > math.MaxUint32 {
		return nil, fmt.Errorf("smbcrypto: message of %d bytes does not fit OriginalMessageSize", len(plaintext))
	}

	// Room for the tag too, which the AEAD appends to the ciphertext and
	// which then moves into the header.
	whole, out := growSlice(dst, TransformHeaderSize+len(plaintext)+aeadTagSize)
	hdr := out[:TransformHeaderSize]
	copy(hdr, protocolTransform[:])
	clear(hdr[offTfSignature:offTfOrigSize])
	copy(hdr[offTfNonce:], nonce)
	binary.LittleEndian.PutUint32(hdr[offTfOrigSize:], uint32(len(plaintext)))
	binary.LittleEndian.PutUint16(hdr[offTfReserved:], 0)
	binary.LittleEndian.PutUint16(hdr[offTfFlags:], tfFlagEncrypted)
	binary.LittleEndian.PutUint64(hdr[offTfSessionID:], sessionID)

	body := out[TransformHeaderSize:TransformHeaderSize]
	sealed := aead.Seal(body, nonce, plaintext, hdr[offTfNonce:])
	if len(sealed) != len(plaintext)+aeadTagSize {
		return nil, errors.New("smbcrypto: AEAD returned a ciphertext of unexpected length")
	}
	if &sealed[0] != &out[TransformHeaderSize] {
		// An AEAD that ignored the capacity it was given.
		copy(out[TransformHeaderSize:], sealed)
	}
	copy(hdr[offTfSignature:offTfNonce], sealed[len(plaintext):])
	return whole[:len(whole)-aeadTagSize], nil
}

// Open authenticates and decrypts one encrypted frame body (TRANSFORM_HEADER
// and ciphertext, without the Direct TCP prefix) and appends the plaintext,
// one SMB2 message or a compound chain, to dst. It also returns the SessionId
// of the header; PeekSessionID reads it before Open to find the key.
//
// Following MS-SMB2 3.2.5.1.1, Open checks that the frame is longer than the
// header, starts with 0xFD 'S' 'M' 'B', has Flags 0x0001 and an
// OriginalMessageSize equal to the ciphertext length; failures wrap
// ErrMalformedTransform. A frame that does not authenticate gives an error
// wrapping ErrDecrypt. On error the bytes written to dst's spare capacity are
// wiped and nil is returned.
//
// dst may be frame[:0] to decrypt in place; otherwise it must not overlap
// frame.
func Open(dst []byte, aead cipher.AEAD, frame []byte) (plaintext []byte, sessionID uint64, err error) {
	sessionID, size, err := parseTransform(frame)
	if err != nil {
		return nil, 0, err
	}
	ns := aead.NonceSize()
	if ns > tfNonceField || aead.Overhead() != aeadTagSize {
		return nil, 0, fmt.Errorf("smbcrypto: AEAD with %d-byte nonces and %d-byte tags does not fit the TRANSFORM_HEADER", ns, aead.Overhead())
	}

	// The tag travels in the header but the AEAD wants it after the
	// ciphertext; the header is saved first because decrypting in place
	// overwrites it.
	var aad [TransformHeaderSize - offTfNonce]byte
	var tag [aeadTagSize]byte
	copy(aad[:], frame[offTfNonce:TransformHeaderSize])
	copy(tag[:], frame[offTfSignature:offTfNonce])

	buf := append(dst, frame[TransformHeaderSize:]...)
	buf = append(buf, tag[:]...)
	work := buf[len(dst):]
	pt, err := aead.Open(work[:0], aad[:ns], work, aad[:])
	if err != nil {
		clear(work)
		return nil, 0, fmt.Errorf("%w (session 0x%X)", ErrDecrypt, sessionID)
	}
	if len(pt) != size {
		clear(work)
		return nil, 0, errors.New("smbcrypto: AEAD returned a plaintext of unexpected length")
	}
	return buf[:len(dst)+size], sessionID, nil
}

// PeekSessionID validates the TRANSFORM_HEADER of an encrypted frame body as
// Open does and returns its SessionId, so the caller can find the session
// whose key decrypts it.
func PeekSessionID(frame []byte) (uint64, error) {
	id, _, err := parseTransform(frame)
	return id, err
}

// parseTransform checks the fixed fields of the TRANSFORM_HEADER at the
// start of frame (MS-SMB2 2.2.41, 3.2.5.1.1) and returns the SessionId and
// the ciphertext size.
func parseTransform(frame []byte) (sessionID uint64, size int, err error) {
	if len(frame) <= TransformHeaderSize {
		return 0, 0, fmt.Errorf("%w: %d bytes, need more than the %d-byte header", ErrMalformedTransform, len(frame), TransformHeaderSize)
	}
	if [4]byte(frame[:4]) != protocolTransform {
		return 0, 0, fmt.Errorf("%w: protocol id % X", ErrMalformedTransform, frame[:4])
	}
	if f := binary.LittleEndian.Uint16(frame[offTfFlags:]); f != tfFlagEncrypted {
		return 0, 0, fmt.Errorf("%w: Flags 0x%04X, want 0x0001", ErrMalformedTransform, f)
	}
	size = len(frame) - TransformHeaderSize
	if orig := binary.LittleEndian.Uint32(frame[offTfOrigSize:]); uint64(orig) != uint64(size) {
		return 0, 0, fmt.Errorf("%w: OriginalMessageSize %d, but %d bytes follow the header", ErrMalformedTransform, orig, size)
	}
	return binary.LittleEndian.Uint64(frame[offTfSessionID:]), size, nil
}

// OpenInPlace is Open without a copy: it decrypts the ciphertext where it
// lies, so the returned plaintext is frame[TransformHeaderSize:]. When frame
// has at least 16 bytes of spare capacity (a reader can allocate its frame
// buffers so), the tag is appended there and the AEAD opens the ciphertext
// in place; otherwise OpenInPlace falls back to Open(frame[:0], …), which
// moves the body once. On error frame's contents are unspecified.
func OpenInPlace(aead cipher.AEAD, frame []byte) (plaintext []byte, sessionID uint64, err error) {
	sessionID, size, err := parseTransform(frame)
	if err != nil {
		return nil, 0, err
	}
	if cap(frame)-len(frame) < aeadTagSize {
		return Open(frame[:0], aead, frame)
	}
	ns := aead.NonceSize()
	if ns > tfNonceField || aead.Overhead() != aeadTagSize {
		return nil, 0, fmt.Errorf("smbcrypto: AEAD with %d-byte nonces and %d-byte tags does not fit the TRANSFORM_HEADER", ns, aead.Overhead())
	}
	hdr := frame[:TransformHeaderSize]
	ct := frame[TransformHeaderSize:]
	sealed := append(ct, hdr[offTfSignature:offTfNonce]...) // into the spare capacity
	pt, err := aead.Open(ct[:0], hdr[offTfNonce:offTfNonce+ns], sealed, hdr[offTfNonce:])
	if err != nil {
		return nil, 0, fmt.Errorf("%w (session 0x%X)", ErrDecrypt, sessionID)
	}
	if len(pt) != size {
		return nil, 0, errors.New("smbcrypto: AEAD returned a plaintext of unexpected length")
	}
	return pt, sessionID, nil
}
