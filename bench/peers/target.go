package peers

import (
	"fmt"
	"strings"
)

// Security is the protection a session runs with.
type Security int

// The session kinds the benchmark measures. The server enforces each
// (signing mandatory, encryption required), and every client is also
// asked for it, so that no one runs with less.
const (
	Plain Security = iota
	Signed
	Encrypted
)

// SecurityNames lists the names ParseSecurity accepts.
func SecurityNames() []string { return []string{"plain", "signed", "encrypted"} }

func (s Security) String() string {
	if s >= 0 && int(s) < len(SecurityNames()) {
		return SecurityNames()[s]
	}
	return fmt.Sprintf("Security(%d)", int(s))
}

// ParseSecurity returns the Security called name.
func ParseSecurity(name string) (Security, error) {
	for i, n := range SecurityNames() {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			return Security(i), nil
		}
	}
	return 0, fmt.Errorf("peers: unknown security %q (have %s)", name, strings.Join(SecurityNames(), ", "))
}

// Target says where and how a session connects.
type Target struct {
	// Addr is the "host:port" to dial: smbd itself or a link proxy.
	Addr string
	// Host is the server's name as written in UNC paths (\\Host\Share).
	Host string
	// Share is the share name.
	Share string
	// User and Password authenticate with NTLM.
	User, Password string
	// Security is the protection to ask for.
	Security Security
	// ClientConf is an smb.conf for Samba's client tools (smbclient) that
	// keeps their state private.
	ClientConf string
	// ScratchDir is a local directory a driver may use (smbclient's mget
	// target).
	ScratchDir string
}

// unc returns \\host\share.
func (t Target) unc() string { return `\\` + t.Host + `\` + t.Share }
