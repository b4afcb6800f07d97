package smbcrypto

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// unhex decodes a hex string that may be split by spaces and newlines for
// readability.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// testMessage is an SMB2 READ request: a sync header (CreditCharge 1,
// Command READ, CreditRequest 1, Flags SIGNED, MessageId 0x0102030405060708,
// TreeId 1, SessionId 0x100000000025, zero Signature) and a 57-byte body.
// The expected signatures in signer_test.go were computed over exactly these
// bytes with Python's hmac and the "cryptography" package.
const testMessageHex = `
fe534d42400001000000000008000100080000000000000008070605040302010000000001000000250000000010000000000000000000000000000000000000
030a11181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61686f767d848b`

// testMessage returns a fresh copy of testMessageHex with the given Command
// and Flags patched into its header.
func testMessage(t testing.TB, command uint16, flags uint32) []byte {
	t.Helper()
	m := unhex(t, testMessageHex)
	binary.LittleEndian.PutUint16(m[offCommand:], command)
	binary.LittleEndian.PutUint32(m[offFlags:], flags)
	return m
}
