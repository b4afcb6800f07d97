package smbcrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"testing"
)

// fuzzAEADs returns AEADs under which the seed frames are valid, so the
// fuzzer starts from frames that authenticate and mutates them from there.
func fuzzAEADs(t testing.TB) []cipher.AEAD {
	keys30, err := DeriveKeys(Dialect300, unhex(t, ms30SessionKey), nil, CipherAES128CCM)
	if err != nil {
		t.Fatal(err)
	}
	keys311, err := DeriveKeys(Dialect311, unhex(t, ms311SessionKey), unhex(t, ms311PreauthHash), CipherAES128GCM)
	if err != nil {
		t.Fatal(err)
	}
	k128 := unhex(t, "404142434445464748494a4b4c4d4e4f")
	k256 := unhex(t, "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f")
	return []cipher.AEAD{
		newTestAEAD(t, CipherAES128CCM, keys30.Decrypt),
		newTestAEAD(t, CipherAES128GCM, keys311.Decrypt),
		newTestAEAD(t, CipherAES128CCM, k128),
		newTestAEAD(t, CipherAES128GCM, k128),
		newTestAEAD(t, CipherAES256CCM, k256),
		newTestAEAD(t, CipherAES256GCM, k256),
	}
}

// FuzzOpen feeds arbitrary frames to PeekSessionID and Open under several
// keys: they must return errors, never panic, and whatever does open must
// re-seal to the same frame.
func FuzzOpen(f *testing.F) {
	f.Add(unhex(f, ms30WriteResponseFrame))
	f.Add(unhex(f, ms311WriteResponseFrame))
	aeads := fuzzAEADs(f)
	msg := testMessage(f, 0x0008, 0x08)
	for i, a := range aeads[2:] {
		nonce := bytes.Repeat([]byte{byte(i + 1)}, a.NonceSize())
		frame, err := Seal(nil, a, nonce, 0x100000000025, msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(frame)
	}
	f.Add([]byte{})
	f.Add([]byte("\xfdSMB"))
	f.Add(make([]byte, TransformHeaderSize+1))

	f.Fuzz(func(t *testing.T, frame []byte) {
		peekID, peekErr := PeekSessionID(frame)
		for _, a := range aeads {
			pt, sid, err := Open(nil, a, frame)
			if err != nil {
				if !errors.Is(err, ErrMalformedTransform) && !errors.Is(err, ErrDecrypt) {
					t.Fatalf("Open error %v wraps neither sentinel", err)
				}
				if pt != nil || sid != 0 {
					t.Fatal("Open returned data with an error")
				}
				if errors.Is(err, ErrMalformedTransform) != (peekErr != nil) {
					t.Fatalf("Open error %v but PeekSessionID error %v", err, peekErr)
				}
				continue
			}
			if peekErr != nil || peekID != sid {
				t.Fatalf("Open ok for session %#x, PeekSessionID %#x, %v", sid, peekID, peekErr)
			}
			if len(pt) != len(frame)-TransformHeaderSize {
				t.Fatalf("plaintext of %d bytes from a %d-byte frame", len(pt), len(frame))
			}
			// Seal writes zeros where the nonce is unused and in Reserved;
			// with those cleared the frame must come back byte for byte.
			want := bytes.Clone(frame)
			clear(want[offTfNonce+a.NonceSize() : offTfOrigSize])
			clear(want[offTfReserved:offTfFlags])
			if bytes.Equal(want, frame) {
				again, err := Seal(nil, a, frame[offTfNonce:offTfNonce+a.NonceSize()], sid, pt)
				if err != nil || !bytes.Equal(again, frame) {
					t.Fatalf("re-sealed frame differs: %x, %v", again, err)
				}
			}
			// Decrypting in place gives the same plaintext.
			inPlace := bytes.Clone(frame)
			pt2, _, err := Open(inPlace[:0], a, inPlace)
			if err != nil || !bytes.Equal(pt2, pt) {
				t.Fatalf("in-place Open = %x, %v", pt2, err)
			}
		}
	})
}

// FuzzCCM checks the general CCM: any sizes, data and additional data must
// round-trip, and opening arbitrary bytes must fail cleanly.
func FuzzCCM(f *testing.F) {
	for _, v := range append(nistCCMVectors(f)[:3], rfc3610Vectors...) {
		f.Add(uint8(len(unhex(f, v.nonce))), uint8(v.tagSize), unhex(f, v.aad), unhex(f, v.plaintext))
	}
	f.Add(uint8(11), uint8(16), []byte{}, []byte{})
	f.Add(uint8(7), uint8(4), bytes.Repeat([]byte{0xAA}, 65300), []byte("x"))

	block, err := aes.NewCipher(unhex(f, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, nonceSize, tagSize uint8, aad, data []byte) {
		c, err := newCCM(block, int(nonceSize), int(tagSize))
		if err != nil {
			return
		}
		nonce := bytes.Repeat([]byte{nonceSize ^ tagSize}, c.NonceSize())
		if pt, err := c.Open(nil, nonce, data, aad); err == nil {
			// A forgery needs the tag to match by chance: only plausible
			// for the shortest tags, and then pt must re-seal to data.
			if again := c.Seal(nil, nonce, pt, aad); !bytes.Equal(again, data) {
				t.Fatalf("Open accepted %x which re-seals to %x", data, again)
			}
		}
		if uint64(len(data)) > c.maxPlaintext() {
			return
		}
		sealed := c.Seal(nil, nonce, data, aad)
		back, err := c.Open(nil, nonce, sealed, aad)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}
