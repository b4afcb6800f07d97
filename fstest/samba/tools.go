package samba

import (
	"context"
	"errors"
	"os"
	"os/exec"
)

// errUnsupported is returned by Start where the harness cannot work.
var errUnsupported = errors.New("samba: the test harness runs on Linux only (it reads /proc)")

// guestUserName is a name no instance defines; with "map to guest = bad
// user" Samba maps it to the guest account. Naming it explicitly keeps
// smbclient from sending $USER, and from falling back to an anonymous
// session (which sees less: for example an empty share list) when $USER
// is unset.
const guestUserName = "smbfs-guest"

// command returns a command for a Samba server program with the instance's
// nss_wrapper environment.
func (s *Server) command(ctx context.Context, path string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = s.env
	cmd.WaitDelay = killGrace
	return cmd
}

// Command returns a command running the Samba program name (smbstatus,
// smbcontrol, pdbedit, net, ...; looked up in $PATH, the sbin directories
// and Samba's libexec directory) in the instance's environment, so that it
// resolves the test users. The arguments are passed as given: add
// "-s", s.ConfigPath() (smbpasswd: "-c", s.ConfigPath()).
func (s *Server) Command(ctx context.Context, name string, args ...string) (*exec.Cmd, error) {
	path, err := findProgram(name)
	if err != nil {
		return nil, err
	}
	return s.command(ctx, path, args...), nil
}

// Smbclient returns an smbclient command connected to //127.0.0.1/share on
// the instance's port, as user, or as guest when user is nil, using the
// instance's client configuration. An empty share lists the shares ("-L").
// args follow, for example "-c", "put local remote". The password travels
// in $PASSWD, not on the command line.
func (s *Server) Smbclient(ctx context.Context, share string, user *User, args ...string) (*exec.Cmd, error) {
	path, err := findProgram("smbclient")
	if err != nil {
		return nil, err
	}
	full := []string{"-s", s.l.clientConf(), "//" + loopback + "/" + share}
	if share == "" {
		full = []string{"-s", s.l.clientConf(), "-L", "//" + loopback}
	}
	full = append(full, "-p", s.portString())
	env := os.Environ()
	if user != nil {
		full = append(full, "-U", user.Name)
		env = append(env, "PASSWD="+user.Password)
	} else {
		full = append(full, "-U", guestUserName, "-N")
	}
	cmd := exec.CommandContext(ctx, path, append(full, args...)...)
	cmd.Env = env
	cmd.WaitDelay = killGrace
	return cmd, nil
}
