// Package wire encodes and decodes SMB 2 and SMB 3 messages as MS-SMB2
// section 2 lays them out.
//
// Everything here is a pure function of byte slices: no I/O, no clocks, no
// goroutines, no connection state. The connection in package protocol frames,
// signs, encrypts and routes these messages; this package only knows their
// shapes.
//
// Conventions used by every message type:
//
//   - A request type has Command and Encode methods. Encode appends the body to
//     msg, which already holds the 64-byte SMB2 header, because every offset in
//     an SMB2 message is counted from the start of its header (MS-SMB2 2.2).
//   - A response type has a Decode method taking the whole message, header
//     included, trimmed to this message when it came in a compound chain.
//     Decoded byte slices alias msg; copy them if msg will be reused.
//   - Decoders check every length and offset against the bytes at hand and
//     return an error wrapping ErrMalformed instead of panicking or reading
//     past the end.
package wire
