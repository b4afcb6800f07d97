package ntlm

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //lint:ignore SA1019 NT hash is MD4 by definition
)

// This file holds a minimal, independent model of the server side used to
// check what the client produces. It deliberately does not call the
// package's own helpers.

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func testHMAC(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

func testNTOWFv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return testHMAC(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
}

// avList encodes AV pairs (id, value) followed by MsvAvEOL.
func avList(pairs ...AVPair) []byte {
	var b []byte
	for _, p := range pairs {
		b = binary.LittleEndian.AppendUint16(b, uint16(p.ID))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(p.Value)))
		b = append(b, p.Value...)
	}
	return append(b, 0, 0, 0, 0)
}

// buildChallenge lays out a CHALLENGE_MESSAGE with the Version field and the
// payload in the order target name, target info, as Samba and Windows do.
func buildChallenge(flags NegotiateFlags, serverChallenge [8]byte, targetName string, targetInfo []byte) []byte {
	name := utf16le(targetName)
	b := make([]byte, 56)
	copy(b, "NTLMSSP\x00")
	binary.LittleEndian.PutUint32(b[8:], 2)
	binary.LittleEndian.PutUint16(b[12:], uint16(len(name)))
	binary.LittleEndian.PutUint16(b[14:], uint16(len(name)))
	binary.LittleEndian.PutUint32(b[16:], 56)
	binary.LittleEndian.PutUint32(b[20:], uint32(flags))
	copy(b[24:], serverChallenge[:])
	binary.LittleEndian.PutUint16(b[40:], uint16(len(targetInfo)))
	binary.LittleEndian.PutUint16(b[42:], uint16(len(targetInfo)))
	binary.LittleEndian.PutUint32(b[44:], uint32(56+len(name)))
	copy(b[48:], []byte{6, 1, 0, 0, 0, 0, 0, 0x0f})
	b = append(b, name...)
	return append(b, targetInfo...)
}

// authMessage is an AUTHENTICATE_MESSAGE taken apart by the test.
type authMessage struct {
	raw                       []byte
	flags                     NegotiateFlags
	lm, nt, encKey            []byte
	domain, user, workstation string
	offsets                   []int // payload offsets in field order LM, NT, domain, user, workstation, key
}

func parseAuthForTest(t *testing.T, b []byte, payloadStart int) authMessage {
	t.Helper()
	if len(b) < payloadStart || string(b[:8]) != "NTLMSSP\x00" || binary.LittleEndian.Uint32(b[8:]) != 3 {
		t.Fatalf("not an AUTHENTICATE_MESSAGE: %x", b)
	}
	m := authMessage{raw: b, flags: NegotiateFlags(binary.LittleEndian.Uint32(b[60:]))}
	field := func(at int) []byte {
		n := int(binary.LittleEndian.Uint16(b[at:]))
		maxLen := int(binary.LittleEndian.Uint16(b[at+2:]))
		off := int(binary.LittleEndian.Uint32(b[at+4:]))
		if n != maxLen {
			t.Errorf("field at %d: Len %d != MaxLen %d", at, n, maxLen)
		}
		if off < payloadStart || off+n > len(b) {
			t.Fatalf("field at %d: offset %d length %d outside payload [%d,%d)", at, off, n, payloadStart, len(b))
		}
		m.offsets = append(m.offsets, off)
		return b[off : off+n]
	}
	decode := func(u []byte) string {
		units := make([]uint16, len(u)/2)
		for i := range units {
			units[i] = binary.LittleEndian.Uint16(u[2*i:])
		}
		return string(utf16.Decode(units))
	}
	m.lm = field(12)
	m.nt = field(20)
	m.domain = decode(field(28))
	m.user = decode(field(36))
	m.workstation = decode(field(44))
	m.encKey = field(52)
	return m
}

// fixedRand returns a reader with the client challenge followed by the
// random session key, the order in which the Client consumes them.
func fixedRand(clientChallenge, sessionKey []byte) *bytes.Reader {
	return bytes.NewReader(append(bytes.Clone(clientChallenge), sessionKey...))
}

// serverSignature computes a server-to-client signature the way a server
// would (MS-NLMP 3.4.4.2), from the exported session key.
func serverSignature(exportedKey []byte, keyExch bool, seq uint32, msg []byte, handle *rc4.Cipher) []byte {
	signKey := md5.Sum(append(bytes.Clone(exportedKey), "session key to server-to-client signing key magic constant\x00"...))
	var seqb [4]byte
	binary.LittleEndian.PutUint32(seqb[:], seq)
	sum := testHMAC(signKey[:], seqb[:], msg)[:8]
	if keyExch {
		handle.XORKeyStream(sum, sum)
	}
	sig := binary.LittleEndian.AppendUint32(nil, 1)
	sig = append(sig, sum...)
	return append(sig, seqb[:]...)
}

func sealHandle(t *testing.T, exportedKey []byte, magic string) *rc4.Cipher {
	t.Helper()
	k := md5.Sum(append(bytes.Clone(exportedKey), magic...))
	c, err := rc4.NewCipher(k[:])
	if err != nil {
		t.Fatal(err)
	}
	return c
}
