package ntlm

import (
	"bytes"
	"crypto/rc4"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// The inputs of the MS-NLMP 4.2 examples (4.2.1 Common Values).
const (
	specUser        = "User"
	specDomain      = "Domain"
	specPassword    = "Password"
	specWorkstation = "COMPUTER"
)

var (
	specServerChallenge = [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	specClientChallenge = [8]byte{0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa}
	specRandomKey       = bytes.Repeat([]byte{0x55}, 16)
	// specTime is the FILETIME 0 used by the examples.
	specTime = time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)
)

// unhex decodes hex that may contain spaces and newlines, so that vectors
// can be laid out as the specification prints them.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// specChallenge is the CHALLENGE_MESSAGE of MS-NLMP 4.2.4.3.
func specChallenge(t testing.TB) []byte {
	return unhex(t, `
		4e544c4d53535000 02000000 0c000c0038000000 33828ae2 0123456789abcdef
		0000000000000000 2400240044000000 060070170000000f
		530065007200760065007200
		02000c0044006f006d00610069006e00 01000c005300650072007600650072000000 0000`)
}

// specAuthenticate is the AUTHENTICATE_MESSAGE of MS-NLMP 4.2.4.3.
func specAuthenticate(t testing.TB) []byte {
	return unhex(t, `
		4e544c4d53535000 03000000 180018006c000000 5400540084000000
		0c000c0048000000 0800080054000000 100010005c000000 10001000d8000000
		358288e2 0501280a0000000f
		44006f006d00610069006e00 5500730065007200 43004f004d0050005500540045005200
		86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa
		68cd0ab851e51c96aabc927bebef6a1c 0101000000000000 0000000000000000
		aaaaaaaaaaaaaaaa 00000000
		02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000
		00000000
		c5dad2544fc9799094ce1ce90bc9d03e`)
}

// TestNTLMv2Vectors checks each intermediate value of MS-NLMP 4.2.4.1 and
// 4.2.4.2.
func TestNTLMv2Vectors(t *testing.T) {
	avPairs := unhex(t, "02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000")
	temp := ntlmv2ClientChallenge([8]byte{}, specClientChallenge, avPairs)
	responseKey := ntowfv2(ntHash(specPassword), specUser, specDomain)
	ntResponse, sessionBaseKey := ntlmv2Response(responseKey, specServerChallenge, temp)

	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"4.2.2.1.2 NTOWFv1", ntHash(specPassword), "a4f49c406510bdcab6824ee7c30fd852"},
		{"4.2.4.1.1 NTOWFv2", responseKey, "0c868a403bfd7a93a3001ef22ef02e3f"},
		{"4.2.4.1.2 SessionBaseKey", sessionBaseKey, "8de40ccadbc14a82f15cb0ad0de95ca3"},
		{"4.2.4.2.1 LMv2 response", lmv2Response(responseKey, specServerChallenge, specClientChallenge),
			"86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"},
		{"4.2.4.2.2 NTProofStr", ntResponse[:16], "68cd0ab851e51c96aabc927bebef6a1c"},
		{"4.2.4.2.2 NTLMv2 response", ntResponse, `
			68cd0ab851e51c96aabc927bebef6a1c 0101000000000000 0000000000000000
			aaaaaaaaaaaaaaaa 00000000
			02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000
			00000000`},
		{"4.2.4.2.3 EncryptedRandomSessionKey", rc4Encrypt(sessionBaseKey, specRandomKey),
			"c5dad2544fc9799094ce1ce90bc9d03e"},
		{"NTOWFv2 upper-cases the user", ntowfv2(ntHash(specPassword), "USER", specDomain),
			"0c868a403bfd7a93a3001ef22ef02e3f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := unhex(t, tt.want); !bytes.Equal(tt.got, want) {
				t.Errorf("got  %x\nwant %x", tt.got, want)
			}
		})
	}

	t.Run("NTOWFv2 keeps the domain's case", func(t *testing.T) {
		if bytes.Equal(ntowfv2(ntHash(specPassword), specUser, "DOMAIN"), responseKey) {
			t.Error("domain was case-folded")
		}
	})
}

// TestAuthenticateSpecExample runs the whole Client against the MS-NLMP
// 4.2.4.3 CHALLENGE_MESSAGE and expects the example AUTHENTICATE_MESSAGE.
// The only difference allowed is the informational Version field, which
// the example fills with Windows XP's (5.1.2600).
func TestAuthenticateSpecExample(t *testing.T) {
	c := &Client{
		User: specUser, Password: specPassword, Domain: specDomain, Workstation: specWorkstation,
		// The example's client flags: DefaultFlags plus SEAL; the server's
		// flags add OEM and TARGET_TYPE_SERVER, which are not echoed.
		Flags: DefaultFlags | FlagSeal,
		Rand:  bytes.NewReader(append(specClientChallenge[:], specRandomKey...)),
		Now:   func() time.Time { return specTime },
	}
	if _, err := c.Negotiate(); err != nil {
		t.Fatal(err)
	}
	got, err := c.Authenticate(specChallenge(t))
	if err != nil {
		t.Fatal(err)
	}
	want := specAuthenticate(t)
	if len(got) != len(want) {
		t.Fatalf("length %d, want %d\ngot  %x\nwant %x", len(got), len(want), got, want)
	}
	copy(got[64:72], want[64:72]) // Version is informational only
	if !bytes.Equal(got, want) {
		t.Errorf("AUTHENTICATE_MESSAGE differs\ngot  %x\nwant %x", got, want)
	}
	if c.MICPresent() {
		t.Error("MICPresent without MsvAvTimestamp")
	}
	if k := c.SessionKey(); !bytes.Equal(k, specRandomKey) {
		t.Errorf("SessionKey %x, want the random session key", k)
	}
	if f := c.NegotiatedFlags(); f != 0xe2888235 {
		t.Errorf("NegotiatedFlags %#x (%v), want 0xe2888235", uint32(f), f)
	}
}

// TestSessionSecuritySpecExample reproduces MS-NLMP 4.2.4.4: the client
// signing and sealing keys derived from RandomSessionKey, and GSS_WrapEx of
// "Plaintext" with sequence number 0, where sealing and the signature's
// checksum share one RC4 stream.
func TestSessionSecuritySpecExample(t *testing.T) {
	flags := NegotiateFlags(0xe2888235) // 4.2.4.3 negotiated flags, with 128 and KEY_EXCH
	d := newDirection(flags, specRandomKey, clientSignMagic, clientSealMagic)

	t.Run("SIGNKEY", func(t *testing.T) {
		if want := unhex(t, "4788dc861b4782f35d43fd98fe1a2d39"); !bytes.Equal(d.signingKey, want) {
			t.Errorf("got %x, want %x", d.signingKey, want)
		}
	})
	t.Run("SEALKEY", func(t *testing.T) {
		got := sealKey(flags, specRandomKey, clientSealMagic)
		if want := unhex(t, "59f600973cc4960a25480a7c196e4c58"); !bytes.Equal(got, want) {
			t.Errorf("got %x, want %x", got, want)
		}
	})
	t.Run("SEAL", func(t *testing.T) {
		plaintext := encodeUTF16("Plaintext")
		sealed := make([]byte, len(plaintext))
		d.handle.XORKeyStream(sealed, plaintext)
		if want := unhex(t, "54e50165bf1936dc996020c1811b0f06fb5f"); !bytes.Equal(sealed, want) {
			t.Errorf("sealed data %x, want %x", sealed, want)
		}
		sig := d.sign(true, plaintext)
		if want := unhex(t, "010000007fb38ec5c55d497600000000"); !bytes.Equal(sig[:], want) {
			t.Errorf("signature %x, want %x", sig, want)
		}
		if d.seqNum != 1 {
			t.Errorf("sequence number %d after one message, want 1", d.seqNum)
		}
	})
}

// TestSealKeyStrength checks the key truncation of SEALKEY (MS-NLMP
// 3.4.5.3) by recomputing it from the truncated keys.
func TestSealKeyStrength(t *testing.T) {
	key := unhex(t, "000102030405060708090a0b0c0d0e0f")
	tests := []struct {
		name  string
		flags NegotiateFlags
		n     int
	}{
		{"128-bit", Flag128 | Flag56, 16},
		{"56-bit", Flag56, 7},
		{"40-bit", 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sealKey(tt.flags, key, clientSealMagic)
			want := signKey(key[:tt.n], clientSealMagic) // same MD5 construction
			if !bytes.Equal(got, want) {
				t.Errorf("got %x, want MD5 over the first %d bytes %x", got, tt.n, want)
			}
			if _, err := rc4.NewCipher(got); err != nil {
				t.Error(err)
			}
		})
	}
}
