package ntlm

import (
	"crypto/hmac"
	"crypto/rc4"
	"fmt"
)

// SignatureSize is the size of an NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP 2.2.2.9.1).
const SignatureSize = 16

// signatureVersion is the Version field of every NTLMSSP_MESSAGE_SIGNATURE.
const signatureVersion = 1

// direction is the signing state of one direction of a connection-oriented
// context (MS-NLMP 3.4.4): its signing key, its RC4 handle (keyed with the
// sealing key and shared with sealing, so it runs on across messages) and
// its sequence number.
type direction struct {
	signingKey []byte
	handle     *rc4.Cipher
	seqNum     uint32
}

func newDirection(flags NegotiateFlags, exportedSessionKey []byte, signMagic, sealMagic string) *direction {
	handle, err := rc4.NewCipher(sealKey(flags, exportedSessionKey, sealMagic))
	if err != nil {
		panic("ntlm: rc4 key of invalid size") // sealKey always returns 16 bytes
	}
	return &direction{signingKey: signKey(exportedSessionKey, signMagic), handle: handle}
}

// mac computes the NTLMSSP_MESSAGE_SIGNATURE of msg with extended session
// security (MS-NLMP 3.4.4.2): the first 8 bytes of HMAC_MD5(SigningKey,
// SeqNum || msg), encrypted with the given RC4 handle when KEY_EXCH was
// negotiated. It neither advances seqNum nor touches d.handle, so that a
// caller can decide whether the new RC4 state is kept.
func (d *direction) mac(handle *rc4.Cipher, keyExch bool, msg []byte) [SignatureSize]byte {
	var seq [4]byte
	le.PutUint32(seq[:], d.seqNum)
	sum := hmacMD5(d.signingKey, seq[:], msg)

	var sig [SignatureSize]byte
	le.PutUint32(sig[0:], signatureVersion)
	copy(sig[4:12], sum[:8])
	if keyExch {
		handle.XORKeyStream(sig[4:12], sig[4:12])
	}
	copy(sig[12:], seq[:])
	return sig
}

// sign signs msg with the next sequence number of d.
func (d *direction) sign(keyExch bool, msg []byte) [SignatureSize]byte {
	sig := d.mac(d.handle, keyExch, msg)
	d.seqNum++
	return sig
}

// verify checks sig over msg against the next expected sequence number.
// On any mismatch the state is left as it was (MS-NLMP 3.4.4: the sequence
// number is not incremented), so a forged message cannot desynchronise the
// RC4 stream.
func (d *direction) verify(keyExch bool, msg, sig []byte) error {
	if len(sig) != SignatureSize {
		return fmt.Errorf("%w: signature of %d bytes, want %d", ErrBadSignature, len(sig), SignatureSize)
	}
	if v := le.Uint32(sig); v != signatureVersion {
		return fmt.Errorf("%w: signature version %d", ErrBadSignature, v)
	}
	if seq := le.Uint32(sig[12:]); seq != d.seqNum {
		return fmt.Errorf("%w: sequence number %d, expected %d", ErrBadSignature, seq, d.seqNum)
	}
	trial := *d.handle
	want := d.mac(&trial, keyExch, msg)
	if !hmac.Equal(want[:], sig) {
		return ErrBadSignature
	}
	*d.handle = trial
	d.seqNum++
	return nil
}
