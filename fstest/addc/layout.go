package addc

import (
	"os"
	"path/filepath"
)

// dirPrefix starts the name of every DC's temporary directory, so that a
// later run can find what a dead one left behind.
const dirPrefix = "smbfs-addc-"

// layout names the files of one DC under its temporary directory.
type layout struct{ root string }

// dc is provision's target directory: etc/smb.conf, private/ (sam.ldb,
// the DC's own krb5.conf), state/, bind-dns/ …
func (l layout) dc(parts ...string) string {
	return filepath.Join(append([]string{l.root, "dc"}, parts...)...)
}

// conf is the DC's smb.conf.
func (l layout) conf() string { return l.dc("etc", "smb.conf") }

// run is bind-mounted over /run/samba in the DC's mount namespace; samba
// keeps its pid file, ncalrpc and winbindd sockets there.
func (l layout) run() string { return l.dc("run") }

// logDir holds samba's logs (log.samba, log.smbd, log.wb-*, …), the
// output of every tool and samba's stdout.
func (l layout) logDir() string { return l.dc("log") }

// client holds the client-side files: krb5.conf, smb.conf and state of
// the readiness probe, keytabs and credential caches the harness writes.
func (l layout) client(parts ...string) string {
	return filepath.Join(append([]string{l.root, "client"}, parts...)...)
}

// krb5Conf is the client krb5.conf.
func (l layout) krb5Conf() string { return l.client("krb5.conf") }

// etc holds the resolv.conf and hosts files bind-mounted over the host's
// in the DC's mount namespace.
func (l layout) etc(name string) string { return filepath.Join(l.root, "etc", name) }

// share is the directory a share exports.
func (l layout) share(name string) string { return filepath.Join(l.root, "shares", name) }

// owner records the test process that owns the DC (see stale.go).
func (l layout) owner() string { return filepath.Join(l.root, "owner") }

// mkdirs creates the directories Start needs before provisioning.
func (l layout) mkdirs() error {
	// os.MkdirTemp made the root 0700; smbd must traverse it as the
	// domain user to reach the shares.
	if err := os.Chmod(l.root, 0o755); err != nil {
		return err
	}
	for _, d := range []string{
		l.run(), l.logDir(), l.dc("run", "ncalrpc"),
		l.client("cache"), l.client("lock"), l.client("state"), l.client("private"), l.client("ncalrpc"), l.client("run"),
		filepath.Join(l.root, "etc"),
	} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	for _, s := range []string{ShareName, EncryptedShareName} {
		// World-writable: the domain user's files are created under the
		// uid winbindd maps it to, which is not known in advance.
		if err := os.MkdirAll(l.share(s), 0o777); err != nil {
			return err
		}
		if err := os.Chmod(l.share(s), 0o777); err != nil {
			return err
		}
	}
	return nil
}
