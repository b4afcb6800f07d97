package smbfs

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Name mapping between Go path names and SMB path names.
//
// SMB forbids `" * : < > ? \ |`, control characters, and a trailing space or
// period in a name component, yet a Go program may hold such names
// ("12:30.log", "what?.txt"). Like the macOS SMB client (and Samba's
// vfs_fruit/catia, which speak the same convention), smbfs maps each of them
// to a character of Unicode's private use area on the way out and back on
// the way in:
//
//	0x01–0x1F → U+F001–U+F01F
//	" → U+F020   * → U+F021   : → U+F022   < → U+F023
//	> → U+F024   ? → U+F025   \ → U+F026   | → U+F027
//	a trailing space → U+F028, a trailing period → U+F029
//
// encodeComponent and decodeComponent are the only two functions that do
// this, and every place a name crosses the wire goes through them, so a
// listed name always opens again. The mapping also guarantees that "a:b"
// can never address the alternate data stream "b" of file "a".

// errInvalidName reports a name that cannot be sent even with mapping.
var errInvalidName = errors.New("name cannot be represented in SMB")

// privateBase is the start of the mapped range.
const privateBase = 0xF000

// mappedASCII lists the printable characters SMB forbids, in mapping order
// from U+F020.
const mappedASCII = `"*:<>?\|`

// Code points used for a trailing space and a trailing period.
const (
	privateTrailingSpace  = 0xF028
	privateTrailingPeriod = 0xF029
)

// encodeComponent maps one Go path element to its SMB form. With mapping
// off, a name that needs mapping is an error.
func encodeComponent(elem string, mapping bool) (string, error) {
	if !utf8.ValidString(elem) {
		return "", errInvalidName // fs.ValidPath refuses these too
	}
	if !needsEncoding(elem) {
		return elem, nil
	}
	if !mapping {
		return "", errInvalidName
	}
	var b strings.Builder
	b.Grow(len(elem) + 8)
	last := len(elem) - 1
	for i, r := range elem {
		switch {
		case r == 0:
			return "", errInvalidName
		case r < 0x20:
			b.WriteRune(privateBase + r)
		case strings.ContainsRune(mappedASCII, r):
			b.WriteRune(privateBase + 0x20 + rune(strings.IndexRune(mappedASCII, r)))
		case i == last && r == ' ':
			b.WriteRune(privateTrailingSpace)
		case i == last && r == '.':
			b.WriteRune(privateTrailingPeriod)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// needsEncoding reports whether elem holds anything SMB cannot carry as is.
func needsEncoding(elem string) bool {
	for i := 0; i < len(elem); i++ {
		c := elem[i]
		if c < 0x20 || strings.IndexByte(mappedASCII, c) >= 0 {
			return true
		}
	}
	if elem == "" {
		return false
	}
	last := elem[len(elem)-1]
	return last == ' ' || last == '.'
}

// decodeComponent maps one SMB name back to its Go form; it inverts
// encodeComponent, so decode(encode(x)) == x for every x encode accepts.
// (A Go name that itself contains one of the private-use characters comes
// back as the ASCII character it stands for, as on macOS.) With mapping off,
// names pass unchanged.
func decodeComponent(name string, mapping bool) string {
	if !mapping || !hasPrivate(name) {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	for i, r := range name {
		last := i+utf8.RuneLen(r) == len(name)
		switch {
		case r > privateBase && r < privateBase+0x20:
			b.WriteRune(r - privateBase)
		case r >= privateBase+0x20 && r < privateBase+0x20+rune(len(mappedASCII)):
			b.WriteByte(mappedASCII[r-privateBase-0x20])
		case last && r == privateTrailingSpace:
			b.WriteByte(' ')
		case last && r == privateTrailingPeriod:
			b.WriteByte('.')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hasPrivate reports whether s contains a code point of the mapped range.
func hasPrivate(s string) bool {
	// U+F000–U+F0FF encode in UTF-8 as EF 80 xx – EF 83 xx.
	for i := 0; i+2 < len(s); i++ {
		if s[i] == 0xEF && s[i+1] >= 0x80 && s[i+1] <= 0x83 {
			return true
		}
	}
	return false
}

// toWirePath turns a slash-separated Go path (already joined with the FS
// root and checked by fs.ValidPath) into the backslash-separated SMB path
// relative to the share root. "." is the share root, "".
func toWirePath(name string, mapping bool) (string, error) {
	if name == "." || name == "" {
		return "", nil
	}
	var b strings.Builder
	b.Grow(len(name))
	for i, elem := range strings.Split(name, "/") {
		enc, err := encodeComponent(elem, mapping)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte('\\')
		}
		b.WriteString(enc)
	}
	return b.String(), nil
}
