package smbcrypto

import (
	"bytes"
	"crypto/sha512"
	"testing"
)

// Vectors published by Microsoft's Open Specifications team in the blog
// posts "Encryption in SMB 3.0: A protocol perspective" (2012) and "SMB 3.1.1
// Encryption in Windows 10" (2015): session keys, pre-authentication hash and
// the keys Windows derived from them.
var (
	ms30SessionKey   = "B4546771B515F766A86735532DD6C4F0"
	ms30EncryptKey   = "261B72350558F2E9DCF613070383EDBF"
	ms30DecryptKey   = "8FE2B57EC34D2DB5B1A9727F526BBDB5"
	ms311SessionKey  = "419FDDF34C1E001909D362AE7FB6AF79"
	ms311PreauthHash = `B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDB
	                    A7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770`
	ms311EncryptKey = "A2F5E80E5D59103034F32E52F698E5EC"
	ms311DecryptKey = "748C50868C90F302962A5C35F5F9A8BF"
)

func TestDeriveKeysMicrosoftVectors(t *testing.T) {
	t.Run("3.0", func(t *testing.T) {
		for _, d := range []uint16{Dialect300, Dialect302} {
			keys, err := DeriveKeys(d, unhex(t, ms30SessionKey), nil, CipherAES128CCM)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(keys.Encrypt, unhex(t, ms30EncryptKey)) {
				t.Errorf("dialect %#x Encrypt = %X, want %s", d, keys.Encrypt, ms30EncryptKey)
			}
			if !bytes.Equal(keys.Decrypt, unhex(t, ms30DecryptKey)) {
				t.Errorf("dialect %#x Decrypt = %X, want %s", d, keys.Decrypt, ms30DecryptKey)
			}
		}
	})
	t.Run("3.1.1", func(t *testing.T) {
		keys, err := DeriveKeys(Dialect311, unhex(t, ms311SessionKey), unhex(t, ms311PreauthHash), CipherAES128GCM)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(keys.Encrypt, unhex(t, ms311EncryptKey)) {
			t.Errorf("Encrypt = %X, want %s", keys.Encrypt, ms311EncryptKey)
		}
		if !bytes.Equal(keys.Decrypt, unhex(t, ms311DecryptKey)) {
			t.Errorf("Decrypt = %X, want %s", keys.Decrypt, ms311DecryptKey)
		}
	})
}

// TestDeriveKeys checks every key of every dialect. Values not covered by
// Microsoft's published vectors were computed independently with Python's
// hmac module following MS-SMB2 3.1.4.2 and 3.2.5.3.1.
func TestDeriveKeys(t *testing.T) {
	key32 := unhex(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	preauth := sha512.Sum512([]byte("smbfs preauth"))
	tests := []struct {
		name       string
		dialect    uint16
		sessionKey []byte
		preauth    []byte
		cipher     uint16
		// Signing, Encrypt, Decrypt, Application in hex; "" skips a check.
		wantHex [4]string
	}{
		{
			name: "2.0.2 uses the session key", dialect: Dialect202,
			sessionKey: unhex(t, ms30SessionKey),
			wantHex:    [4]string{ms30SessionKey, "", "", ms30SessionKey},
		},
		{
			name: "2.1 pads a short key", dialect: Dialect210,
			sessionKey: unhex(t, "0102030405060708"),
			wantHex:    [4]string{"01020304050607080000000000000000", "", "", "01020304050607080000000000000000"},
		},
		{
			name: "2.1 truncates a long key", dialect: Dialect210,
			sessionKey: key32,
			wantHex:    [4]string{"000102030405060708090a0b0c0d0e0f", "", "", "000102030405060708090a0b0c0d0e0f"},
		},
		{
			name: "3.0", dialect: Dialect300, cipher: CipherAES128CCM,
			sessionKey: unhex(t, ms30SessionKey),
			wantHex:    [4]string{"f773cd23c18fd1e08ee510cada7cf852", ms30EncryptKey, ms30DecryptKey, "77432f808ce99156b5bc6a3676d730d1"},
		},
		{
			name: "3.0.2 without encryption", dialect: Dialect302, cipher: CipherNone,
			sessionKey: unhex(t, ms30SessionKey),
			wantHex:    [4]string{"f773cd23c18fd1e08ee510cada7cf852", ms30EncryptKey, ms30DecryptKey, "77432f808ce99156b5bc6a3676d730d1"},
		},
		{
			name: "3.0 pads a short key", dialect: Dialect300,
			sessionKey: unhex(t, "0102030405060708"),
			wantHex:    [4]string{"1c885bcf66a193cbabd26754d66c786e", "", "", ""},
		},
		{
			name: "3.1.1 AES-128-GCM", dialect: Dialect311, cipher: CipherAES128GCM,
			sessionKey: unhex(t, ms311SessionKey), preauth: unhex(t, ms311PreauthHash),
			wantHex: [4]string{"", ms311EncryptKey, ms311DecryptKey, ""},
		},
		{
			name: "3.1.1 AES-128-CCM", dialect: Dialect311, cipher: CipherAES128CCM,
			sessionKey: unhex(t, ms311SessionKey), preauth: unhex(t, ms311PreauthHash),
			wantHex: [4]string{"", ms311EncryptKey, ms311DecryptKey, ""},
		},
		{
			name: "3.1.1 AES-256-GCM uses the full key for cipher keys only", dialect: Dialect311, cipher: CipherAES256GCM,
			sessionKey: key32, preauth: preauth[:],
			wantHex: [4]string{
				"9257eecceefce6312d947e6ef558a42c",
				"656e3ca256bd3eb3dd9f89c7e7ef6ba1f2d58ee0d5cb8ba02967560ffdacb880",
				"0986c5360f9208e98e45d85be5d1cc267fde9542bb8d75fee11af51bd0ec5576",
				"b03f094320b6ca81060f2bfed79c93f1",
			},
		},
		{
			name: "3.1.1 AES-256-CCM", dialect: Dialect311, cipher: CipherAES256CCM,
			sessionKey: key32, preauth: preauth[:],
			wantHex: [4]string{
				"9257eecceefce6312d947e6ef558a42c",
				"656e3ca256bd3eb3dd9f89c7e7ef6ba1f2d58ee0d5cb8ba02967560ffdacb880",
				"0986c5360f9208e98e45d85be5d1cc267fde9542bb8d75fee11af51bd0ec5576",
				"b03f094320b6ca81060f2bfed79c93f1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := DeriveKeys(tt.dialect, tt.sessionKey, tt.preauth, tt.cipher)
			if err != nil {
				t.Fatal(err)
			}
			got := [4][]byte{keys.Signing, keys.Encrypt, keys.Decrypt, keys.Application}
			names := [4]string{"Signing", "Encrypt", "Decrypt", "Application"}
			for i, w := range tt.wantHex {
				if w == "" {
					continue
				}
				if !bytes.Equal(got[i], unhex(t, w)) {
					t.Errorf("%s = %x, want %s", names[i], got[i], w)
				}
			}
			if tt.dialect < Dialect300 && (keys.Encrypt != nil || keys.Decrypt != nil) {
				t.Errorf("dialect %#x has encryption keys", tt.dialect)
			}
			if len(keys.Signing) != 16 || len(keys.Application) != 16 {
				t.Errorf("Signing %d bytes, Application %d bytes, want 16 each", len(keys.Signing), len(keys.Application))
			}
			// The keys must not alias the caller's session key.
			if len(tt.sessionKey) > 0 && &keys.Signing[0] == &tt.sessionKey[0] {
				t.Error("Signing aliases the session key")
			}
		})
	}
}

func TestDeriveKeysErrors(t *testing.T) {
	key := unhex(t, ms311SessionKey)
	pre := unhex(t, ms311PreauthHash)
	tests := []struct {
		name       string
		dialect    uint16
		sessionKey []byte
		preauth    []byte
		cipher     uint16
	}{
		{"empty session key", Dialect311, nil, pre, CipherAES128GCM},
		{"unknown dialect", 0x0301, key, pre, CipherNone},
		{"wildcard dialect", 0x02FF, key, nil, CipherNone},
		{"3.1.1 without preauth hash", Dialect311, key, nil, CipherAES128GCM},
		{"3.1.1 short preauth hash", Dialect311, key, pre[:32], CipherAES128GCM},
		{"3.1.1 unknown cipher", Dialect311, key, pre, 5},
		{"3.0 with GCM", Dialect300, key, nil, CipherAES128GCM},
		{"2.1 with a cipher", Dialect210, key, nil, CipherAES128CCM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DeriveKeys(tt.dialect, tt.sessionKey, tt.preauth, tt.cipher); err == nil {
				t.Error("DeriveKeys succeeded, want an error")
			}
		})
	}
}

func TestKDF(t *testing.T) {
	// Computed independently with Python's hmac module: two PRF blocks for
	// L = 512 check the counter and that L is the full output length.
	tests := []struct {
		name                string
		key, label, context string
		bits                int
		want                string
	}{
		{"512 bits", "key", "label", "context", 512,
			"778e74c992dae8b2b2bd3ca393b652c987edf5ee3709ca26d456452bfe5eefc69bc88d9e7b3bc214ce3100a6c5e22edd498026aa5bffdb72c266730a8187e6d6"},
		{"SMB 3.0 signing key", "\xB4\x54\x67\x71\xB5\x15\xF7\x66\xA8\x67\x35\x53\x2D\xD6\xC4\xF0", "SMB2AESCMAC\x00", "SmbSign\x00", 128,
			"f773cd23c18fd1e08ee510cada7cf852"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KDF([]byte(tt.key), []byte(tt.label), []byte(tt.context), tt.bits)
			if !bytes.Equal(got, unhex(t, tt.want)) {
				t.Errorf("KDF = %x, want %s", got, tt.want)
			}
		})
	}
	for _, bits := range []int{0, -8, 7, 129} {
		if got := KDF([]byte("k"), nil, nil, bits); got != nil {
			t.Errorf("KDF(bits=%d) = %x, want nil", bits, got)
		}
	}
}
