package ntlm

import (
	"bytes"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
	"time"
)

// sambaFlags are the challenge flags of a Samba 4 standalone server
// answering DefaultFlags (TARGET_TYPE_SERVER added).
const sambaFlags = DefaultFlags | FlagTargetTypeServer

var (
	testServerChallenge = [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	testClientChallenge = bytes.Repeat([]byte{0xcc}, 8)
	testSessionKey      = bytes.Repeat([]byte{0x3c}, 16)
	testTimestamp       = []byte{0x00, 0x6e, 0x9c, 0x2b, 0x8b, 0x4f, 0xd9, 0x01}
)

// sambaTargetInfo resembles what Samba 4.17 sends: names and a timestamp.
func sambaTargetInfo() []byte {
	return avList(
		AVPair{AvNbDomainName, utf16le("SAMBA")},
		AVPair{AvNbComputerName, utf16le("FILESRV")},
		AVPair{AvDNSDomainName, utf16le("samba.example")},
		AVPair{AvDNSComputerName, utf16le("filesrv.samba.example")},
		AVPair{AvTimestamp, testTimestamp},
	)
}

func newTestClient() *Client {
	return &Client{
		User: "alice", Password: "Secret123!", Domain: "SAMBA", Workstation: "LAPTOP",
		TargetName: "cifs/filesrv.samba.example",
		Rand:       fixedRand(testClientChallenge, testSessionKey),
		Now:        func() time.Time { panic("Now must not be used when the server sends a timestamp") },
	}
}

// runExchange performs Negotiate and Authenticate and returns both messages.
func runExchange(t *testing.T, c *Client, challenge []byte) (negotiate, authenticate []byte) {
	t.Helper()
	negotiate, err := c.Negotiate()
	if err != nil {
		t.Fatal(err)
	}
	authenticate, err = c.Authenticate(challenge)
	if err != nil {
		t.Fatal(err)
	}
	return negotiate, authenticate
}

func TestNegotiateLayout(t *testing.T) {
	tests := []struct {
		name  string
		flags NegotiateFlags
		want  NegotiateFlags
	}{
		{"default flags", 0, DefaultFlags},
		{"Unicode always added", FlagNTLM | FlagVersion, FlagNTLM | FlagVersion | FlagUnicode},
		{"no Version without its flag", FlagNTLM, FlagNTLM | FlagUnicode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{Flags: tt.flags}
			msg, err := c.Negotiate()
			if err != nil {
				t.Fatal(err)
			}
			want := []byte("NTLMSSP\x00\x01\x00\x00\x00")
			want = binary.LittleEndian.AppendUint32(want, uint32(tt.want))
			want = append(want, 0, 0, 0, 0, 40, 0, 0, 0) // DomainNameFields: empty
			want = append(want, 0, 0, 0, 0, 40, 0, 0, 0) // WorkstationFields: empty
			if tt.want&FlagVersion != 0 {
				want = append(want, 10, 0, 0, 0, 0, 0, 0, 0x0f)
			} else {
				want = append(want, make([]byte, 8)...)
			}
			if !bytes.Equal(msg, want) {
				t.Errorf("got  %x\nwant %x", msg, want)
			}
		})
	}
	t.Run("DefaultFlags value", func(t *testing.T) {
		if DefaultFlags != 0xe2888215 {
			t.Errorf("DefaultFlags = %#x", uint32(DefaultFlags))
		}
	})
}

// TestAuthenticateWithTimestamp checks the AUTHENTICATE_MESSAGE sent to a
// server that includes MsvAvTimestamp: layout, the NTLMv2 response as a
// server recomputes it, the AV pairs echoed, the key exchange and the MIC.
func TestAuthenticateWithTimestamp(t *testing.T) {
	c := newTestClient()
	challenge := buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo())
	negotiate, out := runExchange(t, c, challenge)
	m := parseAuthForTest(t, out, authMICOff+micLen)

	t.Run("flags", func(t *testing.T) {
		if m.flags != DefaultFlags {
			t.Errorf("flags %v, want %v", m.flags, DefaultFlags)
		}
		if c.NegotiatedFlags() != m.flags {
			t.Errorf("NegotiatedFlags %v differs from the message's %v", c.NegotiatedFlags(), m.flags)
		}
	})
	t.Run("strings", func(t *testing.T) {
		if m.user != "alice" || m.domain != "SAMBA" || m.workstation != "LAPTOP" {
			t.Errorf("user %q domain %q workstation %q", m.user, m.domain, m.workstation)
		}
	})
	t.Run("payload follows the MIC in order without gaps", func(t *testing.T) {
		// Field order in the payload: domain, user, workstation, LM, NT, key.
		order := []int{m.offsets[2], m.offsets[3], m.offsets[4], m.offsets[0], m.offsets[1], m.offsets[5]}
		sizes := []int{len(utf16le("SAMBA")), len(utf16le("alice")), len(utf16le("LAPTOP")), len(m.lm), len(m.nt), len(m.encKey)}
		pos := 88
		for i, off := range order {
			if off != pos {
				t.Errorf("payload field %d at %d, want %d", i, off, pos)
			}
			pos += sizes[i]
		}
		if pos != len(out) {
			t.Errorf("message is %d bytes, payload ends at %d", len(out), pos)
		}
		if v := out[64:72]; !bytes.Equal(v, []byte{10, 0, 0, 0, 0, 0, 0, 0x0f}) {
			t.Errorf("Version %x", v)
		}
	})
	t.Run("LM response is Z(24)", func(t *testing.T) {
		if !bytes.Equal(m.lm, make([]byte, 24)) {
			t.Errorf("LM response %x", m.lm)
		}
	})

	key := testNTOWFv2("Secret123!", "alice", "SAMBA")
	proof := m.nt[:16]
	blob := m.nt[16:]
	t.Run("NTProofStr verifies", func(t *testing.T) {
		if want := testHMAC(key, testServerChallenge[:], blob); !bytes.Equal(proof, want) {
			t.Errorf("NTProofStr %x, want %x", proof, want)
		}
	})
	t.Run("client challenge blob", func(t *testing.T) {
		if !bytes.Equal(blob[:8], []byte{1, 1, 0, 0, 0, 0, 0, 0}) {
			t.Errorf("blob header %x", blob[:8])
		}
		if !bytes.Equal(blob[8:16], testTimestamp) {
			t.Errorf("blob time %x, want the server's %x", blob[8:16], testTimestamp)
		}
		if !bytes.Equal(blob[16:24], testClientChallenge) || !bytes.Equal(blob[24:28], make([]byte, 4)) {
			t.Errorf("client challenge / reserved %x", blob[16:28])
		}
		if !bytes.Equal(blob[len(blob)-4:], make([]byte, 4)) {
			t.Errorf("blob does not end in Z(4)")
		}
		wantPairs := avList(
			AVPair{AvNbDomainName, utf16le("SAMBA")},
			AVPair{AvNbComputerName, utf16le("FILESRV")},
			AVPair{AvDNSDomainName, utf16le("samba.example")},
			AVPair{AvDNSComputerName, utf16le("filesrv.samba.example")},
			AVPair{AvTimestamp, testTimestamp},
			AVPair{AvFlags, []byte{2, 0, 0, 0}},
			AVPair{AvTargetName, utf16le("cifs/filesrv.samba.example")},
		)
		if got := blob[28 : len(blob)-4]; !bytes.Equal(got, wantPairs) {
			t.Errorf("AV pairs\ngot  %x\nwant %x", got, wantPairs)
		}
	})

	sessionBaseKey := testHMAC(key, proof)
	t.Run("key exchange", func(t *testing.T) {
		c4, _ := rc4.NewCipher(sessionBaseKey)
		decrypted := make([]byte, len(m.encKey))
		c4.XORKeyStream(decrypted, m.encKey)
		if !bytes.Equal(decrypted, testSessionKey) {
			t.Errorf("decrypted session key %x, want %x", decrypted, testSessionKey)
		}
		if !bytes.Equal(c.SessionKey(), testSessionKey) {
			t.Errorf("SessionKey %x", c.SessionKey())
		}
	})
	t.Run("MIC", func(t *testing.T) {
		if !c.MICPresent() {
			t.Fatal("MICPresent false")
		}
		zeroed := bytes.Clone(out)
		clear(zeroed[72:88])
		want := testHMAC(testSessionKey, negotiate, challenge, zeroed)
		if got := out[72:88]; !bytes.Equal(got, want) {
			t.Errorf("MIC %x, want %x", got, want)
		}
	})
	t.Run("Challenge is kept", func(t *testing.T) {
		if ch := c.Challenge(); ch == nil || ch.TargetName != "FILESRV" {
			t.Errorf("Challenge() = %+v", ch)
		}
	})
}

// TestAuthenticateReturnsCopies makes sure callers cannot disturb the MIC
// by modifying returned slices.
func TestAuthenticateReturnsCopies(t *testing.T) {
	c := newTestClient()
	neg, err := c.Negotiate()
	if err != nil {
		t.Fatal(err)
	}
	orig := bytes.Clone(neg)
	clear(neg)
	challenge := buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo())
	out, err := c.Authenticate(challenge)
	if err != nil {
		t.Fatal(err)
	}
	zeroed := bytes.Clone(out)
	clear(zeroed[72:88])
	if want := testHMAC(testSessionKey, orig, challenge, zeroed); !bytes.Equal(out[72:88], want) {
		t.Error("MIC was computed over the caller-modified NEGOTIATE bytes")
	}
	k := c.SessionKey()
	clear(k)
	if !bytes.Equal(c.SessionKey(), testSessionKey) {
		t.Error("SessionKey returned internal storage")
	}
}

func TestAuthenticateFlagVariants(t *testing.T) {
	noTimestamp := avList(AVPair{AvNbDomainName, utf16le("SAMBA")}, AVPair{AvNbComputerName, utf16le("FILESRV")})
	tests := []struct {
		name          string
		serverFlags   NegotiateFlags
		targetInfo    []byte
		targetName    string
		wantFlags     NegotiateFlags
		wantMIC       bool
		wantEncKey    bool
		wantKeyIsBase bool // exported key equals SessionBaseKey (no KEY_EXCH)
	}{
		{
			name: "no timestamp: LMv2, no MIC", serverFlags: sambaFlags, targetInfo: noTimestamp,
			wantFlags: DefaultFlags, wantEncKey: true,
		},
		{
			name: "server without KEY_EXCH", serverFlags: sambaFlags &^ FlagKeyExch, targetInfo: sambaTargetInfo(),
			wantFlags: DefaultFlags &^ FlagKeyExch, wantMIC: true, wantKeyIsBase: true,
		},
		{
			name: "server without REQUEST_TARGET echo keeps it", serverFlags: sambaFlags &^ FlagRequestTarget,
			targetInfo: sambaTargetInfo(), wantFlags: DefaultFlags, wantMIC: true, wantEncKey: true,
		},
		{
			name: "existing MsvAvFlags gains the MIC bit", serverFlags: sambaFlags,
			targetInfo: avList(AVPair{AvFlags, []byte{1, 0, 0, 0}}, AVPair{AvTimestamp, testTimestamp}),
			wantFlags:  DefaultFlags, wantMIC: true, wantEncKey: true,
		},
		{
			name: "no TargetInfo at all", serverFlags: sambaFlags &^ FlagTargetInfo, targetName: "cifs/x",
			wantFlags: DefaultFlags &^ FlagTargetInfo, wantEncKey: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient()
			c.TargetName = tt.targetName
			c.Now = func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 123456700, time.UTC) }
			challenge := buildChallenge(tt.serverFlags, testServerChallenge, "FILESRV", tt.targetInfo)
			negotiate, out := runExchange(t, c, challenge)
			start := 72
			if tt.wantMIC {
				start = 88
			}
			m := parseAuthForTest(t, out, start)
			if m.flags != tt.wantFlags {
				t.Errorf("flags %v, want %v", m.flags, tt.wantFlags)
			}
			if c.MICPresent() != tt.wantMIC {
				t.Errorf("MICPresent %v", c.MICPresent())
			}
			key := testNTOWFv2("Secret123!", "alice", "SAMBA")
			blob := m.nt[16:]
			if want := testHMAC(key, testServerChallenge[:], blob); !bytes.Equal(m.nt[:16], want) {
				t.Errorf("NTProofStr does not verify")
			}
			pairs, err := ParseAVPairs(blob[28 : len(blob)-4])
			if err != nil {
				t.Fatalf("client AV pairs: %v", err)
			}
			flagsAV, hasFlags := lookupAV(pairs, AvFlags)
			if tt.wantMIC != (hasFlags && binary.LittleEndian.Uint32(flagsAV)&2 != 0) {
				t.Errorf("MsvAvFlags %x present=%v, want MIC bit %v", flagsAV, hasFlags, tt.wantMIC)
			}
			if tt.targetName != "" {
				if v, _ := lookupAV(pairs, AvTargetName); !bytes.Equal(v, utf16le(tt.targetName)) {
					t.Errorf("MsvAvTargetName %x", v)
				}
			}
			if tt.wantMIC {
				if !bytes.Equal(m.lm, make([]byte, 24)) {
					t.Errorf("LM response %x, want Z(24)", m.lm)
				}
				zeroed := bytes.Clone(out)
				clear(zeroed[72:88])
				if want := testHMAC(c.SessionKey(), negotiate, challenge, zeroed); !bytes.Equal(out[72:88], want) {
					t.Error("MIC does not verify")
				}
			} else {
				// LMv2 (MS-NLMP 3.3.2) and the time from Now as FILETIME
				// (2024-05-06T07:08:09.1234567Z, computed separately).
				want := append(testHMAC(key, testServerChallenge[:], testClientChallenge), testClientChallenge...)
				if !bytes.Equal(m.lm, want) {
					t.Errorf("LM response %x, want LMv2 %x", m.lm, want)
				}
				if got := binary.LittleEndian.Uint64(blob[8:16]); got != 133594528891234567 {
					t.Errorf("blob time %d", got)
				}
			}
			if (len(m.encKey) > 0) != tt.wantEncKey {
				t.Errorf("EncryptedRandomSessionKey %x", m.encKey)
			}
			if tt.wantKeyIsBase && !bytes.Equal(c.SessionKey(), testHMAC(key, m.nt[:16])) {
				t.Errorf("without KEY_EXCH the session key must be the SessionBaseKey")
			}
		})
	}
}

func TestNTHashMatchesPassword(t *testing.T) {
	challenge := buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo())
	withHash := newTestClient()
	withHash.Password = ""
	withHash.NTHash = unhex(t, "a4f49c406510bdcab6824ee7c30fd852") // NTOWFv1("Password")
	withPassword2 := newTestClient()
	withPassword2.Password = "Password"
	_, got := runExchange(t, withHash, challenge)
	_, want := runExchange(t, withPassword2, challenge)
	if !bytes.Equal(got, want) {
		t.Errorf("NTHash and Password give different messages\nhash     %x\npassword %x", got, want)
	}
}

func TestAnonymous(t *testing.T) {
	c := &Client{Workstation: "LAPTOP", Rand: bytes.NewReader(nil)}
	if !c.Anonymous() {
		t.Fatal("Anonymous() false for empty credentials")
	}
	_, out := runExchange(t, c, buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo()))
	m := parseAuthForTest(t, out, 72)

	if want := DefaultFlags&^FlagKeyExch | FlagAnonymous; m.flags != want {
		t.Errorf("flags %v, want %v", m.flags, want)
	}
	if !bytes.Equal(m.lm, []byte{0}) || len(m.nt) != 0 || len(m.encKey) != 0 {
		t.Errorf("LM %x NT %x key %x; want LM Z(1), no NT response, no key", m.lm, m.nt, m.encKey)
	}
	if m.user != "" || m.workstation != "LAPTOP" {
		t.Errorf("user %q workstation %q", m.user, m.workstation)
	}
	if c.MICPresent() || c.SessionKey() != nil {
		t.Errorf("MICPresent %v SessionKey %x; want no MIC and no key", c.MICPresent(), c.SessionKey())
	}
	if _, err := c.Sign([]byte("x")); !errors.Is(err, ErrNoSessionKey) {
		t.Errorf("Sign: %v, want ErrNoSessionKey", err)
	}
	if err := c.Verify([]byte("x"), make([]byte, 16)); !errors.Is(err, ErrNoSessionKey) {
		t.Errorf("Verify: %v, want ErrNoSessionKey", err)
	}

	for _, notAnon := range []*Client{{User: "guest"}, {Password: "x"}, {NTHash: make([]byte, 16)}} {
		if notAnon.Anonymous() {
			t.Errorf("%+v reported as anonymous", notAnon)
		}
	}
}

func TestClientErrors(t *testing.T) {
	good := buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo())
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"Authenticate before Negotiate", func() error {
			_, err := newTestClient().Authenticate(good)
			return err
		}, ErrState},
		{"Negotiate twice", func() error {
			c := newTestClient()
			c.Negotiate()
			_, err := c.Negotiate()
			return err
		}, ErrState},
		{"Authenticate twice", func() error {
			c := newTestClient()
			c.Negotiate()
			c.Authenticate(good)
			_, err := c.Authenticate(good)
			return err
		}, ErrState},
		{"Sign before Authenticate", func() error {
			c := newTestClient()
			c.Negotiate()
			_, err := c.Sign(nil)
			return err
		}, ErrState},
		{"malformed challenge", func() error {
			c := newTestClient()
			c.Negotiate()
			_, err := c.Authenticate(good[:20])
			return err
		}, ErrMalformed},
		{"server without Unicode", func() error {
			c := newTestClient()
			c.Negotiate()
			_, err := c.Authenticate(buildChallenge(sambaFlags&^FlagUnicode|FlagOEM, testServerChallenge, "", nil))
			return err
		}, ErrUnsupported},
		{"server without extended session security cannot sign", func() error {
			c := newTestClient()
			c.Negotiate()
			if _, err := c.Authenticate(buildChallenge(sambaFlags&^FlagExtendedSessionSecurity, testServerChallenge, "", sambaTargetInfo())); err != nil {
				return err
			}
			_, err := c.Sign(nil)
			return err
		}, ErrNoSessionSecurity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}

	t.Run("NTHash of wrong size", func(t *testing.T) {
		c := &Client{User: "u", NTHash: make([]byte, 15)}
		if _, err := c.Negotiate(); err == nil {
			t.Error("no error")
		}
	})
	t.Run("random source fails", func(t *testing.T) {
		for _, n := range []int{0, 8, 20} { // client challenge, then session key
			c := newTestClient()
			c.Rand = bytes.NewReader(make([]byte, n))
			c.Negotiate()
			if _, err := c.Authenticate(good); err == nil {
				t.Errorf("%d random bytes: no error", n)
			}
			if c.SessionKey() != nil || c.NegotiatedFlags() != 0 {
				t.Errorf("%d random bytes: state set after failure", n)
			}
		}
	})
	t.Run("target name too long", func(t *testing.T) {
		c := newTestClient()
		c.TargetName = string(make([]byte, 40000))
		c.Negotiate()
		if _, err := c.Authenticate(good); err == nil {
			t.Error("no error")
		}
	})
}

// TestSignVerify checks the mechListMIC signatures both ways against an
// independent computation, and the sequence-number and RC4 bookkeeping.
func TestSignVerify(t *testing.T) {
	mechList := unhex(t, "300c060a2b06010401823702020a") // MechTypeList {NTLMSSP}
	for _, keyExch := range []bool{true, false} {
		name := "KEY_EXCH"
		if !keyExch {
			name = "no KEY_EXCH"
		}
		t.Run(name, func(t *testing.T) {
			flags := sambaFlags
			if !keyExch {
				flags &^= FlagKeyExch
			}
			c := newTestClient()
			runExchange(t, c, buildChallenge(flags, testServerChallenge, "FILESRV", sambaTargetInfo()))
			exported := c.SessionKey()

			// Client side: what the server would compute to check us.
			clientHandle := sealHandle(t, exported, clientSealMagic)
			for seq := range uint32(3) {
				got, err := c.Sign(mechList)
				if err != nil {
					t.Fatal(err)
				}
				signKey := signKey(exported, clientSignMagic)
				var seqb [4]byte
				binary.LittleEndian.PutUint32(seqb[:], seq)
				sum := testHMAC(signKey, seqb[:], mechList)[:8]
				if keyExch {
					clientHandle.XORKeyStream(sum, sum)
				}
				want := slices.Concat([]byte{1, 0, 0, 0}, sum, seqb[:])
				if !bytes.Equal(got, want) {
					t.Errorf("Sign #%d = %x, want %x", seq, got, want)
				}
			}

			// Server side.
			serverHandle := sealHandle(t, exported, serverSealMagic)
			sig0 := serverSignature(exported, keyExch, 0, mechList, serverHandle)
			sig1 := serverSignature(exported, keyExch, 1, mechList, serverHandle)

			tampered := bytes.Clone(sig0)
			tampered[5] ^= 1
			if err := c.Verify(mechList, tampered); !errors.Is(err, ErrBadSignature) {
				t.Errorf("tampered checksum: %v", err)
			}
			if err := c.Verify(append(bytes.Clone(mechList), 0), sig0); !errors.Is(err, ErrBadSignature) {
				t.Errorf("tampered message: %v", err)
			}
			if err := c.Verify(mechList, sig1); !errors.Is(err, ErrBadSignature) {
				t.Errorf("out-of-order sequence number: %v", err)
			}
			badVersion := bytes.Clone(sig0)
			badVersion[0] = 2
			if err := c.Verify(mechList, badVersion); !errors.Is(err, ErrBadSignature) {
				t.Errorf("bad version: %v", err)
			}
			if err := c.Verify(mechList, sig0[:15]); !errors.Is(err, ErrBadSignature) {
				t.Errorf("short signature: %v", err)
			}
			// Failures above must not have advanced the state.
			if err := c.Verify(mechList, sig0); err != nil {
				t.Errorf("valid signature 0 after failures: %v", err)
			}
			if err := c.Verify(mechList, sig1); err != nil {
				t.Errorf("valid signature 1: %v", err)
			}
			if err := c.Verify(mechList, sig1); !errors.Is(err, ErrBadSignature) {
				t.Errorf("replayed signature: %v", err)
			}
		})
	}
}

func TestFiletime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want uint64
	}{
		{time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{time.Date(1600, 12, 31, 0, 0, 0, 0, time.UTC), 0},
		{time.Unix(0, 0), 116444736000000000},
		{time.Unix(1, 999), 116444736010000009},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := filetime(tt.in); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		in   NegotiateFlags
		want string
	}{
		{0, "0"},
		{FlagUnicode | FlagSign, "UNICODE|SIGN"},
		{1<<3 | Flag56, "0x8|56"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%#x: got %q, want %q", uint32(tt.in), got, tt.want)
		}
	}
}
