package smbcrypto

import (
	"bytes"
	"crypto/aes"
	"testing"
)

// RFC 4493 section 4: key, subkeys and the four examples.
const (
	rfc4493Key = "2b7e151628aed2a6abf7158809cf4f3c"
	rfc4493Msg = `6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
	              30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`
)

func newTestCMAC(t testing.TB, key []byte) *cmac {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCMAC(block)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCMACSubkeys(t *testing.T) {
	c := newTestCMAC(t, unhex(t, rfc4493Key))
	if want := unhex(t, "fbeed618357133667c85e08f7236a8de"); !bytes.Equal(c.k1[:], want) {
		t.Errorf("K1 = %x, want %x", c.k1, want)
	}
	if want := unhex(t, "f7ddac306ae266ccf90bc11ee46d513b"); !bytes.Equal(c.k2[:], want) {
		t.Errorf("K2 = %x, want %x", c.k2, want)
	}
}

func TestCMACRFC4493(t *testing.T) {
	c := newTestCMAC(t, unhex(t, rfc4493Key))
	msg := unhex(t, rfc4493Msg)
	tests := []struct {
		name string
		len  int
		want string
	}{
		{"example 1: empty", 0, "bb1d6929e95937287fa37d129b756746"},
		{"example 2: one block", 16, "070a16b46b4d4144f79bdd9dd04a287c"},
		{"example 3: 40 bytes", 40, "dfa66747de9ae63030ca32611497c827"},
		{"example 4: four blocks", 64, "51f0bebf7e3b9d92fc49741779363cfe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.sum(msg[:tt.len])
			if !bytes.Equal(got[:], unhex(t, tt.want)) {
				t.Errorf("CMAC = %x, want %s", got, tt.want)
			}
		})
	}
}

func TestCMACRejectsOtherBlockSizes(t *testing.T) {
	if _, err := newCMAC(fakeBlock{size: 8}); err == nil {
		t.Error("newCMAC accepted a 64-bit block cipher")
	}
}

// fakeBlock is a cipher.Block of any size, for constructor checks only.
type fakeBlock struct{ size int }

func (b fakeBlock) BlockSize() int          { return b.size }
func (b fakeBlock) Encrypt(dst, src []byte) { copy(dst, src) }
func (b fakeBlock) Decrypt(dst, src []byte) { copy(dst, src) }
