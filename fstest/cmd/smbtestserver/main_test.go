package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run real smbd instances (root and Samba required; missing
// Samba is a failure, not a skip).

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	// The command records its environment and proves the server answers
	// by opening a TCP connection with bash's /dev/tcp.
	script := `env | grep ^SMBFS_TEST_ > "$OUT" &&
exec 3<>"/dev/tcp/${SMBFS_TEST_ADDR%:*}/${SMBFS_TEST_ADDR##*:}" && exit 7`
	t.Setenv("OUT", envFile)
	var stdout, stderr bytes.Buffer
	status := run([]string{"-preset", "main", "-print-env", "--", "bash", "-c", script}, &stdout, &stderr)
	if status != 7 {
		t.Fatalf("status %d, want the command's 7; stderr:\n%s", status, stderr.String())
	}
	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	addr := env["SMBFS_TEST_ADDR"]
	want := map[string]string{
		"SMBFS_TEST_URL":      "smb://" + addr + "/public",
		"SMBFS_TEST_USER_URL": "smb://smbuser:Smbfs-test-pw1@" + addr + "/private",
		"SMBFS_TEST_PRESET":   "main",
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("SMBFS_TEST_ADDR = %q", addr)
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	shareDir := env["SMBFS_TEST_SHARE_DIR"]
	if filepath.Base(shareDir) != "public" {
		t.Errorf("SMBFS_TEST_SHARE_DIR = %q", shareDir)
	}
	// The server is gone: its directory removed.
	if _, err := os.Stat(shareDir); !os.IsNotExist(err) {
		t.Errorf("share directory %s still there after exit: %v", shareDir, err)
	}
	for _, k := range []string{"SMBFS_TEST_ADDR", "SMBFS_TEST_URL", "SMBFS_TEST_USER_URL", "SMBFS_TEST_SHARE_DIR"} {
		if !strings.Contains(stdout.String(), "export "+k+"=") {
			t.Errorf("-print-env output lacks %s:\n%s", k, stdout.String())
		}
	}
}

func TestRunForwardsSignal(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "started")
	result := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		result <- run([]string{"-preset", "smb1", "--", "sh", "-c", `touch "$0" && exec sleep 30`, marker}, &bytes.Buffer{}, &stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("command did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// run has registered for SIGTERM before starting the command, so this
	// reaches run (not the default handler) and is passed on to sleep.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case status := <-result:
		if status != 128+int(syscall.SIGTERM) {
			t.Errorf("status %d, want %d (killed by SIGTERM); stderr:\n%s", status, 128+int(syscall.SIGTERM), stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after SIGTERM")
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"unknown preset", []string{"-preset", "nope", "--", "true"}, exitUsage},
		{"unknown flag", []string{"-bogus"}, exitUsage},
		{"missing command", []string{"-preset", "smb1", "--", "/nonexistent/smbfs-command"}, exitNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := run(tc.args, &bytes.Buffer{}, &stderr); got != tc.want {
				t.Errorf("status %d, want %d; stderr:\n%s", got, tc.want, stderr.String())
			}
			if stderr.Len() == 0 {
				t.Error("no message on stderr")
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"smb://127.0.0.1:1/public", "smb://127.0.0.1:1/public"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
	}
	for _, tc := range tests {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
