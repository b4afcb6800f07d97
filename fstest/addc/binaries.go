package addc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNotInstalled is returned when a program the DC needs is missing.
// scripts/ensure-addc.sh installs them.
var ErrNotInstalled = errors.New("addc: not installed (run scripts/ensure-addc.sh: apt-get install --no-install-recommends samba-ad-dc krb5-user winbind smbclient)")

// programs the harness runs, by the package that brings them.
var programs = []struct{ name, pkg string }{
	{"samba", "samba-ad-dc"},
	{"samba-tool", "samba-common-bin"},
	{"winbindd", "winbind"},
	{"kinit", "krb5-user"},
	{"smbclient", "smbclient"},
	{"smbstatus", "samba"},
	{"ip", "iproute2"},
	{"unshare", "util-linux"},
	{"mount", "mount"},
	{"sh", "dash"},
}

// sbinDirs are searched after $PATH, which often lacks them in IDEs and
// minimal CI shells.
var sbinDirs = []string{"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin"}

// binaries are the resolved program paths.
type binaries map[string]string

// findBinaries resolves every program or reports all that are missing.
func findBinaries() (binaries, error) {
	b := binaries{}
	var missing []string
	for _, p := range programs {
		path, err := lookPath(p.name)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (package %s)", p.name, p.pkg))
			continue
		}
		b[p.name] = path
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing %v", ErrNotInstalled, missing)
	}
	return b, nil
}

// lookPath finds a program in $PATH or the sbin directories.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range sbinDirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}
