package addc

import (
	"fmt"
	"net/netip"
	"strings"
)

// Config describes the domain. The zero value is a ready default: realm
// SMBFS.TEST, NetBIOS domain SMBFS, DC host name "dc", one test user.
type Config struct {
	// Realm is the Kerberos realm and, in lower case, the DNS domain.
	Realm string
	// Domain is the NetBIOS domain name. Default: the realm's first
	// label.
	Domain string
	// HostName is the DC's short host name; its FQDN is
	// HostName.<realm in lower case>.
	HostName string
	// User is the test account created in the domain. Default: "testuser"
	// with a fixed password that meets the complexity rules.
	User User
}

// User is a domain account.
type User struct {
	Name, Password string
}

// Defaults for Config.
const (
	defaultRealm    = "SMBFS.TEST"
	defaultHostName = "dc"
	defaultUser     = "testuser"
	// The passwords meet AD's default complexity rules (three character
	// classes, at least seven characters).
	defaultUserPassword = "Us3r!Passw0rd"
	adminPassword       = "Adm1n!Passw0rd"
)

// withDefaults fills in the zero fields.
func (c Config) withDefaults() Config {
	if c.Realm == "" {
		c.Realm = defaultRealm
	}
	c.Realm = strings.ToUpper(c.Realm)
	if c.Domain == "" {
		c.Domain, _, _ = strings.Cut(c.Realm, ".")
	}
	if c.HostName == "" {
		c.HostName = defaultHostName
	}
	if c.User.Name == "" {
		c.User = User{Name: defaultUser, Password: defaultUserPassword}
	}
	return c
}

// validate rejects names that Samba or the generated files cannot take.
func (c Config) validate() error {
	if !strings.Contains(c.Realm, ".") {
		return fmt.Errorf("addc: realm %q must be a DNS-style name with a dot", c.Realm)
	}
	for what, v := range map[string]string{"realm": c.Realm, "domain": c.Domain, "host name": c.HostName, "user": c.User.Name} {
		if v == "" || strings.ContainsAny(v, " \t\n\"'\\/;:@[]{}=#") {
			return fmt.Errorf("addc: %s %q is empty or has characters Samba's tools or krb5.conf cannot take", what, v)
		}
	}
	if len(c.Domain) > 15 || len(c.HostName) > 15 {
		return fmt.Errorf("addc: NetBIOS names (domain %q, host %q) are at most 15 characters", c.Domain, c.HostName)
	}
	if c.User.Password == "" {
		return fmt.Errorf("addc: user %q has no password", c.User.Name)
	}
	return nil
}

// dnsDomain is the realm in lower case.
func (c Config) dnsDomain() string { return strings.ToLower(c.Realm) }

// fqdn is the DC's fully qualified host name.
func (c Config) fqdn() string { return c.HostName + "." + c.dnsDomain() }

// clientKrb5Conf is a krb5.conf for clients of the DC: the realm's only KDC
// is the DC's address, and nothing is looked up in DNS.
func clientKrb5Conf(c Config, dcIP netip.Addr) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[libdefaults]\n")
	fmt.Fprintf(&b, "\tdefault_realm = %s\n", c.Realm)
	fmt.Fprintf(&b, "\tdns_lookup_realm = false\n\tdns_lookup_kdc = false\n")
	fmt.Fprintf(&b, "\trdns = false\n\tdns_canonicalize_hostname = false\n")
	fmt.Fprintf(&b, "[realms]\n\t%s = {\n\t\tkdc = %s\n\t\tadmin_server = %s\n\t}\n", c.Realm, dcIP, dcIP)
	fmt.Fprintf(&b, "[domain_realm]\n\t.%s = %s\n\t%s = %s\n", c.dnsDomain(), c.Realm, c.dnsDomain(), c.Realm)
	return b.String()
}

// clientSmbConf is the smb.conf Samba's client tools use for the readiness
// probe: every state directory private, nothing read from /etc/samba.
func clientSmbConf(c Config, l layout) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[global]\n\tworkgroup = %s\n\trealm = %s\n", c.Domain, c.Realm)
	fmt.Fprintf(&b, "\tclient min protocol = SMB2_02\n")
	for _, kv := range [][2]string{
		{"cache directory", l.client("cache")},
		{"lock directory", l.client("lock")},
		{"state directory", l.client("state")},
		{"private dir", l.client("private")},
		{"ncalrpc dir", l.client("ncalrpc")},
		{"pid directory", l.client("run")},
		{"log file", l.client("log.%m")},
	} {
		fmt.Fprintf(&b, "\t%s = %s\n", kv[0], kv[1])
	}
	return b.String()
}

// Share names on the DC.
const (
	// ShareName is a read-write share; the DC requires signing.
	ShareName = "share"
	// EncryptedShareName is a read-write share with
	// "smb encrypt = required": its tree connect carries the encrypt flag.
	EncryptedShareName = "encrypted"
)

// dcConfAdditions are appended to the smb.conf provision writes: the
// audit log level that records which mechanism authenticated each session
// ("[SMB2,krb5]"), and the file shares.
func dcConfAdditions(l layout) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n[%s]\n\tpath = %s\n\tread only = no\n", ShareName, l.share(ShareName))
	fmt.Fprintf(&b, "\n[%s]\n\tpath = %s\n\tread only = no\n\tsmb encrypt = required\n", EncryptedShareName, l.share(EncryptedShareName))
	return b.String()
}

// dcGlobalAdditions go into the [global] section: audit logging (auth_audit
// level 5 logs every authorization with its mechanism) and no DNS
// forwarder (provision copies the host's name server, which the namespace
// cannot reach).
const dcGlobalAdditions = "\tlog level = 1 auth_audit:5\n"

// editDCConf rewrites the smb.conf provision wrote: it drops the DNS
// forwarder line, adds dcGlobalAdditions to [global] and appends the
// shares.
func editDCConf(conf string, l layout) (string, error) {
	lines := strings.Split(conf, "\n")
	out := make([]string, 0, len(lines)+8)
	global := false
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(strings.ToLower(trimmed), "dns forwarder") {
			continue
		}
		out = append(out, line)
		if strings.EqualFold(trimmed, "[global]") {
			global = true
			out = append(out, strings.TrimSuffix(dcGlobalAdditions, "\n"))
		}
	}
	if !global {
		return "", fmt.Errorf("addc: provisioned smb.conf has no [global] section")
	}
	return strings.Join(out, "\n") + dcConfAdditions(l), nil
}
