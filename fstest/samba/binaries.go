package samba

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoSamba is returned when a Samba program or nss_wrapper is not
// installed. scripts/ensure-samba.sh installs them.
var ErrNoSamba = errors.New("samba: not installed (run scripts/ensure-samba.sh: apt-get install samba smbclient libnss-wrapper)")

// Environment variables that override where the harness looks.
const (
	// EnvNSSWrapper names libnss_wrapper.so explicitly.
	EnvNSSWrapper = "SMBFS_NSS_WRAPPER"
	// EnvSambaLibexec names the directory holding samba-dcerpcd.
	EnvSambaLibexec = "SMBFS_SAMBA_LIBEXEC"
)

// sbinDirs are searched after $PATH, which often lacks the sbin
// directories when tests run from an IDE or a minimal CI shell.
var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/local/samba/sbin", "/usr/local/samba/bin"}

// libexecDirs hold samba-dcerpcd and its rpcd_* workers on the usual
// distributions (Debian/Ubuntu, Fedora, source builds).
var libexecDirs = []string{"/usr/libexec/samba", "/usr/lib/samba", "/usr/local/samba/libexec/samba", "/usr/local/libexec/samba"}

// nssWrapperGlobs find the library on multiarch (Debian), lib64 (Fedora)
// and plain layouts.
var nssWrapperGlobs = []string{
	"/usr/lib/*-linux-gnu*/libnss_wrapper.so*",
	"/usr/lib64/libnss_wrapper.so*",
	"/usr/lib/libnss_wrapper.so*",
	"/usr/local/lib*/libnss_wrapper.so*",
}

// findProgram returns the path of a Samba program.
func findProgram(name string) (string, error) {
	if name == "samba-dcerpcd" {
		dirs := libexecDirs
		if d := os.Getenv(EnvSambaLibexec); d != "" {
			dirs = append([]string{d}, dirs...)
		}
		for _, d := range dirs {
			if p := filepath.Join(d, name); isExecutable(p) {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range sbinDirs {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s not found in $PATH or %s", ErrNoSamba, name, strings.Join(sbinDirs, ", "))
}

// findNSSWrapper returns the path of libnss_wrapper.so.
func findNSSWrapper() (string, error) {
	if p := os.Getenv(EnvNSSWrapper); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v", ErrNoSamba, EnvNSSWrapper, p, err)
		}
		return p, nil
	}
	for _, g := range nssWrapperGlobs {
		matches, _ := filepath.Glob(g) // patterns are constant and valid
		for _, m := range matches {
			// Glob sorts, so the unversioned name comes first; any
			// soname works for LD_PRELOAD.
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
				return m, nil
			}
		}
	}
	return "", fmt.Errorf("%w: libnss_wrapper.so not found (package libnss-wrapper; or set %s)", ErrNoSamba, EnvNSSWrapper)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// serverEnv returns the environment for Samba server programs: the
// caller's, minus anything that would redirect them, plus nss_wrapper
// pointing at the instance's passwd and group files, and TDB_NO_FSYNC.
//
// TDB_NO_FSYNC makes tdb skip fdatasync/msync on transaction commits (Samba's
// own selftest sets it too): a throwaway instance needs no durability, and
// on a machine busy with other I/O those syncs stretched a 30 ms pdbedit to
// seconds.
func serverEnv(base []string, lib string, l layout) []string {
	env := make([]string, 0, len(base)+4)
	preload := lib
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "LD_PRELOAD":
			if v != "" {
				preload = lib + ":" + v
			}
			continue
		case strings.HasPrefix(k, "NSS_WRAPPER_"), k == "TDB_NO_FSYNC":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"LD_PRELOAD="+preload,
		"NSS_WRAPPER_PASSWD="+l.passwd(),
		"NSS_WRAPPER_GROUP="+l.group(),
		"TDB_NO_FSYNC=1",
	)
}
