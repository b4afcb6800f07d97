package smbfs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
	"github.com/smbfs/smbfs/protocol"
)

// roundTrip writes and reads back a file larger than one chunk.
func roundTrip(t *testing.T, fsys *smbfs.FS) {
	t.Helper()
	dir := scratch(t, fsys)
	data := randomBytes(3<<20 + 99)
	if err := dir.WriteFile("x", data, 0o666); err != nil {
		t.Fatal(err)
	}
	got, err := dir.ReadFile("x")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back: %d bytes, %v", len(got), err)
	}
}

// TestEveryCipher: each of the four ciphers against Samba, chosen by the
// client's offer (3.1.1) and by the server's setting; 3.0 and 3.0.2 get
// AES-128-CCM.
func TestEveryCipher(t *testing.T) {
	cases := []struct {
		name    string
		opts    []smbfs.Option
		want    string
		dialect string
	}{
		{"3.1.1-AES-128-GCM", []smbfs.Option{smbfs.WithCiphers(smbfs.AES128GCM)}, "AES-128-GCM", "3.1.1"},
		{"3.1.1-AES-256-GCM", []smbfs.Option{smbfs.WithCiphers(smbfs.AES256GCM)}, "AES-256-GCM", "3.1.1"},
		{"3.1.1-AES-128-CCM", []smbfs.Option{smbfs.WithCiphers(smbfs.AES128CCM)}, "AES-128-CCM", "3.1.1"},
		{"3.1.1-AES-256-CCM", []smbfs.Option{smbfs.WithCiphers(smbfs.AES256CCM)}, "AES-256-CCM", "3.1.1"},
		{"3.1.1-default", nil, "AES-128-GCM", "3.1.1"},
		{"3.0.2", []smbfs.Option{smbfs.WithDialects(smbfs.SMB302, smbfs.SMB302)}, "AES-128-CCM", "3.0.2"},
		{"3.0", []smbfs.Option{smbfs.WithDialects(smbfs.SMB30, smbfs.SMB30)}, "AES-128-CCM", "3.0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fsys := dial(t, servers.encrypt, "private", &user, c.opts...)
			st := fsys.Client().Stats()
			if !st.Encrypted || st.Cipher != c.want || st.Dialect != c.dialect {
				t.Fatalf("encrypted %v cipher %q dialect %q; want %q %q", st.Encrypted, st.Cipher, st.Dialect, c.want, c.dialect)
			}
			roundTrip(t, fsys)
		})
	}
	// Encryption that only the share demands (smb encrypt = required on
	// "secret", MS-SMB2 3.2.5.5: SMB2_SHAREFLAG_ENCRYPT_DATA): the session
	// does not encrypt, the tree does, with each cipher.
	for _, c := range cases[:4] {
		t.Run("share-"+c.name, func(t *testing.T) {
			t.Parallel()
			fsys := dial(t, servers.main, "secret", &user, c.opts...)
			st := fsys.Client().Stats()
			if st.Encrypted || !fsys.Encrypted() || st.Cipher != c.want {
				t.Fatalf("session encrypted %v, share encrypted %v, cipher %q; want false, true, %q", st.Encrypted, fsys.Encrypted(), st.Cipher, c.want)
			}
			roundTrip(t, fsys)
		})
	}
	t.Run("server-chooses-AES-256-CCM", func(t *testing.T) {
		srv := samba.StartT(t, samba.Config{Name: "ccm256", Users: []samba.User{user},
			Global: [][2]string{{"server smb encrypt", "required"}, {"server smb3 encryption algorithms", "AES-256-CCM"}},
			Shares: []samba.Share{{Name: "private", Users: []string{user.Name}}}})
		fsys := dial(t, srv, "private", &user)
		if st := fsys.Client().Stats(); st.Cipher != "AES-256-CCM" {
			t.Fatalf("cipher %q", st.Cipher)
		}
		roundTrip(t, fsys)
	})
}

// TestEverySigningAlgorithm: HMAC-SHA256, AES-CMAC and AES-GMAC against a
// signing-mandatory Samba, chosen by the client's offer and by the
// server's setting.
func TestEverySigningAlgorithm(t *testing.T) {
	cases := []struct {
		name string
		opts []smbfs.Option
		want string
	}{
		{"3.1.1-GMAC", []smbfs.Option{smbfs.WithSigningAlgorithms(smbfs.AESGMAC)}, "AES-128-GMAC"},
		{"3.1.1-CMAC", []smbfs.Option{smbfs.WithSigningAlgorithms(smbfs.AESCMAC)}, "AES-128-CMAC"},
		{"3.1.1-HMAC", []smbfs.Option{smbfs.WithSigningAlgorithms(smbfs.HMACSHA256)}, "HMAC-SHA256"},
		{"3.0-CMAC", []smbfs.Option{smbfs.WithDialects(smbfs.SMB30, smbfs.SMB30)}, "AES-128-CMAC"},
		{"2.1-HMAC", []smbfs.Option{smbfs.WithDialects(smbfs.SMB21, smbfs.SMB21)}, "HMAC-SHA256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fsys := dial(t, servers.signing, "private", &user, c.opts...)
			st := fsys.Client().Stats()
			if !st.Signing || st.SigningAlgorithm != c.want {
				t.Fatalf("signing %v with %q; want %q", st.Signing, st.SigningAlgorithm, c.want)
			}
			roundTrip(t, fsys)
		})
	}
	t.Run("server-chooses-CMAC", func(t *testing.T) {
		srv := samba.StartT(t, samba.Config{Name: "cmac", Users: []samba.User{user},
			Global: [][2]string{{"server signing", "mandatory"}, {"server smb3 signing algorithms", "AES-128-CMAC"}},
			Shares: []samba.Share{{Name: "private", Users: []string{user.Name}}}})
		fsys := dial(t, srv, "private", &user)
		if st := fsys.Client().Stats(); st.SigningAlgorithm != "AES-128-CMAC" {
			t.Fatalf("signing %q", st.SigningAlgorithm)
		}
		roundTrip(t, fsys)
	})
}

// TestSignedCancel: a CANCEL on an AES-GMAC-signed session carries the
// cancel bit in its nonce (MS-SMB2 3.1.4.1); if it did not, Samba would not
// accept it and the cancelled request would stay pending.
func TestSignedCancel(t *testing.T) {
	for _, alg := range []smbfs.SigningAlgorithm{smbfs.AESGMAC, smbfs.AESCMAC} {
		fsys := dial(t, servers.signing, "private", &user, smbfs.WithSigningAlgorithms(alg))
		c := fsys.Client()
		f, err := fsys.Open(".")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- fsys.NotifyForTest(ctx, f) }()
		waitFor(t, func() bool {
			for _, o := range c.Stats().Outstanding {
				if o.Pending {
					return true
				}
			}
			return false
		})
		cancel()
		<-done
		// The server's STATUS_CANCELLED answer arrives: nothing is left
		// outstanding, and the connection is healthy.
		waitFor(t, func() bool { return len(c.Stats().Outstanding) == 0 })
		if st := c.Stats(); st.Failure != "" {
			t.Fatalf("connection failed: %s", st.Failure)
		}
		f.Close()
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSecurityPolicies(t *testing.T) {
	ctx := context.Background()
	t.Run("signing-required-refuses-guest", func(t *testing.T) {
		_, err := smbfs.Dial(ctx, servers.main.URL("public", nil), smbfs.WithSigning(smbfs.Required))
		if !errors.Is(err, protocol.ErrSecurityPolicy) {
			t.Fatalf("%v; want ErrSecurityPolicy", err)
		}
	})
	t.Run("encryption-required-refuses-smb2", func(t *testing.T) {
		_, err := smbfs.Dial(ctx, servers.main.URL("private", &user), smbfs.WithEncryption(smbfs.Required), smbfs.WithDialects(smbfs.SMB202, smbfs.SMB21))
		if !errors.Is(err, protocol.ErrSecurityPolicy) {
			t.Fatalf("%v; want ErrSecurityPolicy", err)
		}
	})
	t.Run("encryption-required-on-a-relaxed-server", func(t *testing.T) {
		fsys := dial(t, servers.main, "private", &user, smbfs.WithEncryption(smbfs.Required))
		if st := fsys.Client().Stats(); !st.Encrypted {
			t.Fatal("not encrypted")
		}
		roundTrip(t, fsys)
	})
	t.Run("signing-required-on-a-relaxed-server", func(t *testing.T) {
		fsys := dial(t, servers.main, "private", &user, smbfs.WithSigning(smbfs.Required))
		if st := fsys.Client().Stats(); !st.Signing {
			t.Fatal("not signing")
		}
		roundTrip(t, fsys)
	})
	t.Run("encryption-off-refused-by-server", func(t *testing.T) {
		_, err := smbfs.Dial(ctx, servers.encrypt.URL("private", &user), smbfs.WithEncryption(smbfs.Off))
		if err == nil {
			t.Fatal("an encryption-required server accepted a client that will not encrypt")
		}
	})
	t.Run("signing-off-refused-by-server", func(t *testing.T) {
		_, err := smbfs.Dial(ctx, servers.signing.URL("private", &user), smbfs.WithSigning(smbfs.Off))
		if !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("a signing-mandatory server and a client that will not sign: %v", err)
		}
	})
}

// tamperProxy forwards TCP to a server, handing each server-to-client
// frame (prefix excluded) to edit, numbered from 0.
type tamperProxy struct {
	ln   net.Listener
	wg   sync.WaitGroup
	edit func(n int, payload []byte)
}

func newTamperProxy(t *testing.T, target string, edit func(n int, payload []byte)) *tamperProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tamperProxy{ln: ln, edit: edit}
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.wg.Add(2)
			go func() { defer p.wg.Done(); io.Copy(s, c); s.Close() }()
			go func() {
				defer p.wg.Done()
				defer c.Close()
				var hdr [4]byte
				for n := 0; ; n++ {
					if _, err := io.ReadFull(s, hdr[:]); err != nil {
						return
					}
					size := int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
					payload := make([]byte, size)
					if _, err := io.ReadFull(s, payload); err != nil {
						return
					}
					p.edit(n, payload)
					if _, err := c.Write(append(hdr[:], payload...)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return p
}

func (p *tamperProxy) url(share string, u *samba.User) string {
	return samba.URLFor(p.ln.Addr().String(), share, u)
}

// TestTamperedNegotiate: a man in the middle flips the DFS capability bit
// of the server's NEGOTIATE response. 3.0 and 3.0.2 catch it with
// FSCTL_VALIDATE_NEGOTIATE_INFO, 3.1.1 through the pre-authentication hash
// (the final SESSION_SETUP signature no longer verifies).
func TestTamperedNegotiate(t *testing.T) {
	cases := []struct {
		d    smbfs.Dialect
		want error
	}{
		{smbfs.SMB30, protocol.ErrDowngrade},
		{smbfs.SMB302, protocol.ErrDowngrade},
		{smbfs.SMB311, protocol.ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.d.String(), func(t *testing.T) {
			p := newTamperProxy(t, servers.main.Addr(), func(n int, payload []byte) {
				if n == 0 { // NEGOTIATE response: Capabilities at body offset 24
					payload[64+24] ^= 0x01
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := smbfs.Dial(ctx, p.url("private", &user), smbfs.WithDialects(c.d, c.d))
			if !errors.Is(err, c.want) {
				t.Fatalf("tampered NEGOTIATE: %v; want %v", err, c.want)
			}
		})
	}
}

// TestTamperedTraffic: a flipped bit in a signed response ends the
// connection with ErrBadSignature; in an encrypted one, with ErrDecrypt.
func TestTamperedTraffic(t *testing.T) {
	cases := []struct {
		name string
		srv  func() *samba.Server
		want error
	}{
		{"signed", func() *samba.Server { return servers.signing }, protocol.ErrBadSignature},
		{"encrypted", func() *samba.Server { return servers.encrypt }, protocol.ErrDecrypt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var armed atomic.Bool
			p := newTamperProxy(t, c.srv().Addr(), func(n int, payload []byte) {
				if armed.Load() && len(payload) > 100 {
					payload[len(payload)-1] ^= 0x80
					armed.Store(false)
				}
			})
			fsys, err := smbfs.Dial(context.Background(), p.url("private", &user))
			if err != nil {
				t.Fatal(err)
			}
			defer fsys.Close()
			if err := fsys.WriteFile("tamper-test", randomBytes(5000), 0o666); err != nil {
				t.Fatal(err)
			}
			armed.Store(true)
			_, err = fsys.ReadFile("tamper-test")
			if !errors.Is(err, c.want) {
				t.Fatalf("tampered response: %v; want %v", err, c.want)
			}
			var ce *protocol.ConnectionError
			if !errors.As(err, &ce) {
				t.Fatalf("not a connection error: %T", err)
			}
		})
	}
}
