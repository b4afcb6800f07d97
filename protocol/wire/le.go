package wire

import "encoding/binary"

// le is the byte order of every SMB2 field except the Direct TCP length
// (MS-SMB2 2.1). It is a stateless value, not shared mutable state.
var le = binary.LittleEndian

// appendZeros appends n zero bytes to b.
func appendZeros(b []byte, n int) []byte {
	for range n {
		b = append(b, 0)
	}
	return b
}

// padTo8 appends zero bytes until len(b)-base is a multiple of 8. SMB2 aligns
// negotiate contexts, create contexts and compound parts on 8-byte
// boundaries counted from the start of the message.
func padTo8(b []byte, base int) []byte {
	for (len(b)-base)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// FileID is the 16-byte handle the server returns from CREATE
// (MS-SMB2 2.2.14.1): a persistent half that survives reconnects of durable
// handles and a volatile half.
type FileID struct {
	Persistent uint64
	Volatile   uint64
}

// appendFileID appends id in wire order.
func appendFileID(b []byte, id FileID) []byte {
	b = le.AppendUint64(b, id.Persistent)
	return le.AppendUint64(b, id.Volatile)
}

// decodeFileID reads a FileID from the first 16 bytes of b.
func decodeFileID(b []byte) FileID {
	return FileID{Persistent: le.Uint64(b), Volatile: le.Uint64(b[8:])}
}

// IsZero reports whether id is the all-zero FileID.
func (id FileID) IsZero() bool { return id == FileID{} }

// RelatedFileID is the FileID that, in a related compound request, stands for
// "the handle the previous CREATE in this chain opened" (MS-SMB2 3.2.4.1.4).
var RelatedFileID = FileID{Persistent: ^uint64(0), Volatile: ^uint64(0)}
