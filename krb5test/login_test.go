package krb5test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/addc"
	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/krb5auth"
	"github.com/smbfs/smbfs/protocol/smbcrypto"
	"github.com/smbfs/smbfs/protocol/wire"
)

// loginLimit bounds one login and the file traffic after it.
const loginLimit = 60 * time.Second

// ipURL names the DC by address: Kerberos then needs WithServerName.
func ipURL(share string) string { return "smb://" + env.dc.IP().String() + "/" + share }

// kerberos returns the options of a Kerberos login to the DC with creds.
func kerberos(creds smbfs.KerberosCredentials, user string) []smbfs.Option {
	return []smbfs.Option{
		smbfs.WithKerberos(smbfs.KerberosConfig{Credentials: creds, User: user, ConfigPath: env.dc.KRB5Conf()}),
		smbfs.WithServerName(env.dc.FQDN()),
	}
}

// connect logs in to the DC and closes the client at cleanup.
func connect(t *testing.T, rawURL string, opts ...smbfs.Option) *smbfs.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
	defer cancel()
	c, err := smbfs.Connect(ctx, rawURL, opts...)
	if err != nil {
		t.Fatalf("Connect %s: %v", rawURL, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// mount mounts share and closes it at cleanup.
func mount(t *testing.T, c *smbfs.Client, share string) *smbfs.FS {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
	defer cancel()
	fsys, err := c.Mount(ctx, share)
	if err != nil {
		t.Fatalf("Mount %s: %v", share, err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

// unsafeChars are replaced in file names made from test names: SMB
// forbids some (":"), and smbfs maps them to other characters on disk.
var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileCounter makes file names unique within the run.
var fileCounter atomic.Int64

// roundTrip writes a file larger than one SMB READ/WRITE, reads it back
// through the session and from the DC's disk, and removes it.
func roundTrip(t *testing.T, fsys *smbfs.FS, share string) {
	t.Helper()
	data := make([]byte, 3<<20+12345)
	rand.Read(data)
	name := fmt.Sprintf("krb5-%d-%s.bin", fileCounter.Add(1), unsafeChars.ReplaceAllString(t.Name(), "_"))
	if err := fsys.WriteFile(name, data, 0o644); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	got, err := fsys.ReadFile(name)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes that differ from the %d written", len(got), len(data))
	}
	onDisk, err := os.ReadFile(filepath.Join(env.dc.ShareDir(share), name))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("the file on the DC's disk does not hold what was written (%d bytes, %v)", len(onDisk), err)
	}
	if err := fsys.Remove(name); err != nil {
		t.Fatalf("Remove: %v", err)
	}
}

// TestCredentialSources logs in with each kind of credential and moves
// data over the signed session the DC insists on.
func TestCredentialSources(t *testing.T) {
	t.Parallel()
	u := env.dc.User()
	tests := []struct {
		name  string
		creds smbfs.KerberosCredentials
		user  string
	}{
		{"password", smbfs.KerberosPassword(u.Password), u.Name},
		{"password, user@REALM", smbfs.KerberosPassword(u.Password), u.Name + "@" + env.dc.Realm()},
		{"keytab", smbfs.KerberosKeytab(env.keytab), ""},
		{"keytab, named user", smbfs.KerberosKeytab(env.keytab), u.Name},
		{"ccache", smbfs.KerberosCCache(env.ccache), ""},
		{"ccache, FILE: prefix", smbfs.KerberosCCache("FILE:" + env.ccache), u.Name},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := connect(t, ipURL(""), kerberos(tt.creds, tt.user)...)
			s := c.Session()
			if s.IsGuest() || s.IsAnonymous() {
				t.Fatalf("session is guest=%v anonymous=%v", s.IsGuest(), s.IsAnonymous())
			}
			if !s.Signing() {
				t.Fatal("session does not sign, but the DC requires signing")
			}
			roundTrip(t, mount(t, c, addc.ShareName), addc.ShareName)
		})
	}
}

// TestSigningAndEncryption runs the same traffic with every dialect and,
// for SMB 3, with encryption required by the client, then by the share
// (smb encrypt = required): each uses different keys derived from the
// Kerberos session key, and Samba checks every signature and decrypts
// every message.
func TestSigningAndEncryption(t *testing.T) {
	t.Parallel()
	u := env.dc.User()
	tests := []struct {
		name      string
		min, max  smbfs.Dialect
		encrypt   smbfs.Policy
		share     string
		encrypted bool
	}{
		{"SMB 2.0.2 HMAC-SHA256", smbfs.SMB202, smbfs.SMB202, smbfs.Auto, addc.ShareName, false},
		{"SMB 2.1 HMAC-SHA256", smbfs.SMB21, smbfs.SMB21, smbfs.Auto, addc.ShareName, false},
		{"SMB 3.0 AES-CMAC", smbfs.SMB30, smbfs.SMB30, smbfs.Auto, addc.ShareName, false},
		{"SMB 3.0 AES-128-CCM required", smbfs.SMB30, smbfs.SMB30, smbfs.Required, addc.ShareName, true},
		{"SMB 3.0.2 AES-128-CCM required", smbfs.SMB302, smbfs.SMB302, smbfs.Required, addc.ShareName, true},
		{"SMB 3.1.1 AES-GMAC", smbfs.SMB311, smbfs.SMB311, smbfs.Auto, addc.ShareName, false},
		{"SMB 3.1.1 AES-128-GCM required", smbfs.SMB311, smbfs.SMB311, smbfs.Required, addc.ShareName, true},
		{"SMB 3.1.1 share requires encryption", smbfs.SMB311, smbfs.SMB311, smbfs.Auto, addc.EncryptedShareName, true},
		{"SMB 3.0 share requires encryption", smbfs.SMB30, smbfs.SMB30, smbfs.Auto, addc.EncryptedShareName, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append(kerberos(smbfs.KerberosPassword(u.Password), u.Name),
				smbfs.WithDialects(tt.min, tt.max), smbfs.WithEncryption(tt.encrypt))
			c := connect(t, ipURL(""), opts...)
			if got := c.Conn().Dialect(); got != tt.max {
				t.Fatalf("dialect %v, want %v", got, tt.max)
			}
			if !c.Session().Signing() && !c.Session().Encrypted() {
				t.Fatal("session neither signs nor encrypts")
			}
			fsys := mount(t, c, tt.share)
			if fsys.Encrypted() != tt.encrypted {
				t.Fatalf("share traffic encrypted = %v, want %v", fsys.Encrypted(), tt.encrypted)
			}
			roundTrip(t, fsys, tt.share)
		})
	}
}

// TestCiphersAndSigningAlgorithms covers what the high-level options do not
// choose: each 3.1.1 cipher (the AES-256 ones derive their keys from the
// whole 32-byte Kerberos key, MS-SMB2 3.2.5.3.1) and each signing
// algorithm, through the protocol layer with a krb5auth Initiator.
func TestCiphersAndSigningAlgorithms(t *testing.T) {
	t.Parallel()
	u := env.dc.User()
	in, err := krb5auth.New(krb5auth.Config{
		SPN: "cifs/" + env.dc.FQDN(), User: u.Name, Password: u.Password, ConfigPath: env.dc.KRB5Conf(),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     protocol.Config
		cipher  uint16
		signAlg uint16
	}{
		{"AES-128-GCM", protocol.Config{Encryption: protocol.PolicyRequired, Ciphers: []uint16{smbcrypto.CipherAES128GCM}}, smbcrypto.CipherAES128GCM, smbcrypto.SigningAESGMAC},
		{"AES-128-CCM", protocol.Config{Encryption: protocol.PolicyRequired, Ciphers: []uint16{smbcrypto.CipherAES128CCM}}, smbcrypto.CipherAES128CCM, smbcrypto.SigningAESGMAC},
		{"AES-256-GCM", protocol.Config{Encryption: protocol.PolicyRequired, Ciphers: []uint16{smbcrypto.CipherAES256GCM}}, smbcrypto.CipherAES256GCM, smbcrypto.SigningAESGMAC},
		{"AES-256-CCM", protocol.Config{Encryption: protocol.PolicyRequired, Ciphers: []uint16{smbcrypto.CipherAES256CCM}}, smbcrypto.CipherAES256CCM, smbcrypto.SigningAESGMAC},
		{"signing AES-CMAC", protocol.Config{SigningAlgorithms: []uint16{smbcrypto.SigningAESCMAC}}, 0, smbcrypto.SigningAESCMAC},
		{"signing HMAC-SHA256", protocol.Config{SigningAlgorithms: []uint16{smbcrypto.SigningHMACSHA256}}, 0, smbcrypto.SigningHMACSHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
			defer cancel()
			cfg := tt.cfg
			cfg.ServerName = env.dc.FQDN()
			cfg.MinDialect, cfg.MaxDialect = wire.Dialect311, wire.Dialect311
			conn, err := protocol.Dial(ctx, env.dc.Addr(), &cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			auth := in.NewAuthenticator()
			sess, err := conn.SessionSetup(ctx, auth)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(auth.SessionKey()); n != 32 {
				t.Errorf("Kerberos session key is %d bytes, want 32 (aes256-cts-hmac-sha1-96)", n)
			}
			if tt.cipher != 0 && (conn.Cipher() != tt.cipher || !sess.Encrypted()) {
				t.Fatalf("cipher %#x encrypted=%v, want %#x", conn.Cipher(), sess.Encrypted(), tt.cipher)
			}
			if conn.SigningAlgorithm() != tt.signAlg || (tt.cipher == 0 && !sess.Signing()) {
				t.Fatalf("signing algorithm %#x signing=%v, want %#x", conn.SigningAlgorithm(), sess.Signing(), tt.signAlg)
			}
			tree, err := sess.TreeConnect(ctx, addc.ShareName)
			if err != nil {
				t.Fatal(err)
			}
			share := pipeline.NewShare(tree, pipeline.Config{})
			data := make([]byte, 200<<10)
			rand.Read(data)
			name := fmt.Sprintf("krb5-proto-%d.bin", fileCounter.Add(1))
			if err := share.WriteFile(ctx, name, data, 0); err != nil {
				t.Fatal(err)
			}
			got, err := share.ReadFile(ctx, name)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back %d bytes (%v), want the %d written", len(got), err, len(data))
			}
			if err := share.Remove(ctx, name); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestServerSideView checks from the DC's side (smbstatus) that a
// Kerberos session with encryption required is encrypted and signed as
// the client believes, and that smbd recorded a Kerberos login for it.
func TestServerSideView(t *testing.T) {
	u := env.dc.User()
	opts := append(kerberos(smbfs.KerberosPassword(u.Password), u.Name), smbfs.WithEncryption(smbfs.Required))
	c := connect(t, ipURL(""), opts...)
	roundTrip(t, mount(t, c, addc.ShareName), addc.ShareName)
	ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
	defer cancel()
	status, err := env.dc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(status, "\n") {
		// Username shows the uid winbindd mapped the user to: the host
		// cannot resolve it. The machine column names the client address.
		if strings.Contains(line, "ipv4:"+env.dc.HostIP().String()+":") && strings.Contains(line, "SMB3_11") &&
			strings.Contains(line, "AES-128-GCM") && strings.Contains(line, "AES-128-GMAC") {
			found = true
		}
	}
	if !found {
		t.Fatalf("smbstatus shows no SMB 3.1.1 session from %s with AES-128-GCM encryption and AES-128-GMAC signing:\n%s", env.dc.HostIP(), status)
	}
	want := fmt.Sprintf(`[SMB2,krb5] user [%s]\[%s]`, env.dc.Domain(), u.Name)
	if !strings.Contains(env.dc.AuthLog(), want) {
		t.Fatalf("smbd logged no %q line:\n%s", want, env.dc.AuthLog())
	}
}

// TestURLForms logs in through the URL alone: ?auth=krb5 with the host
// name in the URL (the SPN comes from it) and the default credential
// cache and krb5.conf from $KRB5CCNAME and $KRB5_CONFIG, as a command-line
// tool would; and with the password in the URL. Not parallel: it sets
// environment variables.
func TestURLForms(t *testing.T) {
	t.Setenv(krb5auth.EnvConfig, env.dc.KRB5Conf())
	t.Setenv(krb5auth.EnvCCache, "FILE:"+env.ccache)
	u := env.dc.User()
	host := env.dc.FQDN()
	tests := []struct {
		name, url string
		opts      []smbfs.Option
	}{
		{"ambient ccache", "smb://" + host + "/" + addc.ShareName + "?auth=krb5", nil},
		{"ambient ccache, user named", "smb://" + u.Name + "@" + host + "/" + addc.ShareName + "?auth=krb5", nil},
		{"password in URL", "smb://" + u.Name + ":" + strings.ReplaceAll(u.Password, "!", "%21") + "@" + host + "/" + addc.ShareName + "?auth=kerberos", nil},
		{"realm as URL domain", "smb://" + env.dc.Realm() + ";" + u.Name + "@" + host + "/" + addc.ShareName + "?auth=krb5", []smbfs.Option{smbfs.WithPassword(u.Password)}},
		{"IP with WithServerName", ipURL(addc.ShareName) + "?auth=krb5", []smbfs.Option{smbfs.WithServerName(host)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
			defer cancel()
			opts := append([]smbfs.Option{smbfs.WithDialer(env.dc.Dial)}, tt.opts...)
			fsys, err := smbfs.Dial(ctx, tt.url, opts...)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer fsys.Close()
			if !fsys.Client().Session().Signing() {
				t.Fatal("session does not sign")
			}
			roundTrip(t, fsys, addc.ShareName)
		})
	}
}
