package smbcrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"testing"
)

func newTestAEAD(t testing.TB, cipherID uint16, key []byte) cipher.AEAD {
	t.Helper()
	a, err := NewAEAD(cipherID, key)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Microsoft's SMB 3.1.1 AES-128-GCM example ("SMB 3.1.1 Encryption in
// Windows 10", 2015): a WRITE request sealed for session 0x100000000025
// with the nonce C7D6822D269CAF48904C664C, and a WRITE response to open.
const (
	ms311WriteRequest = `
FE534D4240000100000000000900010008000000000000000500000000000000FFFE000001000000
25000000001000000000000000000000000000000000000031007000170000000000000000000000
0600000004000000010000000400000000000000000000007000000000000000536D623320656E63
72797074696F6E2074657374696E67`
	ms311WriteRequestFrame = `
FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D269CAF48904C664C0000000087000000
0000010025000000001000006ECDD2A7AFC7B47763057A041B8FD4DAFFE990B70C9E09D36C084E02
D14EF247F8BDE38ACF6256F8B1D3B56F77FBDEB312FEA5E92CBCC1ED8FB2EBBFAA75E49A4A394BB4
4576545567C24D4C014D47C9FBDFDAFD2C4F9B72F8D256452620A299F48E29E53D6B61D1C13A19E9
1AF013F00D17E3ABC2FC3D36C8C1B6B93973253852DBD442E46EE8`
	ms311WriteResponseFrame = `
FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD2E8EB7B4000000000000000050000000
00000100250000000010000026BBBF949983A6C1C796559D0F2C510CB651D1F7B6AC8DED32A2A0B8
F2D793A815C6F6B848D69767A215841A42D400AE6DDB5F0B44173A014973321FDD7950DA6179159B
82E03C9E18A050FF0EA1C967`
	ms311WriteResponse = `
FE534D4240000100000000000900010001000000000000000500000000000000FFFE000001000000
25000000001000000000000000000000000000000000000011000000170000000000000000000000`
)

// Microsoft's SMB 3.0 AES-128-CCM example ("Encryption in SMB 3.0: A protocol
// perspective", 2012). Windows 8 filled all 16 bytes of the Nonce field
// although CCM uses 11, and the AAD covers all 16, so the request frame is
// checked through Open and the raw AEAD rather than rebuilt with Seal,
// which zero-pads the field.
const (
	ms30WriteRequest = `
FE534D4240000100000000000900400008000000000000000400000000000000
FFFE0000010000001100001400E4080000000000000000000000000000000000
3100700017000000000000000000000015010000390000020100000039020000
00000000000000007000000000000000536D623320656E6372797074696F6E20
74657374696E67`
	ms30WriteRequestFrame = `
FD534D4281A286535415445DAE393921E44FA42E66E69A111892584FB5ED524A
744DA3EE87000000000001001100001400E4080025C8FEE16605A437832D1CD5
2DA9F4645333482A175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4
4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA899E410E910EABF5
AA1DB43050B33B49182637759AC15D84BFCDF5B6B238993C0F4CF4D6012023F6
C627297075D84B7803912D0A9639634453595EF3E33FFE4E7AC2AB`
	ms30WriteResponseFrame = `
FD534D42A6015530A18F6D9AFFE22AFAE8E66484860000000000000011000014
00E4080050000000000001001100001400E40800DBF46435C5F14169293CE079
E344479BF670227E49873F458672C3098DAC467DD5809F369D67409166515787
1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B378F1993EFF6E60D1
77309E5B`
	ms30WriteResponse = `
FE534D4240000100000000000900210009000000000000000400000000000000
FFFE0000010000001100001400E4080000000000000000000000000000000000
11000000170000000000000000000000`
)

func TestTransformMicrosoft311(t *testing.T) {
	keys, err := DeriveKeys(Dialect311, unhex(t, ms311SessionKey), unhex(t, ms311PreauthHash), CipherAES128GCM)
	if err != nil {
		t.Fatal(err)
	}
	enc := newTestAEAD(t, CipherAES128GCM, keys.Encrypt)
	dec := newTestAEAD(t, CipherAES128GCM, keys.Decrypt)

	frame, err := Seal(nil, enc, unhex(t, "C7D6822D269CAF48904C664C"), 0x100000000025, unhex(t, ms311WriteRequest))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, ms311WriteRequestFrame); !bytes.Equal(frame, want) {
		t.Errorf("Seal =\n%X\nwant\n%X", frame, want)
	}

	pt, sid, err := Open(nil, dec, unhex(t, ms311WriteResponseFrame))
	if err != nil {
		t.Fatal(err)
	}
	if sid != 0x100000000025 || !bytes.Equal(pt, unhex(t, ms311WriteResponse)) {
		t.Errorf("Open = %X, session %#x", pt, sid)
	}
}

func TestTransformMicrosoft30(t *testing.T) {
	keys, err := DeriveKeys(Dialect300, unhex(t, ms30SessionKey), nil, CipherAES128CCM)
	if err != nil {
		t.Fatal(err)
	}
	enc := newTestAEAD(t, CipherAES128CCM, keys.Encrypt)
	dec := newTestAEAD(t, CipherAES128CCM, keys.Decrypt)

	// The server side of the request: Open it with the client's
	// encryption key.
	reqFrame := unhex(t, ms30WriteRequestFrame)
	pt, sid, err := Open(nil, enc, reqFrame)
	if err != nil {
		t.Fatal(err)
	}
	if sid != 0x8E40014000011 || !bytes.Equal(pt, unhex(t, ms30WriteRequest)) {
		t.Errorf("Open(request) = %X, session %#x", pt, sid)
	}
	// Byte-exact encryption through the AEAD with the 16-byte field as AAD.
	sealed := enc.Seal(nil, reqFrame[20:31], unhex(t, ms30WriteRequest), reqFrame[20:52])
	if want := append(bytes.Clone(reqFrame[52:]), reqFrame[4:20]...); !bytes.Equal(sealed, want) {
		t.Errorf("CCM Seal =\n%X\nwant\n%X", sealed, want)
	}

	pt, sid, err = Open(nil, dec, unhex(t, ms30WriteResponseFrame))
	if err != nil {
		t.Fatal(err)
	}
	if sid != 0x8E40014000011 || !bytes.Equal(pt, unhex(t, ms30WriteResponse)) {
		t.Errorf("Open(response) = %X, session %#x", pt, sid)
	}
}

// TestTransformEachCipher seals testMessage with every cipher and compares
// with frames computed independently with Python's "cryptography" package
// (AESCCM, AESGCM) laid out per MS-SMB2 2.2.41.
func TestTransformEachCipher(t *testing.T) {
	k128 := unhex(t, "404142434445464748494a4b4c4d4e4f")
	k256 := unhex(t, "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f")
	n11 := unhex(t, "a0a1a2a3a4a5a6a7a8a9aa")
	n12 := unhex(t, "b0b1b2b3b4b5b6b7b8b9babb")
	tests := []struct {
		name   string
		cipher uint16
		key    []byte
		nonce  []byte
		frame  string
	}{
		{"AES-128-CCM", CipherAES128CCM, k128, n11, `
fd534d42b14d2d80ffe97616d50c84bd5966201ca0a1a2a3a4a5a6a7a8a9aa0000000000790000000000010025000000001000
0003f45d639fb90bfe2691dd2736fc88a2c8aeb180e3d5f329ed2eb42cd382ef632f9fc02c5666321b326ead3a63c7d6dabc74
f2bbf1fa61195f3a505fb0bfb027eaf67f281d6aa1a926f09ba56af755bf63c49cfb857112d9997c33e7ad6c0984c08cde2fb3
6612435276434c145ab667ba2ccfc75777c5a60a`},
		{"AES-128-GCM", CipherAES128GCM, k128, n12, `
fd534d421a93864945f1382a395f7cc922374a89b0b1b2b3b4b5b6b7b8b9babb0000000079000000000001002500000000100000
e64b570950cde8d3babace69be936194a0cda30a02b4763d4e1fc0231e837c8b75ae1968e68f1ab7175681ac250b939f48faa1
51bdf9aeab7b49a2aa48cc420efd3c8e64c7d1bf2edc7c3e4f0201da968d556381fff9f1fb735605475fac7d83d2d56d8ad851
0265bf98ee395fc67777bf4759584c3e869dfe`},
		{"AES-256-CCM", CipherAES256CCM, k256, n11, `
fd534d42d418c0a1de7c581a33868eaea8ad93b9a0a1a2a3a4a5a6a7a8a9aa0000000000790000000000010025000000001000
002a14831ef1349e15ba32d36e49cabed10d2f3e3cce6c8265e5e08200d88fcd54082ef768decf9af92493927b207c6bd12e35
3345ea82a39f09f0e0d711da9595e603da1bbf50fb7cc8fc3da22fea86fb637bf957e9c2202c25ea9bcb4f38d12ba2ea1e66fa
aa4846ed4d25c04d6cd4cc8422ae2de1fea2911a`},
		{"AES-256-GCM", CipherAES256GCM, k256, n12, `
fd534d426dbd008d3f888a767a70fabe100902aeb0b1b2b3b4b5b6b7b8b9babb0000000079000000000001002500000000100000
c8a96705d223c90e320d1dfa0b3d9c369e33a29b8a489431e843a95dd1240fde14cd51f4d4fd1626e4641b0ddcb19c20d7f9e6
7f2b0d0a18581c65d151bb5f6811d3b1d553f2e84220d1c95e160878e406df8db0d92bf1dc7a9471706f1681e1ac3b60928ceb
9e5f1bce1b6dc1e80a4c28e7a47b7a9eae70f5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAEAD(t, tt.cipher, tt.key)
			msg := testMessage(t, 0x0008, 0x08)
			want := unhex(t, tt.frame)
			frame, err := Seal(nil, a, tt.nonce, 0x100000000025, msg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(frame, want) {
				t.Fatalf("Seal =\n%x\nwant\n%x", frame, want)
			}
			if sid, err := PeekSessionID(frame); err != nil || sid != 0x100000000025 {
				t.Errorf("PeekSessionID = %#x, %v", sid, err)
			}
			pt, sid, err := Open(nil, a, frame)
			if err != nil || sid != 0x100000000025 || !bytes.Equal(pt, msg) {
				t.Fatalf("Open = %x, %#x, %v", pt, sid, err)
			}

			// In place both ways: the message built 52 bytes into a buffer,
			// then decrypted back over the frame.
			buf := make([]byte, TransformHeaderSize+len(msg), TransformHeaderSize+len(msg)+aeadTagSize)
			copy(buf[TransformHeaderSize:], msg)
			frame2, err := Seal(buf[:0], a, tt.nonce, 0x100000000025, buf[TransformHeaderSize:])
			if err != nil || !bytes.Equal(frame2, want) || &frame2[0] != &buf[0] {
				t.Fatalf("in-place Seal = %x, %v", frame2, err)
			}
			pt2, _, err := Open(frame2[:0], a, frame2)
			if err != nil || !bytes.Equal(pt2, msg) || &pt2[0] != &buf[0] {
				t.Fatalf("in-place Open = %x, %v", pt2, err)
			}

			// Appending to a non-empty dst.
			frame3, err := Seal([]byte{0, 0, 0, 0}, a, tt.nonce, 0x100000000025, msg)
			if err != nil || !bytes.Equal(frame3[4:], want) {
				t.Fatalf("appending Seal = %x, %v", frame3, err)
			}
			pt3, _, err := Open([]byte("x"), a, want)
			if err != nil || !bytes.Equal(pt3, append([]byte("x"), msg...)) {
				t.Fatalf("appending Open = %x, %v", pt3, err)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	a := newTestAEAD(t, CipherAES128GCM, unhex(t, "404142434445464748494a4b4c4d4e4f"))
	good, err := Seal(nil, a, unhex(t, "b0b1b2b3b4b5b6b7b8b9babb"), 7, []byte("hello, encrypted world"))
	if err != nil {
		t.Fatal(err)
	}
	patch := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	tests := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"empty", nil, ErrMalformedTransform},
		{"header only", good[:TransformHeaderSize], ErrMalformedTransform},
		{"SMB2 protocol id", patch(func(b []byte) { b[0] = 0xFE }), ErrMalformedTransform},
		{"compression protocol id", patch(func(b []byte) { b[0] = 0xFC }), ErrMalformedTransform},
		{"flags 0", patch(func(b []byte) { binary.LittleEndian.PutUint16(b[offTfFlags:], 0) }), ErrMalformedTransform},
		{"flags 2", patch(func(b []byte) { binary.LittleEndian.PutUint16(b[offTfFlags:], 2) }), ErrMalformedTransform},
		{"size too small", patch(func(b []byte) { b[offTfOrigSize]-- }), ErrMalformedTransform},
		{"size too large", patch(func(b []byte) { b[offTfOrigSize+3] = 1 }), ErrMalformedTransform},
		{"truncated", good[:len(good)-1], ErrMalformedTransform},
		{"tag", patch(func(b []byte) { b[offTfSignature] ^= 1 }), ErrDecrypt},
		{"nonce", patch(func(b []byte) { b[offTfNonce] ^= 1 }), ErrDecrypt},
		{"unused nonce byte", patch(func(b []byte) { b[offTfNonce+15] ^= 1 }), ErrDecrypt},
		{"reserved", patch(func(b []byte) { b[offTfReserved] ^= 1 }), ErrDecrypt},
		{"session id", patch(func(b []byte) { b[offTfSessionID] ^= 1 }), ErrDecrypt},
		{"ciphertext", patch(func(b []byte) { b[len(b)-1] ^= 1 }), ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]byte, 0, 128)
			pt, sid, err := Open(dst, a, tt.frame)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
			if pt != nil || sid != 0 {
				t.Errorf("Open returned %x, %d with an error", pt, sid)
			}
			if !bytes.Equal(dst[:cap(dst)], make([]byte, cap(dst))) {
				t.Errorf("Open left bytes in dst: %x", dst[:cap(dst)])
			}
			if tt.want == ErrMalformedTransform {
				if _, err := PeekSessionID(tt.frame); !errors.Is(err, ErrMalformedTransform) {
					t.Errorf("PeekSessionID error = %v", err)
				}
			}
		})
	}
	// The wrong key is an authentication failure too.
	other := newTestAEAD(t, CipherAES128GCM, make([]byte, 16))
	if _, _, err := Open(nil, other, good); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Open with another key: %v", err)
	}
	// An AEAD that cannot fit the header.
	ccm8, err := newCCM(zeroKeyAES(t), 11, 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(nil, ccm8, good); err == nil {
		t.Error("Open accepted an AEAD with 8-byte tags")
	}
}

// zeroKeyAES returns AES-128 with an all-zero key.
func zeroKeyAES(t testing.TB) cipher.Block {
	block, err := aes.NewCipher(make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	return block
}

func TestSealRejects(t *testing.T) {
	gcm := newTestAEAD(t, CipherAES128GCM, make([]byte, 16))
	ccm := newTestAEAD(t, CipherAES128CCM, make([]byte, 16))
	ccm8, err := newCCM(zeroKeyAES(t), 11, 8)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		aead  cipher.AEAD
		nonce []byte
		msg   []byte
	}{
		{"GCM with an 11-byte nonce", gcm, make([]byte, 11), []byte("m")},
		{"CCM with a 12-byte nonce", ccm, make([]byte, 12), []byte("m")},
		{"CCM with a 16-byte nonce", ccm, make([]byte, 16), []byte("m")},
		{"empty message", gcm, make([]byte, 12), nil},
		{"8-byte tag", ccm8, make([]byte, 11), []byte("m")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out, err := Seal(nil, tt.aead, tt.nonce, 1, tt.msg); err == nil {
				t.Errorf("Seal = %x, want an error", out)
			}
		})
	}
}

func TestNewAEAD(t *testing.T) {
	tests := []struct {
		cipher    uint16
		keyLen    int
		nonceSize int
		ok        bool
	}{
		{CipherAES128CCM, 16, 11, true},
		{CipherAES128GCM, 16, 12, true},
		{CipherAES256CCM, 32, 11, true},
		{CipherAES256GCM, 32, 12, true},
		{CipherAES128CCM, 32, 0, false},
		{CipherAES256GCM, 16, 0, false},
		{CipherAES128GCM, 24, 0, false},
		{CipherNone, 16, 0, false},
		{5, 16, 0, false},
	}
	for _, tt := range tests {
		a, err := NewAEAD(tt.cipher, make([]byte, tt.keyLen))
		if (err == nil) != tt.ok {
			t.Errorf("NewAEAD(%d, %d-byte key) error = %v", tt.cipher, tt.keyLen, err)
			continue
		}
		if err == nil && (a.NonceSize() != tt.nonceSize || a.Overhead() != 16) {
			t.Errorf("NewAEAD(%d): nonce %d, overhead %d", tt.cipher, a.NonceSize(), a.Overhead())
		}
	}
}
