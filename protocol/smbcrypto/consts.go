package smbcrypto

// SMB2 dialect revision numbers (MS-SMB2 2.2.3). They select the key
// derivation rules in DeriveKeys.
const (
	Dialect202 uint16 = 0x0202
	Dialect210 uint16 = 0x0210
	Dialect300 uint16 = 0x0300
	Dialect302 uint16 = 0x0302
	Dialect311 uint16 = 0x0311
)

// Cipher identifiers of the SMB2_ENCRYPTION_CAPABILITIES negotiate context
// (MS-SMB2 2.2.3.1.2). CipherNone is what a 3.1.1 connection without a
// common cipher, or a 2.x connection, has.
const (
	CipherNone      uint16 = 0x0000
	CipherAES128CCM uint16 = 0x0001
	CipherAES128GCM uint16 = 0x0002
	CipherAES256CCM uint16 = 0x0003
	CipherAES256GCM uint16 = 0x0004
)

// Signing algorithm identifiers of the SMB2_SIGNING_CAPABILITIES negotiate
// context (MS-SMB2 2.2.3.1.7). Dialects 2.0.2 and 2.1 always use
// HMAC-SHA256; 3.0, 3.0.2 and 3.1.1 without that context use AES-CMAC.
const (
	SigningHMACSHA256 uint16 = 0x0000
	SigningAESCMAC    uint16 = 0x0001
	SigningAESGMAC    uint16 = 0x0002
)

// SignatureSize is the size of the Signature field of the SMB2 header and of
// the TRANSFORM_HEADER (MS-SMB2 2.2.1, 2.2.41).
const SignatureSize = 16

// Offsets into the 64-byte SMB2 header (MS-SMB2 2.2.1) that signing reads.
const (
	smb2HeaderSize  = 64
	offCommand      = 12
	offFlags        = 16
	offMessageID    = 24
	offSignature    = 48
	flagServerToRed = 0x00000001 // SMB2_FLAGS_SERVER_TO_REDIR
	commandCancel   = 0x000C     // SMB2 CANCEL
)

// cipherKeySize returns the AES key size in bytes for a cipher id, or 0 for
// an unknown one.
func cipherKeySize(cipherID uint16) int {
	switch cipherID {
	case CipherAES128CCM, CipherAES128GCM:
		return 16
	case CipherAES256CCM, CipherAES256GCM:
		return 32
	}
	return 0
}
