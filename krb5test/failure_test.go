package krb5test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/addc"
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/krb5auth"
)

// failLimit bounds how long a refused login may take: the KDC and the
// server answer at once, so anything slower means a hang or a retry loop.
const failLimit = 10 * time.Second

// failLogin logs in with opts, expects an error matching every one of
// kinds and mentioning every phrase, and that it came within failLimit.
func failLogin(t *testing.T, rawURL string, opts []smbfs.Option, kinds []error, phrases ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
	defer cancel()
	start := time.Now()
	c, err := smbfs.Connect(ctx, rawURL, opts...)
	elapsed := time.Since(start)
	if err == nil {
		c.Close()
		t.Fatal("login succeeded, want an error")
	}
	t.Logf("error after %v: %v", elapsed.Round(time.Millisecond), err)
	if elapsed > failLimit {
		t.Errorf("the error took %v, want under %v", elapsed, failLimit)
	}
	for _, k := range kinds {
		if !errors.Is(err, k) {
			t.Errorf("errors.Is(err, %v) = false", k)
		}
	}
	for _, p := range phrases {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not mention %q", p)
		}
	}
	return err
}

// TestRefusedLogins: the KDC refuses, and the error says why.
func TestRefusedLogins(t *testing.T) {
	t.Parallel()
	u := env.dc.User()
	tests := []struct {
		name    string
		creds   smbfs.KerberosCredentials
		user    string
		kinds   []error
		phrases []string
	}{
		{"wrong password", smbfs.KerberosPassword("not-" + u.Password), u.Name,
			[]error{krb5auth.ErrWrongPassword, fs.ErrPermission}, []string{"wrong password", "KDC_ERR_PREAUTH_FAILED", u.Name + "@" + env.dc.Realm()}},
		{"unknown user", smbfs.KerberosPassword(u.Password), "nosuchuser",
			[]error{krb5auth.ErrUnknownUser, fs.ErrPermission}, []string{"unknown user", "KDC_ERR_C_PRINCIPAL_UNKNOWN", "nosuchuser@" + env.dc.Realm()}},
		{"user of another realm", smbfs.KerberosPassword(u.Password), u.Name + "@OTHER.TEST",
			[]error{krb5auth.ErrConfig}, []string{"no KDC known for realm OTHER.TEST"}},
		{"keytab without the user", smbfs.KerberosKeytab(env.keytab), "someoneelse",
			[]error{krb5auth.ErrNoCredentials, fs.ErrPermission}, []string{"no key for someoneelse@" + env.dc.Realm()}},
		{"ccache of another user", smbfs.KerberosCCache(env.ccache), "someoneelse",
			[]error{krb5auth.ErrNoCredentials}, []string{"holds tickets for " + u.Name + "@" + env.dc.Realm()}},
		{"missing ccache", smbfs.KerberosCCache(filepath.Join(env.dir, "nonexistent")), "",
			[]error{krb5auth.ErrNoCredentials, fs.ErrNotExist}, []string{"run kinit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			failLogin(t, ipURL(""), kerberos(tt.creds, tt.user), tt.kinds, tt.phrases...)
		})
	}
}

// TestWrongRealm: the user's tickets are for the DC's realm, but the
// client's krb5.conf maps the server's host to another realm, which the
// DC has no trust with: the KDC cannot issue a referral, and the error
// names both realms.
func TestWrongRealm(t *testing.T) {
	t.Parallel()
	conf, err := os.ReadFile(env.dc.KRB5Conf())
	if err != nil {
		t.Fatal(err)
	}
	// A more specific [domain_realm] entry than the DC's: gokrb5 tries the
	// whole host name first.
	wrong := bytes.Replace(conf, []byte("[domain_realm]\n"), []byte("[domain_realm]\n\t"+env.dc.FQDN()+" = OTHER.TEST\n"), 1)
	path := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(path, wrong, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, creds := range []smbfs.KerberosCredentials{smbfs.KerberosCCache(env.ccache), smbfs.KerberosPassword(env.dc.User().Password)} {
		opts := []smbfs.Option{
			smbfs.WithKerberos(smbfs.KerberosConfig{Credentials: creds, User: env.dc.User().Name, ConfigPath: path}),
			smbfs.WithServerName(env.dc.FQDN()),
		}
		failLogin(t, ipURL(""), opts, []error{krb5auth.ErrWrongRealm},
			"wrong realm", "OTHER.TEST", env.dc.Realm(), "cifs/"+env.dc.FQDN())
	}
}

// TestClockSkew: an authenticator an hour off is refused by the server
// (Samba answers with a KRB-ERROR, KRB_AP_ERR_SKEW), and the error says how
// far apart the clocks are. The offset is injected through the
// authenticator's clock, so the host clock stays untouched; a skew within
// the 5-minute tolerance still logs in.
func TestClockSkew(t *testing.T) {
	t.Parallel()
	u := env.dc.User()
	for _, tt := range []struct {
		offset time.Duration
		ok     bool
	}{
		{time.Hour, false},
		{-time.Hour, false},
		{6 * time.Minute, false},
		{4 * time.Minute, true},
	} {
		t.Run(tt.offset.String(), func(t *testing.T) {
			t.Parallel()
			in, err := krb5auth.New(krb5auth.Config{
				SPN: "cifs/" + env.dc.FQDN(), User: u.Name, Password: u.Password, ConfigPath: env.dc.KRB5Conf(),
				Now: func() time.Time { return time.Now().Add(tt.offset) },
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), loginLimit)
			defer cancel()
			conn, err := protocol.Dial(ctx, env.dc.Addr(), &protocol.Config{ServerName: env.dc.FQDN()})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			_, err = conn.SessionSetup(ctx, in.NewAuthenticator())
			elapsed := time.Since(start)
			if tt.ok {
				if err != nil {
					t.Fatalf("a %v skew is within the tolerance, got %v", tt.offset, err)
				}
				return
			}
			t.Logf("error after %v: %v", elapsed.Round(time.Millisecond), err)
			if err == nil {
				t.Fatal("login succeeded, want KRB_AP_ERR_SKEW")
			}
			if elapsed > failLimit {
				t.Errorf("the error took %v, want under %v", elapsed, failLimit)
			}
			if !errors.Is(err, krb5auth.ErrClockSkew) || !errors.Is(err, protocol.ErrAuthentication) {
				t.Errorf("errors.Is ErrClockSkew=%v ErrAuthentication=%v", errors.Is(err, krb5auth.ErrClockSkew), errors.Is(err, protocol.ErrAuthentication))
			}
			rel := "ahead of"
			if tt.offset < 0 {
				rel = "behind"
			}
			for _, p := range []string{"clock skew too great", "KRB_AP_ERR_SKEW", "this client's clock is", rel + " the server's", "5 minutes"} {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error does not mention %q", p)
				}
			}
		})
	}
}

// TestServerNamedByIP: Kerberos needs the server's host name for the SPN;
// an address alone is refused before any connection, with the remedy in
// the message.
func TestServerNamedByIP(t *testing.T) {
	t.Parallel()
	u := env.dc.User()
	opts := []smbfs.Option{smbfs.WithKerberos(smbfs.KerberosConfig{
		Credentials: smbfs.KerberosPassword(u.Password), User: u.Name, ConfigPath: env.dc.KRB5Conf(),
	})}
	failLogin(t, ipURL(addc.ShareName), opts, []error{krb5auth.ErrConfig},
		"IP address "+env.dc.IP().String(), "WithServerName", "KerberosConfig.SPN")
	failLogin(t, ipURL(addc.ShareName)+"?auth=krb5", nil, []error{krb5auth.ErrConfig}, "WithServerName")
}

// TestNTLMFallback: when Kerberos cannot start (here: no KDC answers),
// the client logs in with NTLM only if the caller allowed it; otherwise the
// Kerberos failure is the error. A ticket the server refuses is never
// retried with NTLM.
func TestNTLMFallback(t *testing.T) {
	t.Parallel()
	u := env.dc.User()
	// An address on the DC's own link that nothing answers on: the KDC
	// exchange fails at once with "connection refused" (TCP) or times out
	// quickly (UDP), without leaving the test network.
	deadKDC := env.dc.IP().String() + ":1"
	cfg := smbfs.KerberosConfig{
		Credentials: smbfs.KerberosPassword(u.Password), User: u.Name,
		ConfigPath: env.dc.KRB5Conf(), KDCs: []string{deadKDC},
	}
	base := []smbfs.Option{smbfs.WithServerName(env.dc.FQDN()), smbfs.WithCredentials(env.dc.Domain(), u.Name, u.Password)}

	t.Run("not allowed", func(t *testing.T) {
		t.Parallel()
		failLogin(t, ipURL(""), append(base, smbfs.WithKerberos(cfg)), []error{krb5auth.ErrKDCUnreachable}, "no KDC reachable")
	})
	t.Run("allowed", func(t *testing.T) {
		t.Parallel()
		var logs bytes.Buffer
		allowed := cfg
		allowed.AllowNTLMFallback = true
		c := connect(t, ipURL(""), append(base, smbfs.WithKerberos(allowed),
			smbfs.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
		if !c.Session().Signing() {
			t.Fatal("the NTLM session does not sign")
		}
		roundTrip(t, mount(t, c, addc.ShareName), addc.ShareName)
		if !strings.Contains(logs.String(), "falling back to NTLM") {
			t.Errorf("no fallback warning logged: %q", logs.String())
		}
		want := `[SMB2,NTLMSSP] user [` + env.dc.Domain() + `]\[` + u.Name + `]`
		if !strings.Contains(env.dc.AuthLog(), want) {
			t.Errorf("smbd logged no %q line", want)
		}
	})
	t.Run("allowed, IP without host name", func(t *testing.T) {
		t.Parallel()
		allowed := cfg
		allowed.AllowNTLMFallback = true
		allowed.KDCs = nil
		opts := []smbfs.Option{smbfs.WithCredentials(env.dc.Domain(), u.Name, u.Password), smbfs.WithKerberos(allowed)}
		roundTrip(t, mount(t, connect(t, ipURL(""), opts...), addc.ShareName), addc.ShareName)
	})
	t.Run("KDC refuses the Kerberos password", func(t *testing.T) {
		t.Parallel()
		// The KDC refusing the password is a failure to start, so the
		// fallback applies. (That a ticket the server refused is not
		// retried is covered by protocol's unit tests: a healthy DC does
		// not refuse a valid ticket.)
		allowed := smbfs.KerberosConfig{Credentials: smbfs.KerberosPassword("wrong"), User: u.Name,
			ConfigPath: env.dc.KRB5Conf(), AllowNTLMFallback: true}
		c := connect(t, ipURL(""), append(base, smbfs.WithKerberos(allowed))...)
		if c.Session().IsGuest() {
			t.Fatal("fell back to a guest session")
		}
	})
}
