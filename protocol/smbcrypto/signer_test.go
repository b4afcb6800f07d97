package smbcrypto

import (
	"bytes"
	"encoding/hex"
	"sync"
	"testing"
)

const testSigningKey = "000102030405060708090a0b0c0d0e0f"

// Expected signatures of testMessage with testSigningKey, computed
// independently with Python's hmac module (HMAC-SHA256) and the
// "cryptography" package (CMAC; AESGCM with an empty plaintext, the message
// as associated data and the MS-SMB2 3.1.4.1 nonce for GMAC).
var signatureVectors = []struct {
	name    string
	command uint16
	flags   uint32
	want    map[uint16]string
}{
	{"READ request", 0x0008, 0x00000008, map[uint16]string{
		SigningHMACSHA256: "ec0beadfc6c941afaaabadb591541bed",
		SigningAESCMAC:    "cc043e8a350e76530b95e7d8616c7e11",
		SigningAESGMAC:    "f09ca7fe108889d98145933811e9bf28",
	}},
	{"READ response", 0x0008, 0x00000009, map[uint16]string{
		SigningHMACSHA256: "8a73774664e837423d0e7d3680b5f283",
		SigningAESCMAC:    "92ccc80e112e6b6085aced3d2b0a1d75",
		SigningAESGMAC:    "5946fde4ebcba1315e5ff22e83e14650",
	}},
	{"CANCEL request", 0x000C, 0x00000008, map[uint16]string{
		SigningHMACSHA256: "9d570ad9423c56a902f47bade043bf37",
		SigningAESCMAC:    "ad9c05f057e7465754a9d3cbbe62bb4f",
		SigningAESGMAC:    "f379f08e13349af3ee17a07da291515f",
	}},
	{"async READ response", 0x0008, 0x0000000B, map[uint16]string{
		SigningHMACSHA256: "b097c05f9f43f35d402ad44870568e94",
		SigningAESCMAC:    "5c20be94d4d31468c0182ca7cd574b41",
		SigningAESGMAC:    "e80cc80da8c9ba0824053a7f336c9259",
	}},
}

var signingAlgorithms = []struct {
	name string
	id   uint16
}{
	{"HMAC-SHA256", SigningHMACSHA256},
	{"AES-CMAC", SigningAESCMAC},
	{"AES-GMAC", SigningAESGMAC},
}

func newTestSigner(t testing.TB, algorithm uint16) Signer {
	t.Helper()
	s, err := NewSigner(algorithm, unhex(t, testSigningKey))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVectors(t *testing.T) {
	for _, alg := range signingAlgorithms {
		s := newTestSigner(t, alg.id)
		for _, v := range signatureVectors {
			t.Run(alg.name+"/"+v.name, func(t *testing.T) {
				msg := testMessage(t, v.command, v.flags)
				orig := bytes.Clone(msg)
				got := s.Sign(msg)
				if hex.EncodeToString(got[:]) != v.want[alg.id] {
					t.Errorf("Sign = %x, want %s", got, v.want[alg.id])
				}
				if !bytes.Equal(msg, orig) {
					t.Error("Sign modified the message")
				}
			})
		}
	}
}

// TestGMACNonceBits checks the AES-GMAC nonce built from the header
// (MS-SMB2 3.1.4.1) and that its role and cancel bits change the signature.
func TestGMACNonceBits(t *testing.T) {
	msg := testMessage(t, 0x0008, 0x00000008)
	tests := []struct {
		name    string
		command uint16
		flags   uint32
		want    [12]byte
	}{
		{"request", 0x0008, 0x08, [12]byte{8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0}},
		{"response", 0x0008, 0x09, [12]byte{8, 7, 6, 5, 4, 3, 2, 1, 1, 0, 0, 0}},
		{"cancel request", 0x000C, 0x08, [12]byte{8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 0, 0}},
		{"async cancel request", 0x000C, 0x0A, [12]byte{8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 0, 0}},
		{"cancel with server flag is no cancel request", 0x000C, 0x09, [12]byte{8, 7, 6, 5, 4, 3, 2, 1, 1, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage(t, tt.command, tt.flags)
			if got := gmacNonce(m); got != tt.want {
				t.Errorf("nonce = % x, want % x", got, tt.want)
			}
		})
	}
	if got := gmacNonce(msg[:63]); got != ([12]byte{}) {
		t.Errorf("nonce of a short message = % x, want zeros", got)
	}

	// The vectors differ only in the Command and Flags bits the nonce
	// carries; their signatures must all differ.
	s := newTestSigner(t, SigningAESGMAC)
	seen := map[[16]byte]string{}
	for _, v := range signatureVectors {
		sig := s.Sign(testMessage(t, v.command, v.flags))
		if prev, dup := seen[sig]; dup {
			t.Errorf("%s and %s have the same GMAC signature", prev, v.name)
		}
		seen[sig] = v.name
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, alg := range signingAlgorithms {
		t.Run(alg.name, func(t *testing.T) {
			s := newTestSigner(t, alg.id)
			for _, v := range signatureVectors {
				msg := testMessage(t, v.command, v.flags)
				sig := s.Sign(msg)
				copy(msg[offSignature:], sig[:])
				signed := bytes.Clone(msg)
				if !Verify(s, msg) {
					t.Fatalf("%s: Verify rejected a good signature", v.name)
				}
				if !bytes.Equal(msg, signed) {
					t.Fatalf("%s: Verify left the message modified", v.name)
				}
				// Corrupt header, signature and body in turn.
				for _, i := range []int{offFlags, offMessageID, offSignature, offSignature + 15, len(msg) - 1} {
					bad := bytes.Clone(signed)
					bad[i] ^= 0x40
					if Verify(s, bad) {
						t.Errorf("%s: Verify accepted a message with byte %d altered", v.name, i)
					}
					if !bytes.Equal(bad[:i], signed[:i]) || !bytes.Equal(bad[i+1:], signed[i+1:]) {
						t.Errorf("%s: Verify changed a rejected message", v.name)
					}
				}
				// A signature from another key fails.
				other, err := NewSigner(alg.id, unhex(t, "ffeeddccbbaa99887766554433221100"))
				if err != nil {
					t.Fatal(err)
				}
				if Verify(other, signed) {
					t.Errorf("%s: Verify accepted a signature made with another key", v.name)
				}
			}
		})
	}
}

func TestVerifyShortMessage(t *testing.T) {
	s := newTestSigner(t, SigningAESCMAC)
	for _, n := range []int{0, 1, 48, 63} {
		if Verify(s, make([]byte, n)) {
			t.Errorf("Verify accepted a %d-byte message", n)
		}
	}
}

func TestNewSignerErrors(t *testing.T) {
	tests := []struct {
		name string
		alg  uint16
		key  []byte
	}{
		{"unknown algorithm", 3, make([]byte, 16)},
		{"HMAC without key", SigningHMACSHA256, nil},
		{"CMAC with AES-256 key", SigningAESCMAC, make([]byte, 32)},
		{"CMAC with short key", SigningAESCMAC, make([]byte, 15)},
		{"GMAC with long key", SigningAESGMAC, make([]byte, 24)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSigner(tt.alg, tt.key); err == nil {
				t.Error("NewSigner succeeded, want an error")
			}
		})
	}
}

func TestHMACSignerCopiesKey(t *testing.T) {
	key := unhex(t, testSigningKey)
	s, err := NewSigner(SigningHMACSHA256, key)
	if err != nil {
		t.Fatal(err)
	}
	key[0] ^= 0xFF
	msg := testMessage(t, 0x0008, 0x08)
	if got := s.Sign(msg); hex.EncodeToString(got[:]) != signatureVectors[0].want[SigningHMACSHA256] {
		t.Error("changing the caller's key slice changed the signer")
	}
}

func TestSignersConcurrent(t *testing.T) {
	for _, alg := range signingAlgorithms {
		t.Run(alg.name, func(t *testing.T) {
			s := newTestSigner(t, alg.id)
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					v := signatureVectors[g%len(signatureVectors)]
					msg := testMessage(t, v.command, v.flags)
					for range 200 {
						if got := s.Sign(msg); hex.EncodeToString(got[:]) != v.want[alg.id] {
							t.Errorf("concurrent Sign = %x", got)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
