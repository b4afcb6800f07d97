package smbfs

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/krb5auth"
)

// KerberosCredentials says where a Kerberos login gets its identity: a
// password, a keytab or a credential cache. Make one with
// KerberosPassword, KerberosKeytab or KerberosCCache. The zero value picks
// automatically: the password given in the URL, WithPassword or
// WithCredentials if there is one, else the default credential cache.
type KerberosCredentials struct {
	source kerberosSource
	value  string
}

// kerberosSource is the kind of KerberosCredentials.
type kerberosSource int

const (
	kerberosAuto kerberosSource = iota
	kerberosPassword
	kerberosKeytab
	kerberosCCache
)

// KerberosPassword logs in with a password: the client asks the KDC for a
// ticket-granting ticket itself, as kinit would.
func KerberosPassword(password string) KerberosCredentials {
	return KerberosCredentials{source: kerberosPassword, value: password}
}

// KerberosKeytab logs in with the keys in a keytab file (for services and
// scheduled jobs), e.g. one written by ktutil or
// "samba-tool domain exportkeytab".
func KerberosKeytab(path string) KerberosCredentials {
	return KerberosCredentials{source: kerberosKeytab, value: path}
}

// KerberosCCache uses the tickets of an existing credential cache, as kinit
// left them: a file path or "FILE:path". An empty path means the default
// cache: $KRB5CCNAME, else /tmp/krb5cc_<uid>.
func KerberosCCache(path string) KerberosCredentials {
	return KerberosCredentials{source: kerberosCCache, value: path}
}

// KerberosConfig configures a Kerberos login (WithKerberos). The zero value
// uses the default credential cache and krb5.conf, and the service principal
// cifs/<server host name>.
type KerberosConfig struct {
	// Credentials is where the identity comes from (default: see
	// KerberosCredentials).
	Credentials KerberosCredentials
	// User is the client principal, "alice" or "alice@EXAMPLE.COM".
	// Default: the user of the URL or WithCredentials; with a keytab, its
	// first principal; with a credential cache, the cache's principal.
	User string
	// Realm is the client's realm when User names none. Default: a
	// DNS-style domain in the URL (smb://EXAMPLE.COM;alice@host/share),
	// then the keytab's or cache's realm, then krb5.conf's default_realm.
	Realm string
	// KDCs replaces the realm's KDCs from krb5.conf ("host" or
	// "host:port").
	KDCs []string
	// ConfigPath is the krb5.conf to read. Default: $KRB5_CONFIG, then
	// /etc/krb5.conf; with neither, KDCs are found through DNS.
	ConfigPath string
	// SPN is the server's service principal. Default: cifs/<host>, where
	// host is WithServerName's name or the URL's host. A server named by
	// IP address needs one of the two.
	SPN string
	// AllowNTLMFallback lets the client log in with NTLM instead (with the
	// user and password of the URL or WithCredentials) when Kerberos cannot
	// start: no ticket can be had, no host name is known for the SPN, or
	// the server does not offer Kerberos. A ticket the server refuses is
	// never retried with NTLM. Without it, every Kerberos failure is the
	// error.
	AllowNTLMFallback bool
}

// WithKerberos logs in with Kerberos (inside SPNEGO, with mutual
// authentication) instead of NTLM. The URL form
// smb://[user@]host/share?auth=krb5 does the same with the zero
// KerberosConfig.
//
// Failures wrap *krb5auth.Error: errors.Is matches krb5auth.ErrWrongPassword,
// krb5auth.ErrUnknownUser, krb5auth.ErrClockSkew, krb5auth.ErrWrongRealm and
// the other krb5auth sentinels, and fs.ErrPermission for refused
// credentials.
func WithKerberos(cfg KerberosConfig) Option {
	cfg.KDCs = slices.Clone(cfg.KDCs)
	return func(o *options) { o.kerberos = &cfg }
}

// Values of the URL's auth parameter.
const (
	urlAuthNTLM     = "ntlm"
	urlAuthKerberos = "krb5"
)

// parseURLQuery reads the only query parameter a smb:// URL may have,
// auth=krb5 or auth=ntlm, and returns its value ("" when absent). Any other
// parameter is an error, so that a typo does not silently log in with the
// wrong mechanism.
func parseURLQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", fmt.Errorf("URL query: %w", err)
	}
	auth := ""
	for k, v := range q {
		if k != "auth" {
			return "", fmt.Errorf("URL parameter %q is unknown (the only one is auth=krb5 or auth=ntlm)", k)
		}
		if len(v) != 1 {
			return "", errors.New("URL parameter auth is given more than once")
		}
		switch strings.ToLower(v[0]) {
		case "krb5", "kerberos":
			auth = urlAuthKerberos
		case "ntlm":
			auth = urlAuthNTLM
		default:
			return "", fmt.Errorf("URL parameter auth=%q: want krb5 or ntlm", v[0])
		}
	}
	return auth, nil
}

// kerberosFactory returns a constructor of Kerberos authenticators for the
// server t names, or an error when the configuration cannot work (and NTLM
// fallback is not allowed).
func (o *options) kerberosFactory(t *target) (func() (protocol.Authenticator, error), error) {
	kc := KerberosConfig{}
	if o.kerberos != nil {
		kc = *o.kerberos
	}
	ntlm := func() protocol.Authenticator { return o.authenticator() }
	cfg := o.krb5Config(kc, t)
	var in *krb5auth.Initiator
	var err error
	if cfg.SPN == "" {
		err = kerberosHostError(t)
	} else {
		in, err = krb5auth.New(cfg)
	}
	if err != nil {
		if !kc.AllowNTLMFallback {
			return nil, err
		}
		o.logFallback(err)
		return func() (protocol.Authenticator, error) { return ntlm(), nil }, nil
	}
	if !kc.AllowNTLMFallback {
		return func() (protocol.Authenticator, error) { return in.NewAuthenticator(), nil }, nil
	}
	return func() (protocol.Authenticator, error) {
		return protocol.NewFallbackAuthenticator(in.NewAuthenticator(), ntlm, o.logFallback), nil
	}, nil
}

// krb5Config translates the root options into the krb5auth configuration.
// Its SPN is empty when the server is known only by IP address.
func (o *options) krb5Config(kc KerberosConfig, t *target) krb5auth.Config {
	c := krb5auth.Config{
		User:       kc.User,
		Realm:      kc.Realm,
		KDCs:       kc.KDCs,
		ConfigPath: kc.ConfigPath,
		SPN:        kc.SPN,
	}
	if c.User == "" && o.hasUser && !o.anonymous {
		c.User = o.user
	}
	if c.Realm == "" && strings.Contains(o.domain, ".") {
		// A DNS-style domain is the realm in upper case (MS-KILE 3.1.1.2);
		// a NetBIOS name ("EXAMPLE") is not, so it is not used.
		c.Realm = strings.ToUpper(o.domain)
	}
	switch kc.Credentials.source {
	case kerberosPassword:
		c.Password = kc.Credentials.value
	case kerberosKeytab:
		c.Keytab = kc.Credentials.value
	case kerberosCCache:
		c.CCache = kc.Credentials.value
	default:
		if o.hasPassword && o.password != "" {
			c.Password = o.password
		}
	}
	if c.SPN == "" {
		c.SPN = o.spnFor(t)
	}
	return c
}

// spnFor returns cifs/<host> for the server's host name, or "" when only an
// IP address is known.
func (o *options) spnFor(t *target) string {
	host := strings.TrimSuffix(o.proto.ServerName, ".")
	if host == "" {
		host = t.host
	}
	if net.ParseIP(host) != nil {
		return ""
	}
	return "cifs/" + host
}

// logFallback records why Kerberos gave way to NTLM.
func (o *options) logFallback(err error) {
	if o.proto.Logger != nil {
		o.proto.Logger.Warn("smbfs: Kerberos unavailable, falling back to NTLM", "error", err)
	}
}

// kerberosHostError explains a missing SPN for a server named by address.
func kerberosHostError(t *target) error {
	return fmt.Errorf("%w: the server is named by IP address %s, and Kerberos needs its host name for the service principal cifs/<host>: give it with smbfs.WithServerName(\"host.example.com\") or KerberosConfig.SPN",
		krb5auth.ErrConfig, t.host)
}
