package dcerpc

import (
	"bytes"
	"errors"
	"testing"
)

func TestDCEEncoderBytes(t *testing.T) {
	tests := []struct {
		name  string
		build func(e *Encoder)
		want  string
	}{
		{"unsigned long", func(e *Encoder) { e.Uint32(0x01020304) }, "04030201"},
		{"short then long aligns to 4", func(e *Encoder) { e.Uint16(0xaabb); e.Uint32(1) }, "bbaa 0000 01000000"},
		{"align 8", func(e *Encoder) { e.Uint16(1); e.Align(8) }, "0100 000000000000"},
		{"pointers: null, then the referent series", func(e *Encoder) {
			e.Pointer(true)
			e.Pointer(false)
			e.Pointer(false)
		}, "00000000 00000200 04000200"},
		// C706 14.3.4.2: maximum count, offset, actual count, then the
		// characters including the terminating NUL.
		{"string", func(e *Encoder) { e.WString("ab") }, "03000000 00000000 03000000 6100 6200 0000"},
		{"empty string", func(e *Encoder) { e.WString("") }, "01000000 00000000 01000000 0000"},
		{"string then long realigns", func(e *Encoder) { e.WString("a"); e.Uint32(7) }, "02000000 00000000 02000000 6100 0000 07000000"},
		{"non-BMP character as a surrogate pair", func(e *Encoder) { e.WString("😀") }, "03000000 00000000 03000000 3dd8 00de 0000"},
		{"invalid UTF-8 becomes U+FFFD", func(e *Encoder) { e.WString("\xff") }, "02000000 00000000 02000000 fdff 0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEncoder()
			tt.build(e)
			if want := unhex(t, tt.want); !bytes.Equal(e.Bytes(), want) {
				t.Fatalf("got % x\nwant % x", e.Bytes(), want)
			}
		})
	}
}

func TestDCEDecoderRoundTrip(t *testing.T) {
	e := NewEncoder()
	e.Uint16(0x1234)
	e.Pointer(false)
	e.WString("Grüße, 世界 😀")
	e.Uint32(42)
	e.Pointer(true)
	d := NewDecoder(e.Bytes())
	if v := d.Uint16(); v != 0x1234 {
		t.Errorf("Uint16 = %#x", v)
	}
	if !d.Pointer() {
		t.Error("non-null pointer read as null")
	}
	if s := d.WString(); s != "Grüße, 世界 😀" {
		t.Errorf("WString = %q", s)
	}
	if v := d.Uint32(); v != 42 {
		t.Errorf("Uint32 = %d", v)
	}
	if d.Pointer() {
		t.Error("null pointer read as non-null")
	}
	if d.Err() != nil || d.Remaining() != 0 {
		t.Errorf("err %v, %d bytes left", d.Err(), d.Remaining())
	}
}

func TestDCEDecoderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		read func(d *Decoder)
	}{
		{"short long", "010203", func(d *Decoder) { d.Uint32() }},
		{"alignment past the end", "01", func(d *Decoder) { d.Uint16(); d.Uint16() }},
		{"string header cut", "03000000 00000000", func(d *Decoder) { d.WString() }},
		{"string characters cut", "03000000 00000000 03000000 6100", func(d *Decoder) { d.WString() }},
		{"actual count above maximum", "01000000 00000000 02000000 6100 0000", func(d *Decoder) { d.WString() }},
		{"non-zero offset", "03000000 01000000 02000000 6100 0000", func(d *Decoder) { d.WString() }},
		{"NUL inside", "03000000 00000000 03000000 0000 6100 0000", func(d *Decoder) { d.WString() }},
		{"huge string", "ffffffff 00000000 ffffffff 6100", func(d *Decoder) { d.WString() }},
		{"array larger than the data", "ffffff7f 00000000", func(d *Decoder) { d.Conformance(12) }},
		{"array of 2 x 12 bytes in 20", "02000000" + "00000000 00000000 00000000 00000000 00000000", func(d *Decoder) { d.Conformance(12) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(unhex(t, tt.in))
			tt.read(d)
			if !errors.Is(d.Err(), ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", d.Err())
			}
			// The error sticks and later reads return zero values.
			if v := d.Uint32(); v != 0 || d.Err() == nil {
				t.Errorf("read after error returned %d, err %v", v, d.Err())
			}
		})
	}
	t.Run("string without terminator", func(t *testing.T) {
		d := NewDecoder(unhex(t, "02000000 00000000 02000000 6100 6200"))
		if s := d.WString(); s != "ab" || d.Err() != nil {
			t.Errorf("got %q, %v", s, d.Err())
		}
	})
	t.Run("array that fits", func(t *testing.T) {
		d := NewDecoder(unhex(t, "02000000"+"00000000 00000000 00000000 00000000 00000000 00000000"))
		if n := d.Conformance(12); n != 2 || d.Err() != nil {
			t.Errorf("got %d, %v", n, d.Err())
		}
	})
	t.Run("Fail keeps the first error", func(t *testing.T) {
		d := NewDecoder(nil)
		first := errors.New("first")
		d.Fail(first)
		d.Fail(errors.New("second"))
		if d.Err() != first {
			t.Errorf("err = %v", d.Err())
		}
	})
}
