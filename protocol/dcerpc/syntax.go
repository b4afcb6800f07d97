package dcerpc

import "fmt"

// UUID is a DCE UUID in its field form (C706 appendix A): on the wire in
// NDR little-endian, Data1..Data3 are little-endian integers and Data4 is
// copied as is.
type UUID struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}

// String returns the canonical form, e.g.
// "4b324fc8-1670-01d3-1278-5a47bf6ee188".
func (u UUID) String() string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", u.Data1, u.Data2, u.Data3, u.Data4[:2], u.Data4[2:])
}

// uuidSize is the encoded size of a UUID.
const uuidSize = 16

// appendUUID appends u in NDR little-endian form.
func appendUUID(b []byte, u UUID) []byte {
	b = le.AppendUint32(b, u.Data1)
	b = le.AppendUint16(b, u.Data2)
	b = le.AppendUint16(b, u.Data3)
	return append(b, u.Data4[:]...)
}

// decodeUUID reads a UUID from the first 16 bytes of b.
func decodeUUID(b []byte) UUID {
	u := UUID{Data1: le.Uint32(b), Data2: le.Uint16(b[4:]), Data3: le.Uint16(b[6:])}
	copy(u.Data4[:], b[8:16])
	return u
}

// SyntaxID names an interface or a transfer syntax and its version: a
// p_syntax_id_t (C706 12.6.3.1), whose if_version carries the major version
// in its low 16 bits and the minor version in its high 16 bits.
type SyntaxID struct {
	UUID         UUID
	Version      uint16
	VersionMinor uint16
}

// String returns e.g. "8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0".
func (s SyntaxID) String() string {
	return fmt.Sprintf("%v v%d.%d", s.UUID, s.Version, s.VersionMinor)
}

// syntaxIDSize is the encoded size of a SyntaxID.
const syntaxIDSize = uuidSize + 4

func appendSyntaxID(b []byte, s SyntaxID) []byte {
	b = appendUUID(b, s.UUID)
	b = le.AppendUint16(b, s.Version)
	return le.AppendUint16(b, s.VersionMinor)
}

func decodeSyntaxID(b []byte) SyntaxID {
	return SyntaxID{UUID: decodeUUID(b), Version: le.Uint16(b[16:]), VersionMinor: le.Uint16(b[18:])}
}

// NDR is the NDR 2.0 transfer syntax, 8a885d04-1ceb-11c9-9fe8-08002b104860
// version 2 (C706 appendix I, MS-RPCE 2.2.4.12). It is the only transfer
// syntax this package offers: NDR64 broke on Samba for another client.
var NDR = SyntaxID{
	UUID:    UUID{0x8a885d04, 0x1ceb, 0x11c9, [8]byte{0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60}},
	Version: 2,
}
