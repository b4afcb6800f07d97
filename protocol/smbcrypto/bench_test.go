package smbcrypto

import (
	"fmt"
	"testing"
)

var benchSizes = []int{64 << 10, 1 << 20}

// benchMessage returns an n-byte buffer with a plausible SMB2 header.
func benchMessage(b *testing.B, n int) []byte {
	msg := make([]byte, n)
	copy(msg, testMessage(b, 0x0008, 0x08))
	for i := smb2HeaderSize; i < n; i++ {
		msg[i] = byte(i)
	}
	return msg
}

func BenchmarkSign(b *testing.B) {
	for _, alg := range signingAlgorithms {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dKiB", alg.name, n>>10), func(b *testing.B) {
				s := newTestSigner(b, alg.id)
				msg := benchMessage(b, n)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					s.Sign(msg)
				}
			})
		}
	}
}

var benchCiphers = []struct {
	name   string
	id     uint16
	keyLen int
}{
	{"AES-128-CCM", CipherAES128CCM, 16},
	{"AES-128-GCM", CipherAES128GCM, 16},
	{"AES-256-CCM", CipherAES256CCM, 32},
	{"AES-256-GCM", CipherAES256GCM, 32},
}

func BenchmarkSeal(b *testing.B) {
	for _, c := range benchCiphers {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dKiB", c.name, n>>10), func(b *testing.B) {
				a := newTestAEAD(b, c.id, make([]byte, c.keyLen))
				msg := benchMessage(b, n)
				nonce := make([]byte, a.NonceSize())
				dst := make([]byte, 0, TransformHeaderSize+n+aeadTagSize)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Seal(dst, a, nonce, 1, msg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, c := range benchCiphers {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dKiB", c.name, n>>10), func(b *testing.B) {
				a := newTestAEAD(b, c.id, make([]byte, c.keyLen))
				frame, err := Seal(nil, a, make([]byte, a.NonceSize()), 1, benchMessage(b, n))
				if err != nil {
					b.Fatal(err)
				}
				dst := make([]byte, 0, n+aeadTagSize)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := Open(dst, a, frame); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
