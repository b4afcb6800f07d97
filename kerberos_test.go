package smbfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/krb5auth"
)

// Unit tests of the Kerberos options (no server); the logins themselves
// are tested against a real AD DC in ./krb5test.

func TestParseURLAuth(t *testing.T) {
	tests := []struct {
		url, auth, err string
	}{
		{"smb://host/share", "", ""},
		{"smb://host/share?auth=krb5", urlAuthKerberos, ""},
		{"smb://host/share?auth=KRB5", urlAuthKerberos, ""},
		{"smb://host/share?auth=kerberos", urlAuthKerberos, ""},
		{"smb://host/share?auth=ntlm", urlAuthNTLM, ""},
		{"smb://user@host:1445/share/dir?auth=krb5", urlAuthKerberos, ""},
		{"smb://host/share?auth=basic", "", "want krb5 or ntlm"},
		{"smb://host/share?auth=krb5&auth=ntlm", "", "more than once"},
		{"smb://host/share?sec=krb5", "", `parameter "sec" is unknown`},
		{"smb://host/share?auth=krb5;x=1", "", "URL query"},
		{"smb://host/share#frag", "", "fragment"},
	}
	for _, tt := range tests {
		got, err := parseURL(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one mentioning %q", tt.url, err, tt.err)
			}
			continue
		}
		if err != nil || got.auth != tt.auth {
			t.Errorf("%s: auth %q, %v: want %q", tt.url, got.auth, err, tt.auth)
		}
	}
	// The rest of the URL still parses as before.
	got, err := parseURL("smb://EXAMPLE.COM;alice:pw@fs1.example.com:1445/data/sub?auth=krb5")
	if err != nil {
		t.Fatal(err)
	}
	if got.domain != "EXAMPLE.COM" || got.user != "alice" || got.password != "pw" || got.host != "fs1.example.com" ||
		got.port != "1445" || got.share != "data" || got.dir != "sub" {
		t.Errorf("parsed %+v", got)
	}
}

// optionsFor applies opts to the defaults connect starts from.
func optionsFor(t *target, opts ...Option) *options {
	var o options
	o.user, o.domain, o.password = t.user, t.domain, t.password
	o.hasUser, o.hasPassword = t.hasUser, t.hasPass
	for _, opt := range opts {
		opt(&o)
	}
	if o.proto.ServerName == "" {
		o.proto.ServerName = t.host
	}
	return &o
}

func TestKrb5Config(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts []Option
		want krb5auth.Config
	}{
		{"URL alone: ambient ccache", "smb://fs1.example.com/s?auth=krb5", nil,
			krb5auth.Config{SPN: "cifs/fs1.example.com"}},
		{"user and password from the URL", "smb://alice:pw@fs1.example.com/s?auth=krb5", nil,
			krb5auth.Config{SPN: "cifs/fs1.example.com", User: "alice", Password: "pw"}},
		{"DNS domain is the realm", "smb://example.com;alice@fs1.example.com/s?auth=krb5", []Option{WithPassword("pw")},
			krb5auth.Config{SPN: "cifs/fs1.example.com", User: "alice", Realm: "EXAMPLE.COM", Password: "pw"}},
		{"NetBIOS domain is not", "smb://EXAMPLE;alice@fs1.example.com/s", []Option{WithKerberos(KerberosConfig{})},
			krb5auth.Config{SPN: "cifs/fs1.example.com", User: "alice"}},
		{"keytab", "smb://10.0.0.5/s", []Option{WithServerName("fs1.example.com."), WithKerberos(KerberosConfig{
			Credentials: KerberosKeytab("/etc/svc.keytab"), User: "svc", KDCs: []string{"kdc1"}, ConfigPath: "/k.conf"})},
			krb5auth.Config{SPN: "cifs/fs1.example.com", User: "svc", Keytab: "/etc/svc.keytab", KDCs: []string{"kdc1"}, ConfigPath: "/k.conf"}},
		{"ccache overrides the URL password", "smb://alice:pw@fs1/s", []Option{WithKerberos(KerberosConfig{Credentials: KerberosCCache("/tmp/cc")})},
			krb5auth.Config{SPN: "cifs/fs1", User: "alice", CCache: "/tmp/cc"}},
		{"explicit password and SPN", "smb://10.0.0.5/s", []Option{WithKerberos(KerberosConfig{
			Credentials: KerberosPassword("pw2"), User: "bob@OTHER.ORG", SPN: "cifs/nas.other.org"})},
			krb5auth.Config{SPN: "cifs/nas.other.org", User: "bob@OTHER.ORG", Password: "pw2"}},
		{"IP only: no SPN", "smb://10.0.0.5/s?auth=krb5", nil, krb5auth.Config{}},
		{"IPv6 only: no SPN", "smb://[2001:db8::5]/s?auth=krb5", nil, krb5auth.Config{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := parseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			o := optionsFor(tg, tt.opts...)
			kc := KerberosConfig{}
			if o.kerberos != nil {
				kc = *o.kerberos
			}
			got := o.krb5Config(kc, tg)
			if got.SPN != tt.want.SPN || got.User != tt.want.User || got.Realm != tt.want.Realm || got.Password != tt.want.Password ||
				got.Keytab != tt.want.Keytab || got.CCache != tt.want.CCache || got.ConfigPath != tt.want.ConfigPath ||
				strings.Join(got.KDCs, ",") != strings.Join(tt.want.KDCs, ",") {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestAuthFactory(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n\tdefault_realm = EXAMPLE.COM\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kerberos := func(kc KerberosConfig) Option {
		kc.ConfigPath = conf
		return WithKerberos(kc)
	}
	tests := []struct {
		name string
		url  string
		opts []Option
		want string // "ntlm", "krb5", "fallback" or an error phrase
	}{
		{"default is NTLM", "smb://alice:pw@fs1/s", nil, "ntlm"},
		{"auth=ntlm", "smb://alice:pw@fs1/s?auth=ntlm", nil, "ntlm"},
		{"WithKerberos", "smb://alice:pw@fs1/s", []Option{kerberos(KerberosConfig{})}, "krb5"},
		{"WithKerberos overrides auth=ntlm", "smb://alice:pw@fs1/s?auth=ntlm", []Option{kerberos(KerberosConfig{})}, "krb5"},
		{"fallback allowed", "smb://alice:pw@fs1/s", []Option{kerberos(KerberosConfig{AllowNTLMFallback: true})}, "fallback"},
		{"IP without name", "smb://alice:pw@10.0.0.5/s", []Option{kerberos(KerberosConfig{})}, "named by IP address 10.0.0.5"},
		{"IP without name, fallback", "smb://alice:pw@10.0.0.5/s", []Option{kerberos(KerberosConfig{AllowNTLMFallback: true})}, "ntlm"},
		{"bad config", "smb://fs1/s", []Option{kerberos(KerberosConfig{Credentials: KerberosPassword("pw")})}, "needs a user name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := parseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			newAuth, err := optionsFor(tg, tt.opts...).authFactory(tg)
			if err != nil {
				if !strings.Contains(err.Error(), tt.want) || !errors.Is(err, krb5auth.ErrConfig) {
					t.Fatalf("error %v, want ErrConfig mentioning %q", err, tt.want)
				}
				return
			}
			// The factory makes a fresh authenticator each time (for
			// reconnects).
			a1, err1 := newAuth()
			a2, err2 := newAuth()
			if err1 != nil || err2 != nil || a1 == a2 {
				t.Fatalf("factory: %v %v, same=%v", err1, err2, a1 == a2)
			}
			if got := kind(a1); got != tt.want {
				t.Fatalf("authenticator %T is %s, want %s", a1, got, tt.want)
			}
		})
	}
}

// kind names the mechanism an authenticator runs.
func kind(a protocol.Authenticator) string {
	switch a.(type) {
	case *krb5auth.Authenticator:
		return "krb5"
	}
	switch name := fmt.Sprintf("%T", a); {
	case strings.Contains(name, "fallback"):
		return "fallback"
	case strings.Contains(name, "ntlm"):
		return "ntlm"
	}
	return fmt.Sprintf("%T", a)
}
