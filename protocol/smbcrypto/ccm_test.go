package smbcrypto

import (
	"bytes"
	"crypto/aes"
	"fmt"
	"sync"
	"testing"
)

func newTestCCM(t testing.TB, key []byte, nonceSize, tagSize int) *ccm {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCCM(block, nonceSize, tagSize)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type ccmVector struct {
	name                           string
	key, nonce, aad, plaintext, ct string // ct is ciphertext || tag
	tagSize                        int
}

// nistCCMVectors are the examples of NIST SP 800-38C Appendix C.
func nistCCMVectors(t testing.TB) []ccmVector {
	// Example 4 has 65536 bytes of associated data: 00..ff repeated 256 times.
	var aad4 bytes.Buffer
	for range 256 {
		for b := range 256 {
			aad4.WriteByte(byte(b))
		}
	}
	const key = "404142434445464748494a4b4c4d4e4f"
	return []ccmVector{
		{"SP 800-38C C.1", key, "10111213141516", "0001020304050607", "20212223", "7162015b4dac255d", 4},
		{"SP 800-38C C.2", key, "1011121314151617", "000102030405060708090a0b0c0d0e0f",
			"202122232425262728292a2b2c2d2e2f", "d2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd", 6},
		{"SP 800-38C C.3", key, "101112131415161718191a1b", "000102030405060708090a0b0c0d0e0f10111213",
			"202122232425262728292a2b2c2d2e2f3031323334353637",
			"e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951", 8},
		{"SP 800-38C C.4", key, "101112131415161718191a1b1c", fmt.Sprintf("%x", aad4.Bytes()),
			"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
			"69915dad1e84c6376a68c2967e4dab615ae0fd1faec44cc484828529463ccf72b4ac6bec93e8598e7f0dadbcea5b", 14},
	}
}

// rfc3610Vectors are a selection of the packet vectors of RFC 3610
// section 8: both keys, 8- and 12-byte headers, 8- and 10-byte tags, and
// payloads just under, at and over a block boundary.
var rfc3610Vectors = []ccmVector{
	{"RFC 3610 #1", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5", "0001020304050607",
		"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
		"588c979a61c663d2f066d0c2c0f989806d5f6b61dac384" + "17e8d12cfdf926e0", 8},
	{"RFC 3610 #2", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000004030201a0a1a2a3a4a5", "0001020304050607",
		"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3b" + "a091d56e10400916", 8},
	{"RFC 3610 #3", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000005040302a0a1a2a3a4a5", "0001020304050607",
		"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
		"51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da859657" + "4adaa76fbd9fb0c5", 8},
	{"RFC 3610 #4", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000006050403a0a1a2a3a4a5", "000102030405060708090a0b",
		"0c0d0e0f101112131415161718191a1b1c1d1e",
		"a28c6865939a9a79faaa5c4c2a9d4a91cdac8c" + "96c861b9c9e61ef1", 8},
	{"RFC 3610 #7", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000009080706a0a1a2a3a4a5", "0001020304050607",
		"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
		"0135d1b2c95f41d5d1d4fec185d166b8094e999dfed96c" + "048c56602c97acbb7490", 10},
	{"RFC 3610 #12", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "0000000e0d0c0ba0a1a2a3a4a5", "000102030405060708090a0b",
		"0c0d0e0f101112131415161718191a1b1c1d1e1f20",
		"c0ffa0d6f05bdb67f24d43a4338d2aa4bed7b20e43" + "cd1aa31662e7ad65d6db", 10},
	{"RFC 3610 #13", "d7828d13b2b0bdc325a76236df93cc6b", "00412b4ea9cdbe3c9696766cfa", "0be1a88bace018b1",
		"08e8cf97d820ea258460e96ad9cf5289054d895ceac47c",
		"4cb97f86a2a4689a877947ab8091ef5386a6ffbdd080f8" + "e78cf7cb0cddd7b3", 8},
	{"RFC 3610 #18", "d7828d13b2b0bdc325a76236df93cc6b", "00d560912d3f703c9696766cfa", "cd9044d2b71fdb8120ea60c0",
		"6435acbafb11a82e2f071d7ca4a5ebd93a803ba87f",
		"009769ecabdf48625594c59251e6035722675e04c8" + "47099e5ae0704551", 8},
	{"RFC 3610 #20", "d7828d13b2b0bdc325a76236df93cc6b", "00920f40e56cdc3c9696766cfa", "74a0ebc9069f5b37",
		"1761433c37c5a35fc1f39f406302eb907c6163be38c98437",
		"5810e6fd25874022e80361a478e3e9cf484ab04f447efff6" + "f0a477cc2fc9bf548944", 10},
	{"RFC 3610 #24", "d7828d13b2b0bdc325a76236df93cc6b", "008d493b30ae8b3c9696766cfa", "6e37a6ef546d955d34ab6059",
		"abf21c0b02feb88f856df4a37381bce3cc128517d4",
		"f32905b88a641b04b9c9ffb58cc390900f3da12ab1" + "6dce9e82efa16da62059", 10},
}

func TestCCMVectors(t *testing.T) {
	for _, v := range append(nistCCMVectors(t), rfc3610Vectors...) {
		t.Run(v.name, func(t *testing.T) {
			nonce, aad, pt, want := unhex(t, v.nonce), unhex(t, v.aad), unhex(t, v.plaintext), unhex(t, v.ct)
			c := newTestCCM(t, unhex(t, v.key), len(nonce), v.tagSize)
			got := c.Seal(nil, nonce, pt, aad)
			if !bytes.Equal(got, want) {
				t.Fatalf("Seal = %x\nwant   %x", got, want)
			}
			back, err := c.Open(nil, nonce, want, aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(back, pt) {
				t.Errorf("Open = %x, want %x", back, pt)
			}
			// Any flipped bit, in ciphertext, tag or associated data, must
			// make Open fail.
			for _, i := range []int{0, len(want) - 1} {
				bad := bytes.Clone(want)
				bad[i] ^= 1
				if _, err := c.Open(nil, nonce, bad, aad); err == nil {
					t.Errorf("Open accepted a ciphertext with byte %d flipped", i)
				}
			}
			badAAD := bytes.Clone(aad)
			badAAD[0] ^= 0x80
			if _, err := c.Open(nil, nonce, want, badAAD); err == nil {
				t.Error("Open accepted altered associated data")
			}
		})
	}
}

// TestCCMRoundTrip covers payload and associated data lengths around block
// boundaries and the 2-byte/6-byte AAD length encodings, with SMB's sizes.
func TestCCMRoundTrip(t *testing.T) {
	c := newTestCCM(t, unhex(t, "000102030405060708090a0b0c0d0e0f"), 11, 16)
	nonce := unhex(t, "a0a1a2a3a4a5a6a7a8a9aa")
	for _, ptLen := range []int{0, 1, 15, 16, 17, 31, 32, 33, 1000} {
		for _, aadLen := range []int{0, 1, 13, 14, 15, 30, 32, 65279, 65280, 70000} {
			pt := make([]byte, ptLen)
			for i := range pt {
				pt[i] = byte(i * 3)
			}
			aad := make([]byte, aadLen)
			for i := range aad {
				aad[i] = byte(i * 5)
			}
			sealed := c.Seal(nil, nonce, pt, aad)
			if len(sealed) != ptLen+16 {
				t.Fatalf("pt %d aad %d: sealed %d bytes", ptLen, aadLen, len(sealed))
			}
			back, err := c.Open(nil, nonce, sealed, aad)
			if err != nil || !bytes.Equal(back, pt) {
				t.Fatalf("pt %d aad %d: Open = %x, %v", ptLen, aadLen, back, err)
			}
		}
	}
}

func TestCCMInPlaceAndAppend(t *testing.T) {
	c := newTestCCM(t, unhex(t, "000102030405060708090a0b0c0d0e0f"), 11, 16)
	nonce := unhex(t, "a0a1a2a3a4a5a6a7a8a9aa")
	pt := []byte("an SMB2 message that is a little longer than two blocks")
	want := c.Seal(nil, nonce, pt, []byte("aad"))

	buf := make([]byte, len(pt), len(pt)+16)
	copy(buf, pt)
	got := c.Seal(buf[:0], nonce, buf, []byte("aad"))
	if !bytes.Equal(got, want) || &got[0] != &buf[0] {
		t.Fatalf("in-place Seal = %x (same array %v), want %x", got, &got[0] == &buf[0], want)
	}
	back, err := c.Open(got[:0], nonce, got, []byte("aad"))
	if err != nil || !bytes.Equal(back, pt) {
		t.Fatalf("in-place Open = %q, %v", back, err)
	}

	prefix := []byte("prefix")
	got = c.Seal(bytes.Clone(prefix), nonce, pt, []byte("aad"))
	if !bytes.Equal(got, append(bytes.Clone(prefix), want...)) {
		t.Errorf("appending Seal = %x", got)
	}
	back, err = c.Open(bytes.Clone(prefix), nonce, want, []byte("aad"))
	if err != nil || !bytes.Equal(back, append(bytes.Clone(prefix), pt...)) {
		t.Errorf("appending Open = %q, %v", back, err)
	}
}

func TestCCMOpenWipesOnFailure(t *testing.T) {
	c := newTestCCM(t, unhex(t, "000102030405060708090a0b0c0d0e0f"), 11, 16)
	nonce := unhex(t, "a0a1a2a3a4a5a6a7a8a9aa")
	sealed := c.Seal(nil, nonce, []byte("secret secret secret"), nil)
	sealed[len(sealed)-1] ^= 1
	dst := make([]byte, 0, 64)
	if _, err := c.Open(dst, nonce, sealed, nil); err == nil {
		t.Fatal("Open accepted a bad tag")
	}
	if !bytes.Equal(dst[:cap(dst)], make([]byte, cap(dst))) {
		t.Errorf("Open left unauthenticated plaintext in dst: %q", dst[:cap(dst)])
	}
}

func TestCCMErrors(t *testing.T) {
	block, _ := aes.NewCipher(make([]byte, 16))
	for _, sizes := range [][2]int{{6, 16}, {14, 16}, {11, 3}, {11, 5}, {11, 18}, {11, 0}} {
		if _, err := newCCM(block, sizes[0], sizes[1]); err == nil {
			t.Errorf("newCCM(nonce %d, tag %d) succeeded", sizes[0], sizes[1])
		}
	}
	if _, err := newCCM(fakeBlock{size: 8}, 11, 16); err == nil {
		t.Error("newCCM accepted a 64-bit block cipher")
	}
	c := newTestCCM(t, make([]byte, 16), 11, 16)
	if _, err := c.Open(nil, make([]byte, 12), make([]byte, 32), nil); err == nil {
		t.Error("Open accepted a 12-byte nonce")
	}
	if _, err := c.Open(nil, make([]byte, 11), make([]byte, 15), nil); err == nil {
		t.Error("Open accepted a ciphertext shorter than the tag")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Seal with a wrong nonce size did not panic")
			}
		}()
		c.Seal(nil, make([]byte, 12), nil, nil)
	}()
	// A 13-byte nonce leaves a 2-byte length field: 65535 bytes at most.
	c13 := newTestCCM(t, make([]byte, 16), 13, 16)
	if _, err := c13.Open(nil, make([]byte, 13), make([]byte, 65536+16), nil); err == nil {
		t.Error("Open accepted a payload longer than the length field allows")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Seal of an over-long payload did not panic")
			}
		}()
		c13.Seal(nil, make([]byte, 13), make([]byte, 65536), nil)
	}()
}

func TestCCMConcurrent(t *testing.T) {
	c := newTestCCM(t, unhex(t, "000102030405060708090a0b0c0d0e0f"), 11, 16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			nonce := make([]byte, 11)
			nonce[0] = byte(g)
			pt := bytes.Repeat([]byte{byte(g)}, 1000+g)
			for range 50 {
				sealed := c.Seal(nil, nonce, pt, nonce)
				back, err := c.Open(nil, nonce, sealed, nonce)
				if err != nil || !bytes.Equal(back, pt) {
					t.Errorf("goroutine %d: round trip failed: %v", g, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
