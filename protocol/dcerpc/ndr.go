package dcerpc

import (
	"unicode/utf16"
	"unicode/utf8"
)

// NDR marshalling (C706 chapter 14) in the little-endian data
// representation: the primitives an RPC stub is built from. Alignment is
// relative to the start of the stub data (C706 14.2.2): a value of size n
// starts at a multiple of n. The caller lays out parameters, structures
// and deferred pointer referents in the order C706 14.3.12 prescribes.

// firstReferentID is the first non-null referent ID an Encoder hands out.
// Any unique non-zero values do for [unique] pointers; this is the series
// Windows uses, which keeps captures comparable.
const firstReferentID = 0x00020000

// Encoder appends NDR-encoded values to a stub.
type Encoder struct {
	b       []byte
	nextRef uint32
}

// NewEncoder returns an empty Encoder.
func NewEncoder() *Encoder { return &Encoder{nextRef: firstReferentID} }

// Bytes returns the stub encoded so far.
func (e *Encoder) Bytes() []byte { return e.b }

// Align pads with zero bytes to a multiple of n (1, 2, 4 or 8).
func (e *Encoder) Align(n int) {
	for len(e.b)%n != 0 {
		e.b = append(e.b, 0)
	}
}

// Uint16 appends an aligned unsigned short.
func (e *Encoder) Uint16(v uint16) {
	e.Align(2)
	e.b = le.AppendUint16(e.b, v)
}

// Uint32 appends an aligned unsigned long.
func (e *Encoder) Uint32(v uint32) {
	e.Align(4)
	e.b = le.AppendUint32(e.b, v)
}

// Pointer appends the representation of a [unique] (or embedded full)
// pointer: 0 for null, otherwise a fresh referent ID. The referent itself
// is the caller's to encode, immediately for a top-level pointer and after
// the enclosing construct for an embedded one (C706 14.3.12.3).
func (e *Encoder) Pointer(null bool) {
	if null {
		e.Uint32(0)
		return
	}
	e.Uint32(e.nextRef)
	e.nextRef += 4
}

// WString appends a [string] wchar_t* referent: a conformant varying array
// of UTF-16 code units with a terminating NUL, announced by maximum count,
// offset 0 and actual count (C706 14.3.3.4, 14.3.4.2). Strings containing
// NUL are cut there by the server, so callers should refuse them first.
func (e *Encoder) WString(s string) {
	units := appendUTF16Units(nil, s)
	units = append(units, 0)
	e.Uint32(uint32(len(units))) // maximum count
	e.Uint32(0)                  // offset
	e.Uint32(uint32(len(units))) // actual count
	for _, u := range units {
		e.b = le.AppendUint16(e.b, u)
	}
}

// appendUTF16Units appends s as UTF-16 code units; invalid UTF-8 becomes
// U+FFFD.
func appendUTF16Units(u []uint16, s string) []uint16 {
	for _, r := range s {
		if r == utf8.RuneError {
			r = 0xFFFD
		}
		u = utf16.AppendRune(u, r)
	}
	return u
}

// Decoder reads NDR-encoded values from a stub. The first error sticks:
// later reads return zero values, and Err reports it. Every read is
// bounds-checked; counts are checked against the bytes left before anything
// is allocated for them.
type Decoder struct {
	b   []byte
	off int
	err error
}

// NewDecoder returns a Decoder reading stub.
func NewDecoder(stub []byte) *Decoder { return &Decoder{b: stub} }

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Offset returns the position of the next read.
func (d *Decoder) Offset() int { return d.off }

// Remaining returns the number of bytes not read yet.
func (d *Decoder) Remaining() int { return len(d.b) - d.off }

// Fail records err (if no error is recorded yet), for callers that find
// the data inconsistent.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Align skips padding to a multiple of n (1, 2, 4 or 8).
func (d *Decoder) Align(n int) {
	if d.err != nil {
		return
	}
	pad := (n - d.off%n) % n
	if pad > d.Remaining() {
		d.Fail(malformed("NDR: alignment padding at offset %d runs past the end (%d bytes)", d.off, len(d.b)))
		return
	}
	d.off += pad
}

// take returns the next n bytes, or nil after recording an error.
func (d *Decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n > d.Remaining() {
		d.Fail(malformed("NDR: %s at offset %d needs %d bytes, %d left", what, d.off, n, d.Remaining()))
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

// Uint16 reads an aligned unsigned short.
func (d *Decoder) Uint16() uint16 {
	d.Align(2)
	if b := d.take(2, "unsigned short"); b != nil {
		return le.Uint16(b)
	}
	return 0
}

// Uint32 reads an aligned unsigned long.
func (d *Decoder) Uint32() uint32 {
	d.Align(4)
	if b := d.take(4, "unsigned long"); b != nil {
		return le.Uint32(b)
	}
	return 0
}

// Pointer reads a [unique] pointer's referent ID and reports whether the
// pointer is non-null (its referent follows, now or deferred).
func (d *Decoder) Pointer() bool { return d.Uint32() != 0 }

// Conformance reads the maximum count of a conformant array whose elements
// take at least elemSize bytes each, and checks that so many elements can
// fit in what is left before the caller allocates for them.
func (d *Decoder) Conformance(elemSize int) int {
	n := d.Uint32()
	if d.err != nil {
		return 0
	}
	if uint64(n)*uint64(max(elemSize, 1)) > uint64(d.Remaining()) {
		d.Fail(malformed("NDR: conformant array of %d elements (%d bytes each) at offset %d, only %d bytes left", n, elemSize, d.off, d.Remaining()))
		return 0
	}
	return int(n)
}

// WString reads a [string] wchar_t* referent (conformant varying UTF-16
// array, C706 14.3.4.2) and returns it without its terminating NUL. The
// offset must be 0 and the actual count within the maximum count; a string
// without a terminator is accepted, one with NUL before its end is not.
func (d *Decoder) WString() string {
	maxCount := d.Uint32()
	offset := d.Uint32()
	actual := d.Uint32()
	if d.err != nil {
		return ""
	}
	if offset != 0 {
		d.Fail(malformed("NDR: string at offset %d has a varying offset of %d, want 0", d.off, offset))
		return ""
	}
	if actual > maxCount {
		d.Fail(malformed("NDR: string at offset %d has actual count %d above maximum count %d", d.off, actual, maxCount))
		return ""
	}
	if uint64(actual)*2 > uint64(d.Remaining()) {
		d.Fail(malformed("NDR: string of %d characters at offset %d, only %d bytes left", actual, d.off, d.Remaining()))
		return ""
	}
	raw := d.take(2*int(actual), "string")
	units := make([]uint16, actual)
	for i := range units {
		units[i] = le.Uint16(raw[2*i:])
	}
	if n := len(units); n > 0 && units[n-1] == 0 {
		units = units[:n-1]
	}
	for _, u := range units {
		if u == 0 {
			d.Fail(malformed("NDR: string ending at offset %d contains NUL before its end", d.off))
			return ""
		}
	}
	return string(utf16.Decode(units))
}
