// Package smbcrypto holds the cryptography of SMB 2 and SMB 3 (MS-SMB2):
// session key derivation, message signing, message encryption and the
// pre-authentication integrity hash.
//
// Everything here is a pure function of byte slices or a small immutable
// type built from a key: no I/O, no clocks, no connection state. Signers and
// AEADs are safe for concurrent use by many goroutines, because a connection
// signs and seals requests from all of its callers at once.
//
// Only the standard library is used. AES-CMAC (RFC 4493) and AES-CCM
// (NIST SP 800-38C) are implemented here since crypto/cipher has neither;
// GCM and GMAC come from crypto/cipher.
//
// Map of the MS-SMB2 sections this package implements:
//
//   - 3.1.4.1 Signing an outgoing message: Signer, NewSigner, Verify.
//   - 3.1.4.2 Generating cryptographic keys: KDF.
//   - 3.2.5.3.1 Handling a new authentication (which keys, from what):
//     DeriveKeys.
//   - 3.1.4.3 Encrypting the message and 3.2.5.1.1 Decrypting the message,
//     with the TRANSFORM_HEADER of 2.2.41: NewAEAD, Seal, Open,
//     PeekSessionID, NonceSource.
//   - 3.2.5.2 / 3.3.5.4 pre-authentication integrity: PreauthHash.
package smbcrypto
