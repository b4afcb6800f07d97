package wire

// NextMessage splits the first SMB2 message off a (possibly compounded)
// chain (MS-SMB2 3.2.5.1.9 / 3.3.5.2.7). msg is that message including any
// padding before the next one, which is what its signature covers; rest is
// the remainder of the chain (empty after the last message).
func NextMessage(chain []byte) (msg, rest []byte, err error) {
	if err := needLen(chain, HeaderSize, "compound message"); err != nil {
		return nil, nil, err
	}
	if KindOf(chain) != KindSMB2 {
		return nil, nil, malformed("compound message: protocol id % X", chain[:4])
	}
	next := le.Uint32(chain[offNextCommand:])
	if next == 0 {
		return chain, nil, nil
	}
	// A non-zero NextCommand promises another header after this message
	// (MS-SMB2 2.2.1.1: the last message carries 0), so at least
	// HeaderSize bytes must follow; otherwise the chain was cut short.
	if next < HeaderSize || uint64(next)+HeaderSize > uint64(len(chain)) {
		return nil, nil, malformed("compound message: NextCommand %d outside chain of %d bytes", next, len(chain))
	}
	return chain[:next:next], chain[next:], nil
}

// PadForCompound appends zero bytes to msg so that its length is a multiple
// of 8, as each non-final message of a compound chain must be
// (MS-SMB2 3.2.4.1.4).
func PadForCompound(msg []byte) []byte { return padTo8(msg, 0) }
