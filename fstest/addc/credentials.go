package addc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// AddUser creates another domain account.
func (dc *DC) AddUser(ctx context.Context, u User) error {
	if u.Name == "" || u.Password == "" {
		return fmt.Errorf("addc: a user needs a name and a password")
	}
	return dc.createUser(ctx, u)
}

// ExportKeytab writes the keys of principal (e.g. "testuser") to a keytab
// file at path, with samba-tool domain exportkeytab.
func (dc *DC) ExportKeytab(ctx context.Context, principal, path string) error {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	_, err := tool{limit: toolLimit, env: baseEnv()}.run(ctx, dc.bin["samba-tool"],
		"domain", "exportkeytab", path, "--principal="+principal, "-s", dc.l.conf())
	return err
}

// Kinit gets a ticket-granting ticket for principal (a user name in the
// DC's realm, or name@REALM) with MIT kinit and stores it in the credential
// cache file ccache, as a user's login would.
func (dc *DC) Kinit(ctx context.Context, principal, password, ccache string) error {
	if !strings.Contains(principal, "@") {
		principal += "@" + dc.cfg.Realm
	}
	_, err := tool{limit: toolLimit, env: dc.krb5Env(ccache), stdin: password + "\n", secrets: []string{password}}.run(ctx,
		dc.bin["kinit"], "-c", "FILE:"+ccache, principal)
	return err
}

// Logs returns samba's logs (every log.* file and samba's own output),
// each headed by its name.
func (dc *DC) Logs() string {
	paths, _ := filepath.Glob(filepath.Join(dc.l.logDir(), "*"))
	sort.Strings(paths)
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			continue
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", filepath.Base(p), data)
	}
	return b.String()
}

// AuthLog returns the authentication audit lines of samba's logs: one
// "Successful AuthZ: [SMB2,krb5] user [DOMAIN]\[name] …" line per
// session smbd accepted, naming the mechanism, and "Auth: … NT_STATUS_…"
// lines for refusals.
func (dc *DC) AuthLog() string {
	var out []string
	for _, line := range strings.Split(dc.Logs(), "\n") {
		if strings.Contains(line, "Successful AuthZ:") || strings.Contains(line, "Auth: [") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, "\n")
}
