package krb5auth

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeConf writes a krb5.conf into a test directory.
func writeConf(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const exampleConf = `[libdefaults]
	default_realm = EXAMPLE.COM
	dns_lookup_kdc = false
[realms]
	EXAMPLE.COM = {
		kdc = kdc1.example.com
		kdc = kdc2.example.com:8888
	}
[domain_realm]
	.example.com = EXAMPLE.COM
`

func TestNewValidation(t *testing.T) {
	conf := writeConf(t, exampleConf)
	noRealm := writeConf(t, "[libdefaults]\n\tdns_lookup_kdc = false\n")
	tests := []struct {
		name string
		cfg  Config
		want string // "" for success
	}{
		{"password", Config{SPN: "cifs/fs1.example.com", User: "alice", Password: "x", ConfigPath: conf}, ""},
		{"keytab, no user", Config{SPN: "cifs/fs1.example.com", Keytab: "/k", ConfigPath: conf}, ""},
		{"default ccache", Config{SPN: "cifs/fs1.example.com", ConfigPath: conf}, ""},
		{"no SPN", Config{User: "alice", Password: "x", ConfigPath: conf}, "no service principal"},
		{"SPN without host", Config{SPN: "cifs", User: "alice", Password: "x", ConfigPath: conf}, "not of the form service/host"},
		{"SPN with realm", Config{SPN: "cifs/fs1@EXAMPLE.COM", User: "alice", Password: "x", ConfigPath: conf}, "not of the form service/host"},
		{"two sources", Config{SPN: "cifs/h", User: "alice", Password: "x", Keytab: "/k", ConfigPath: conf}, "only one of Password, Keytab and CCache"},
		{"password without user", Config{SPN: "cifs/h", Password: "x", ConfigPath: conf}, "needs a user name"},
		{"password without realm", Config{SPN: "cifs/h", User: "alice", Password: "x", ConfigPath: noRealm}, "no realm for user"},
		{"missing krb5.conf", Config{SPN: "cifs/h", User: "alice", Password: "x", ConfigPath: "/nonexistent/krb5.conf"}, "krb5.conf"},
		{"bad KDC", Config{SPN: "cifs/h", User: "alice@EXAMPLE.COM", Password: "x", ConfigPath: conf, KDCs: []string{"kdc:http"}}, "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v: want ErrConfig mentioning %q", err, tt.want)
			}
		})
	}
}

func TestRealmAndKDCs(t *testing.T) {
	conf := writeConf(t, exampleConf)
	in, err := New(Config{SPN: "cifs/fs1.example.com", User: "alice", Password: "x", ConfigPath: conf})
	if err != nil {
		t.Fatal(err)
	}
	if in.realm != "EXAMPLE.COM" || in.SPN() != "cifs/fs1.example.com" {
		t.Errorf("realm %q SPN %q", in.realm, in.SPN())
	}
	in, err = New(Config{SPN: "cifs/fs1.other.org", User: "bob@OTHER.ORG", Password: "x", ConfigPath: conf, KDCs: []string{"10.1.2.3", "[2001:db8::1]:88", "kdc.other.org:750"}})
	if err != nil {
		t.Fatal(err)
	}
	if in.realm != "OTHER.ORG" || in.user != "bob" {
		t.Fatalf("principal %s@%s", in.user, in.realm)
	}
	_, kdcs, err := in.krb5conf.GetKDCs("OTHER.ORG", true)
	if err != nil {
		t.Fatal(err)
	}
	// gokrb5 shuffles the KDCs of a realm (as MIT Kerberos spreads load).
	got := []string{kdcs[1], kdcs[2], kdcs[3]}
	slices.Sort(got)
	want := []string{"10.1.2.3:88", "[2001:db8::1]:88", "kdc.other.org:750"}
	if !slices.Equal(got, want) {
		t.Fatalf("KDCs %v, want %v", got, want)
	}
}

func TestKDCAddress(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"kdc", "kdc:88", ""},
		{"kdc:750", "kdc:750", ""},
		{"10.0.0.1", "10.0.0.1:88", ""},
		{"2001:db8::1", "[2001:db8::1]:88", ""},
		{"[2001:db8::1]:89", "[2001:db8::1]:89", ""},
		{"", "", "empty"},
		{":88", "", "no host"},
		{"kdc:0", "", "invalid port"},
		{"kdc:70000", "", "invalid port"},
	}
	for _, tt := range tests {
		got, err := kdcAddress(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("kdcAddress(%q) = %q, %v: want an error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("kdcAddress(%q) = %q, %v: want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCCachePath(t *testing.T) {
	tests := []struct {
		name, cfg, env, want, err string
	}{
		{"explicit path", "/tmp/cc", "FILE:/env", "/tmp/cc", ""},
		{"explicit FILE:", "FILE:/tmp/cc", "", "/tmp/cc", ""},
		{"from env", "", "FILE:/tmp/envcc", "/tmp/envcc", ""},
		{"env plain path", "", "/tmp/envcc", "/tmp/envcc", ""},
		{"default", "", "", "/tmp/krb5cc_" + strconv.Itoa(os.Getuid()), ""},
		{"keyring", "KEYRING:persistent:1000", "", "", "only FILE caches"},
		{"kcm from env", "", "KCM:", "", "only FILE caches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvCCache, tt.env)
			got, err := ccachePath(tt.cfg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrNoCredentials) {
					t.Fatalf("got %q, %v: want ErrNoCredentials mentioning %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v: want %q", got, err, tt.want)
			}
		})
	}
}

func TestKrb5ConfigFromEnv(t *testing.T) {
	conf := writeConf(t, exampleConf)
	t.Run("first existing of a list", func(t *testing.T) {
		t.Setenv(EnvConfig, "/nonexistent/a.conf:"+conf)
		c := Config{}
		cfg, path, err := c.loadKrb5Conf()
		if err != nil || path != conf || cfg.LibDefaults.DefaultRealm != "EXAMPLE.COM" {
			t.Fatalf("path %q realm %q err %v", path, cfg.LibDefaults.DefaultRealm, err)
		}
	})
	t.Run("none exists", func(t *testing.T) {
		t.Setenv(EnvConfig, "/nonexistent/a.conf")
		c := Config{}
		if _, _, err := c.loadKrb5Conf(); err == nil || !strings.Contains(err.Error(), EnvConfig) {
			t.Fatalf("error %v: want one naming %s", err, EnvConfig)
		}
	})
	t.Run("explicit path wins", func(t *testing.T) {
		t.Setenv(EnvConfig, "/nonexistent/a.conf")
		c := Config{ConfigPath: conf}
		if _, path, err := c.loadKrb5Conf(); err != nil || path != conf {
			t.Fatalf("path %q err %v", path, err)
		}
	})
	t.Run("unsupported directive is not fatal", func(t *testing.T) {
		p := writeConf(t, "includedir /etc/krb5.conf.d/\n"+exampleConf)
		c := Config{ConfigPath: p}
		if cfg, _, err := c.loadKrb5Conf(); err != nil || cfg.LibDefaults.DefaultRealm != "EXAMPLE.COM" {
			t.Fatalf("err %v", err)
		}
	})
}

func TestCredentialFiles(t *testing.T) {
	conf := writeConf(t, exampleConf)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid := write("valid.ccache", ccacheFile(time.Now().Add(time.Hour)))
	expired := write("expired.ccache", ccacheFile(time.Now().Add(-time.Hour)))
	truncated := write("truncated.ccache", ccacheFile(time.Now().Add(time.Hour))[:40])
	empty := write("empty", nil)
	tests := []struct {
		name  string
		cfg   Config
		kinds []error
		want  string // "" for success
	}{
		{"valid ccache", Config{CCache: valid}, nil, ""},
		{"valid ccache, user named", Config{CCache: valid, User: "alice"}, nil, ""},
		{"ccache of another user", Config{CCache: valid, User: "bob"}, []error{ErrNoCredentials, fs.ErrPermission}, "holds tickets for alice@EXAMPLE.COM, not bob@EXAMPLE.COM"},
		{"expired ccache", Config{CCache: expired}, []error{ErrNoCredentials}, "expired"},
		{"truncated ccache", Config{CCache: truncated}, []error{ErrNoCredentials}, "malformed credential cache"},
		{"empty ccache", Config{CCache: empty}, []error{ErrNoCredentials}, "empty"},
		{"missing ccache", Config{CCache: filepath.Join(dir, "none")}, []error{ErrNoCredentials, fs.ErrNotExist}, "run kinit"},
		{"empty keytab file", Config{Keytab: empty}, []error{ErrNoCredentials}, "empty"},
		{"garbage keytab", Config{Keytab: write("garbage.keytab", []byte{5, 2, 0, 0, 0, 200, 1})}, []error{ErrNoCredentials}, "keytab"},
		{"missing keytab", Config{Keytab: filepath.Join(dir, "none")}, []error{ErrNoCredentials, fs.ErrNotExist}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.SPN = "cifs/fs1.example.com"
			tt.cfg.ConfigPath = conf
			in, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			cl, err := in.client()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := cl.Credentials.CName().PrincipalNameString() + "@" + cl.Credentials.Domain(); got != "alice@EXAMPLE.COM" {
					t.Fatalf("client %s", got)
				}
				cl.Destroy()
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			for _, k := range tt.kinds {
				if !errors.Is(err, k) {
					t.Errorf("errors.Is(%v, %v) = false", err, k)
				}
			}
		})
	}
}

func TestKeytabPrincipal(t *testing.T) {
	conf := writeConf(t, exampleConf)
	kt := keytabFile(t, "svc", "EXAMPLE.COM")
	p := filepath.Join(t.TempDir(), "svc.keytab")
	if err := os.WriteFile(p, kt, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, want string
	}{
		{"", "svc@EXAMPLE.COM"},
		{"svc", "svc@EXAMPLE.COM"},
		{"svc@EXAMPLE.COM", "svc@EXAMPLE.COM"},
		{"alice", "no key for alice@EXAMPLE.COM"},
	} {
		in, err := New(Config{SPN: "cifs/fs1.example.com", Keytab: p, User: tt.user, ConfigPath: conf})
		if err != nil {
			t.Fatal(err)
		}
		cl, err := in.client()
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = cl.Credentials.CName().PrincipalNameString() + "@" + cl.Credentials.Domain()
			cl.Destroy()
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("user %q: got %q, want %q", tt.user, got, tt.want)
		}
	}
}

func TestNoKDCForRealm(t *testing.T) {
	conf := writeConf(t, exampleConf)
	in, err := New(Config{SPN: "cifs/fs1.example.com", User: "alice@ELSEWHERE.ORG", Password: "x", ConfigPath: conf})
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.client()
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "no KDC known for realm ELSEWHERE.ORG") {
		t.Fatalf("error %v", err)
	}
}
