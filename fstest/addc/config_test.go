package addc

import (
	"net/netip"
	"os"
	"strings"
	"testing"
)

// These tests need no DC; ./krb5test starts one and exercises the rest.

func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Realm != "SMBFS.TEST" || c.Domain != "SMBFS" || c.HostName != "dc" || c.User.Name != "testuser" || c.User.Password == "" {
		t.Fatalf("defaults %+v", c)
	}
	if c.fqdn() != "dc.smbfs.test" {
		t.Errorf("FQDN %q", c.fqdn())
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	c = Config{Realm: "corp.example.org", HostName: "srv1"}.withDefaults()
	if c.Realm != "CORP.EXAMPLE.ORG" || c.Domain != "CORP" || c.fqdn() != "srv1.corp.example.org" {
		t.Fatalf("%+v, FQDN %q", c, c.fqdn())
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"realm without dot", Config{Realm: "LOCAL"}, "DNS-style"},
		{"long NetBIOS domain", Config{Realm: "X.TEST", Domain: "ABCDEFGHIJKLMNOP"}, "15 characters"},
		{"user with space", Config{User: User{Name: "a b", Password: "Pw1!pw1!"}}, "user"},
		{"host with quote", Config{HostName: `d"c`}, "host name"},
		{"user without password", Config{User: User{Name: "alice"}}, "no password"},
	}
	for _, tt := range tests {
		err := tt.cfg.withDefaults().validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestClientFiles(t *testing.T) {
	c := Config{}.withDefaults()
	ip := netip.MustParseAddr("198.18.0.2")
	krb := clientKrb5Conf(c, ip)
	for _, want := range []string{"default_realm = SMBFS.TEST", "SMBFS.TEST = {", "kdc = 198.18.0.2", ".smbfs.test = SMBFS.TEST", "dns_lookup_kdc = false"} {
		if !strings.Contains(krb, want) {
			t.Errorf("krb5.conf lacks %q:\n%s", want, krb)
		}
	}
	smb := clientSmbConf(c, layout{root: "/r"})
	for _, want := range []string{"realm = SMBFS.TEST", "private dir = /r/client/private", "lock directory = /r/client/lock"} {
		if !strings.Contains(smb, want) {
			t.Errorf("smb.conf lacks %q:\n%s", want, smb)
		}
	}
}

func TestEditDCConf(t *testing.T) {
	provisioned := "# Global parameters\n[global]\n\tdns forwarder = 192.0.2.53\n\trealm = SMBFS.TEST\n\n[sysvol]\n\tpath = /x\n"
	got, err := editDCConf(provisioned, layout{root: "/r"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "dns forwarder") {
		t.Error("the DNS forwarder is still there")
	}
	for _, want := range []string{"[global]\n\tlog level = 1 auth_audit:5\n", "\trealm = SMBFS.TEST", "[share]\n\tpath = /r/shares/share\n\tread only = no",
		"[encrypted]\n\tpath = /r/shares/encrypted\n\tread only = no\n\tsmb encrypt = required"} {
		if !strings.Contains(got, want) {
			t.Errorf("edited smb.conf lacks %q:\n%s", want, got)
		}
	}
	if _, err := editDCConf("[sysvol]\n", layout{root: "/r"}); err == nil {
		t.Error("no error for an smb.conf without [global]")
	}
}

func TestOwnerRecord(t *testing.T) {
	l := layout{root: t.TempDir()}
	if err := writeOwner(l, ownerRecord{netns: "net:[4026532281]", hostIf: "adc0123abcdh"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(l.owner())
	if err != nil {
		t.Fatal(err)
	}
	r := parseOwner(string(b))
	if r.pid != os.Getpid() || r.netns != "net:[4026532281]" || r.hostIf != "adc0123abcdh" {
		t.Fatalf("parsed %+v", r)
	}
	if !r.alive() {
		t.Error("this process is not alive")
	}
	r.start++ // a different process that reused the pid
	if r.alive() {
		t.Error("a reused pid counts as the owner")
	}
	if (ownerRecord{}).alive() || parseOwner("garbage").alive() {
		t.Error("an empty record is alive")
	}
}

func TestNewLink(t *testing.T) {
	seen := map[netip.Prefix]bool{}
	for range 50 {
		l, err := newLink()
		if err != nil {
			t.Fatal(err)
		}
		if len(l.hostIf) > 15 || len(l.nsIf) > 15 || !strings.HasPrefix(l.hostIf, linkPrefix) {
			t.Fatalf("interface names %q %q", l.hostIf, l.nsIf)
		}
		if !subnetPool.Contains(l.hostIP) || !subnetPool.Contains(l.dcIP) || l.subnet.Bits() != 30 ||
			l.hostIP != l.subnet.Addr().Next() || l.dcIP != l.hostIP.Next() || !l.subnet.Contains(l.dcIP) {
			t.Fatalf("addresses %v %v in %v", l.hostIP, l.dcIP, l.subnet)
		}
		seen[l.subnet] = true
	}
	if len(seen) < 40 {
		t.Errorf("only %d distinct subnets in 50 draws", len(seen))
	}
}

func TestOverlaps(t *testing.T) {
	used := []netip.Prefix{netip.MustParsePrefix("198.18.4.0/24"), netip.MustParsePrefix("10.0.0.0/8")}
	if !overlaps(used, netip.MustParsePrefix("198.18.4.8/30")) {
		t.Error("198.18.4.8/30 is inside a used /24")
	}
	if overlaps(used, netip.MustParsePrefix("198.18.5.8/30")) {
		t.Error("198.18.5.8/30 is free")
	}
}

func TestProcessInfo(t *testing.T) {
	if !supported {
		t.Skip("Linux only")
	}
	if startTime(os.Getpid()) == 0 || netnsOf(os.Getpid()) == "" {
		t.Fatal("no start time or network namespace for this process")
	}
	if startTime(-1) != 0 || netnsOf(-1) != "" {
		t.Fatal("values for a process that does not exist")
	}
}
