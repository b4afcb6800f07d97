package smbcrypto

import "crypto/sha512"

// PreauthHash is an SMB 3.1.1 pre-authentication integrity hash value
// (Connection.PreauthIntegrityHashValue, Session.PreauthIntegrityHashValue;
// MS-SMB2 3.2.5.2, 3.2.5.3, 3.3.5.4). Its zero value is the starting value
// of 64 zero bytes. It is an array, so a session takes its own copy of the
// connection's hash after the NEGOTIATE exchange by plain assignment.
//
// SHA-512 is the only hash algorithm MS-SMB2 2.2.3.1.1 defines.
type PreauthHash [PreauthHashSize]byte

// Update folds one message into the hash: H = SHA-512(H || msg). msg is the
// whole SMB2 message as sent or received, header included, without the
// Direct TCP prefix.
func (h *PreauthHash) Update(msg []byte) {
	d := sha512.New()
	d.Write(h[:])
	d.Write(msg)
	d.Sum(h[:0])
}
