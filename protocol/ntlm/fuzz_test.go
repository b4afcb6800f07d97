package ntlm

import (
	"bytes"
	"testing"
	"time"
)

func FuzzParseChallenge(f *testing.F) {
	f.Add(specChallenge(f))
	f.Add(buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo()))
	f.Add(buildChallenge(FlagUnicode, testServerChallenge, "", nil)[:32])
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseChallenge(b)
		if err != nil {
			return
		}
		// A decoded TargetInfo re-encodes to itself: nothing was skipped.
		if c.TargetInfo != nil && !bytes.Equal(appendAVPairs(nil, c.AVPairs), c.TargetInfo) {
			t.Fatalf("AV pairs %v do not re-encode to TargetInfo %x", c.AVPairs, c.TargetInfo)
		}
		if !bytes.Equal(c.ServerChallenge[:], b[24:32]) {
			t.Fatal("ServerChallenge not taken from offset 24")
		}
	})
}

func FuzzParseAVPairs(f *testing.F) {
	f.Add(sambaTargetInfo())
	f.Add([]byte{0, 0, 0, 0})
	f.Add(avList(AVPair{AvFlags, []byte{2, 0, 0, 0}}, AVPair{AvTargetName, utf16le("cifs/x")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		pairs, err := ParseAVPairs(b)
		if err != nil {
			return
		}
		if got := appendAVPairs(nil, pairs); !bytes.Equal(got, b) {
			t.Fatalf("round trip: %x -> %v -> %x", b, pairs, got)
		}
	})
}

// FuzzAuthenticate feeds arbitrary CHALLENGE_MESSAGEs to a Client: it must
// fail cleanly or produce a well-formed AUTHENTICATE_MESSAGE whose MIC (if
// any) verifies.
func FuzzAuthenticate(f *testing.F) {
	f.Add(specChallenge(f), false)
	f.Add(buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo()), false)
	f.Add(buildChallenge(sambaFlags, testServerChallenge, "FILESRV", sambaTargetInfo()), true)
	f.Fuzz(func(t *testing.T, challenge []byte, anonymous bool) {
		c := &Client{
			User: "alice", Password: "pw", Domain: "D", TargetName: "cifs/h",
			Rand: fixedRand(testClientChallenge, testSessionKey),
			Now:  func() time.Time { return specTime },
		}
		if anonymous {
			c.User, c.Password = "", ""
		}
		negotiate, err := c.Negotiate()
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.Authenticate(challenge)
		if err != nil {
			return
		}
		start := 72
		if c.MICPresent() {
			start = 88
		}
		parseAuthForTest(t, out, start)
		if c.MICPresent() {
			zeroed := bytes.Clone(out)
			clear(zeroed[72:88])
			if want := testHMAC(c.SessionKey(), negotiate, challenge, zeroed); !bytes.Equal(out[72:88], want) {
				t.Fatal("MIC does not verify")
			}
		}
		if !anonymous {
			if _, err := c.Sign([]byte("m")); err != nil && c.NegotiatedFlags()&FlagExtendedSessionSecurity != 0 {
				t.Fatalf("Sign: %v", err)
			}
		}
	})
}
