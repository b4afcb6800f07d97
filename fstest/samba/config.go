package samba

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// The test user every preset knows. The password avoids characters that
// need escaping so that URLs stay readable in test output; [Server.URL]
// escapes whatever a caller-defined user brings.
const (
	DefaultUserName     = "smbuser"
	DefaultUserPassword = "Smbfs-test-pw1"
)

// DefaultUser returns the user that the presets grant access to their
// non-guest shares.
func DefaultUser() User {
	return User{Name: DefaultUserName, Password: DefaultUserPassword}
}

// User is an account that exists only inside one instance: in its private
// nss_wrapper passwd file and in its tdbsam password database.
type User struct {
	Name     string
	Password string
}

// Share describes one [share] section.
type Share struct {
	// Name is the share name clients connect to.
	Name string
	// Comment is the share's comment, as listed by NetShareEnum.
	Comment string
	// Path is the shared directory. When empty, a world-writable directory
	// is created under the instance's temporary directory. A caller-supplied
	// path must exist and is neither created, chmod'ed nor removed.
	Path string
	// Guest sets "guest ok = yes".
	Guest bool
	// ReadOnly sets "read only = yes"; otherwise the share is writable.
	ReadOnly bool
	// Users, when not empty, becomes "valid users"; each must be one of
	// Config.Users.
	Users []string
	// Params are extra share parameters, written after the ones above (a
	// later line wins in smb.conf, so they may override them).
	Params [][2]string
	// Files are created in the share directory before smbd starts, keyed by
	// slash-separated relative path. Parent directories are created as
	// needed.
	Files map[string]string
}

// Config describes one Samba instance.
type Config struct {
	// Name labels the instance in its directory name, its "server string"
	// and error messages. It defaults to "smbfs".
	Name string
	// Global are extra [global] parameters, in order, written after the
	// harness defaults so they can override them (for example "interfaces",
	// which must keep 127.0.0.1, or "log level"). Parameters that would
	// make the instance leave its directory or port are refused: smb ports,
	// bind interfaces only, the state/cache/lock/pid/private/ncalrpc/binddns
	// directories, passdb backend, log file, include, config file/backend
	// and rpc start on demand helpers.
	Global [][2]string
	// Shares are the instance's shares, in order.
	Shares []Share
	// Users are the accounts to create (see [User]).
	Users []User
	// RPC starts samba-dcerpcd next to smbd so that DCE/RPC services such
	// as srvsvc (share listing) answer. Samba's own on-demand start of the
	// helper is always disabled, because it would outlive smbd.
	RPC bool
	// Port is the TCP port to listen on; 0 picks a free one (and retries
	// with another when a conflict shows up). Ports below 1024 are refused.
	Port int
	// BaseDir is where the instance's temporary directory is created; it
	// defaults to os.TempDir(). Every directory above a share must be
	// searchable by other users (o+x), because smbd enters the share as the
	// connecting user; t.TempDir() is not (it is 0700).
	BaseDir string
	// KeepDir keeps the temporary directory (logs, config, share contents)
	// after Stop.
	KeepDir bool

	// skipFreeCheck skips the plain-bind check of an explicit Port, so that
	// tests can reproduce a second smbd binding a served port through
	// SO_REUSEPORT and see the ownership check catch it.
	skipFreeCheck bool
}

// enforcedGlobals are the [global] parameters the harness owns: each one
// keeps the instance inside its directory and on its port. Keys are in the
// normalized form of normKey.
var enforcedGlobals = map[string]bool{
	"smbports":                true,
	"passdbbackend":           true,
	"statedirectory":          true,
	"cachedirectory":          true,
	"lockdirectory":           true,
	"lockdir":                 true,
	"piddirectory":            true,
	"privatedir":              true,
	"privatedirectory":        true,
	"ncalrpcdir":              true,
	"binddnsdir":              true,
	"logfile":                 true,
	"rpcstartondemandhelpers": true,
	"include":                 true,
	"configfile":              true,
	"configbackend":           true,
	"bindinterfacesonly":      true,
}

// reservedShares are section names Samba treats specially.
var reservedShares = map[string]bool{
	"global": true, "homes": true, "printers": true, "ipc$": true,
}

var userNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)

// errConfig marks configuration mistakes.
var errConfig = errors.New("samba: invalid config")

// normKey reduces a parameter name the way Samba compares them: case and
// spaces do not matter ("SMB Ports" is "smbports").
func normKey(k string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "\t", "", "_", "").Replace(k))
}

// checkParam refuses keys and values that would break the line-oriented
// smb.conf syntax.
func checkParam(where string, p [2]string) error {
	k, v := strings.TrimSpace(p[0]), p[1]
	switch {
	case k == "":
		return fmt.Errorf("%w: %s: empty parameter name", errConfig, where)
	case strings.ContainsAny(k, "=[]\r\n#;"):
		return fmt.Errorf("%w: %s: bad parameter name %q", errConfig, where, k)
	case strings.ContainsAny(v, "\r\n"):
		return fmt.Errorf("%w: %s: parameter %q: value contains a line break", errConfig, where, k)
	case strings.HasSuffix(v, `\`):
		// A trailing backslash continues the line in smb.conf.
		return fmt.Errorf("%w: %s: parameter %q: value ends in a backslash", errConfig, where, k)
	}
	return nil
}

// validate reports the first problem in c.
func (c *Config) validate() error {
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("%w: port %d out of range", errConfig, c.Port)
	}
	if c.Port > 0 && c.Port < 1024 {
		return fmt.Errorf("%w: port %d is privileged (the system's smbd owns 139/445); use 1024 or above, or 0", errConfig, c.Port)
	}
	if strings.ContainsAny(c.Name, "/\r\n") {
		return fmt.Errorf("%w: name %q", errConfig, c.Name)
	}
	for _, p := range c.Global {
		if err := checkParam("[global]", p); err != nil {
			return err
		}
		if enforcedGlobals[normKey(p[0])] {
			return fmt.Errorf("%w: [global] %q is set by the harness and cannot be overridden", errConfig, p[0])
		}
	}
	users := map[string]bool{}
	for _, u := range c.Users {
		if !userNameRE.MatchString(u.Name) || u.Name == "root" || u.Name == "nobody" {
			return fmt.Errorf("%w: user name %q (want [a-z_][a-z0-9_.-]*, at most 32, not root/nobody)", errConfig, u.Name)
		}
		if users[u.Name] {
			return fmt.Errorf("%w: user %q listed twice", errConfig, u.Name)
		}
		users[u.Name] = true
		if u.Password == "" || strings.ContainsAny(u.Password, "\r\n\x00") {
			return fmt.Errorf("%w: user %q: password must be non-empty and one line", errConfig, u.Name)
		}
	}
	shares := map[string]bool{}
	for _, s := range c.Shares {
		if err := s.validate(users); err != nil {
			return err
		}
		low := strings.ToLower(s.Name)
		if shares[low] {
			return fmt.Errorf("%w: share %q listed twice", errConfig, s.Name)
		}
		shares[low] = true
	}
	return nil
}

func (s *Share) validate(users map[string]bool) error {
	where := fmt.Sprintf("share %q", s.Name)
	if s.Name == "" || strings.ContainsAny(s.Name, "[]\r\n/\\") || strings.TrimSpace(s.Name) != s.Name {
		return fmt.Errorf("%w: bad share name %q", errConfig, s.Name)
	}
	if reservedShares[strings.ToLower(s.Name)] {
		return fmt.Errorf("%w: share name %q is reserved by Samba", errConfig, s.Name)
	}
	if strings.ContainsAny(s.Comment, "\r\n") {
		return fmt.Errorf("%w: %s: comment contains a line break", errConfig, where)
	}
	if s.Path != "" && !filepath.IsAbs(s.Path) {
		return fmt.Errorf("%w: %s: path %q is not absolute", errConfig, where, s.Path)
	}
	for _, u := range s.Users {
		if !users[u] {
			return fmt.Errorf("%w: %s: valid user %q is not in Config.Users", errConfig, where, u)
		}
	}
	for _, p := range s.Params {
		if err := checkParam(where, p); err != nil {
			return err
		}
	}
	for name := range s.Files {
		clean := filepath.Clean(filepath.FromSlash(name))
		if name == "" || filepath.IsAbs(clean) || clean == "." || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%w: %s: file %q must be a relative path inside the share", errConfig, where, name)
		}
	}
	return nil
}
