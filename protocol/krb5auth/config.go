package krb5auth

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/config"
)

// Environment variables read when the corresponding Config field is empty,
// with the meaning MIT Kerberos gives them.
const (
	// EnvConfig names the krb5.conf file(s), colon-separated.
	EnvConfig = "KRB5_CONFIG"
	// EnvCCache names the credential cache, e.g. "FILE:/tmp/krb5cc_1000".
	EnvCCache = "KRB5CCNAME"
)

// defaultConfigPath is read when neither Config.ConfigPath nor
// $KRB5_CONFIG names a file; its absence is not an error.
const defaultConfigPath = "/etc/krb5.conf"

// Config says who authenticates, with which credentials, to which service,
// and where the KDCs are. Set at most one of Password, Keytab and CCache;
// with none, the default credential cache is used ($KRB5CCNAME, else
// /tmp/krb5cc_<uid>).
type Config struct {
	// SPN is the server's service principal, "cifs/<host name>"
	// (required). Its realm comes from krb5.conf's [domain_realm], else
	// the client's realm.
	SPN string

	// User is the client principal, "alice" or "alice@EXAMPLE.COM".
	// Required with Password; with Keytab it defaults to the keytab's
	// first principal; with a credential cache it defaults to the cache's
	// principal and, when set, must name that principal.
	User string
	// Realm is the client's realm when User names none. Default: the
	// keytab's or credential cache's realm, then krb5.conf's
	// default_realm.
	Realm string

	// Password logs in with a password (an AS exchange with encrypted
	// timestamp pre-authentication).
	Password string
	// Keytab logs in with the keys in this keytab file.
	Keytab string
	// CCache uses the tickets in this credential cache ("FILE:/path" or a
	// plain path), as kinit left them.
	CCache string

	// ConfigPath is the krb5.conf to read. Default: $KRB5_CONFIG (the
	// first of its colon-separated files that exists), then
	// /etc/krb5.conf; with none, built-in defaults (KDCs found through DNS
	// SRV records unless KDCs is set).
	ConfigPath string
	// KDCs replaces the client realm's KDC list, as "host" or "host:port"
	// (port 88 by default).
	KDCs []string

	// Now is the clock for the timestamps in the AP-REQ authenticator
	// (default time.Now). The KDC exchanges always use the system clock.
	Now func() time.Time
}

// credentialSource is where the client's initial credentials come from.
type credentialSource int

const (
	sourceCCache credentialSource = iota
	sourcePassword
	sourceKeytab
)

// String names the source for messages.
func (s credentialSource) String() string {
	switch s {
	case sourcePassword:
		return "password"
	case sourceKeytab:
		return "keytab"
	}
	return "credential cache"
}

// source returns the credential source the configuration selects.
func (c *Config) source() (credentialSource, error) {
	n := 0
	src := sourceCCache
	if c.Password != "" {
		n++
		src = sourcePassword
	}
	if c.Keytab != "" {
		n++
		src = sourceKeytab
	}
	if c.CCache != "" {
		n++
	}
	if n > 1 {
		return 0, configError("set only one of Password, Keytab and CCache")
	}
	return src, nil
}

// loadKrb5Conf reads the krb5.conf the configuration names (see
// Config.ConfigPath) and returns it with its path ("" when no file was
// read and built-in defaults apply).
func (c *Config) loadKrb5Conf() (*config.Config, string, error) {
	var candidates []string
	explicit := true
	switch {
	case c.ConfigPath != "":
		candidates = []string{c.ConfigPath}
	case os.Getenv(EnvConfig) != "":
		candidates = strings.Split(os.Getenv(EnvConfig), ":")
	default:
		candidates = []string{defaultConfigPath}
		explicit = false
	}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			if c.ConfigPath != "" {
				return nil, "", configError("krb5.conf: %v", err)
			}
			continue
		}
		cfg, err := config.Load(p)
		var unsupported config.UnsupportedDirective
		if err != nil && !errors.As(err, &unsupported) {
			// gokrb5 returns UnsupportedDirective together with a usable
			// configuration (e.g. for "includedir"); anything else is
			// fatal.
			return nil, "", configError("krb5.conf %s: %v", p, err)
		}
		return cfg, p, nil
	}
	if explicit && c.ConfigPath == "" {
		return nil, "", configError("$%s=%q names no readable file", EnvConfig, os.Getenv(EnvConfig))
	}
	cfg := config.New()
	// Without a file, find KDCs the way MIT Kerberos does by default:
	// through _kerberos SRV records (RFC 4120 section 7.2.3.2).
	cfg.LibDefaults.DNSLookupKDC = true
	return cfg, "", nil
}

// applyKDCs makes kdcs the KDC list of realm in cfg.
func applyKDCs(cfg *config.Config, realm string, kdcs []string) error {
	list := make([]string, 0, len(kdcs))
	for _, k := range kdcs {
		addr, err := kdcAddress(k)
		if err != nil {
			return err
		}
		list = append(list, addr)
	}
	cfg.LibDefaults.DNSLookupKDC = false
	for i := range cfg.Realms {
		if cfg.Realms[i].Realm == realm {
			cfg.Realms[i].KDC = list
			return nil
		}
	}
	cfg.Realms = append(cfg.Realms, config.Realm{Realm: realm, KDC: list, DefaultDomain: strings.ToLower(realm)})
	return nil
}

// kdcAddress normalises "host" or "host:port" (IPv6 in brackets) to
// "host:port".
func kdcAddress(s string) (string, error) {
	if s == "" {
		return "", configError("empty KDC address")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port: the whole string is the host (an IPv6 address may
		// come without brackets).
		host, port = strings.Trim(s, "[]"), "88"
	}
	if host == "" {
		return "", configError("KDC address %q has no host", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return "", configError("KDC address %q has an invalid port", s)
	}
	return net.JoinHostPort(host, port), nil
}

// hasKDC reports whether cfg can find a KDC for realm without asking DNS.
func hasKDC(cfg *config.Config, realm string) bool {
	for _, r := range cfg.Realms {
		if r.Realm == realm && len(r.KDC) > 0 {
			return true
		}
	}
	return false
}

// splitPrincipal splits "name@REALM" into its parts; a name without "@"
// has an empty realm.
func splitPrincipal(p string) (name, realm string) {
	if i := strings.LastIndexByte(p, '@'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

// ccachePath resolves a credential cache name (Config.CCache, then
// $KRB5CCNAME, then MIT's default FILE:/tmp/krb5cc_<uid>) to a file path.
// Only file caches can be read.
func ccachePath(name string) (string, error) {
	if name == "" {
		name = os.Getenv(EnvCCache)
	}
	if name == "" {
		return "/tmp/krb5cc_" + strconv.Itoa(os.Getuid()), nil
	}
	typ, rest, ok := strings.Cut(name, ":")
	if !ok || strings.HasPrefix(name, "/") {
		return name, nil
	}
	if typ != "FILE" {
		return "", &Error{Op: "open credential cache " + name, Kind: ErrNoCredentials,
			Err: fmt.Errorf("cache type %s is not supported: only FILE caches can be read (run kinit with KRB5CCNAME=FILE:/path)", typ)}
	}
	return rest, nil
}
