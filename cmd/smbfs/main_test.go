package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smbfs/smbfs/fstest/samba"
)

// The integration tests run the built smbfs binary against a private
// smbd (the Main preset), as a shell user would.
var (
	srv *samba.Server // started by TestMain
	bin string        // the smbfs binary, built by TestMain
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "smbfs-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "smbfs")
	if out, err := exec.Command(goTool(), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err = samba.Start(ctx, samba.Main())
	if err != nil {
		fmt.Fprintf(os.Stderr, "cmd/smbfs tests: cannot start Samba: %v\n(run scripts/ensure-samba.sh, as root)\n", err)
		return 1
	}
	defer srv.Stop()
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "=== smbd log (tail)\n%s\n", tail(srv.Logs(), 40))
	}
	return code
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	// go test puts its own toolchain's bin directory first in PATH.
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// user is the account the Main preset knows.
var user = samba.DefaultUser()

// guestURL is the URL of path on share for the guest.
func guestURL(share, path string) string {
	return strings.TrimSuffix(fmt.Sprintf("smb://%s/%s/%s", srv.Addr(), share, path), "/")
}

// userURL is the URL of path on share for the default user, without the
// password.
func userURL(share, path string) string {
	return strings.TrimSuffix(fmt.Sprintf("smb://%s@%s/%s/%s", user.Name, srv.Addr(), share, path), "/")
}

// result is what one run of the binary did.
type result struct {
	stdout, stderr string
	code           int
}

// runOpts adjusts one run.
type runOpts struct {
	stdin    io.Reader
	env      []string // extra KEY=value
	noPass   bool     // leave SMB_PASSWORD out
	dir      string   // working directory
	deadline time.Duration
}

// smbfsRun runs the binary with args and the user's password in
// SMB_PASSWORD, and returns its output and status.
func smbfsRun(t *testing.T, o runOpts, args ...string) result {
	t.Helper()
	if o.deadline == 0 {
		o.deadline = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = baseEnv()
	if !o.noPass {
		cmd.Env = append(cmd.Env, "SMB_PASSWORD="+user.Password)
	}
	cmd.Env = append(cmd.Env, o.env...)
	cmd.Dir = o.dir
	cmd.Stdin = o.stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("smbfs %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("smbfs %s: still running after %v", strings.Join(args, " "), o.deadline)
	}
	res := result{stdout.String(), stderr.String(), code}
	for _, bad := range []string{"goroutine ", "panic:", "runtime error"} {
		if strings.Contains(res.stderr, bad) {
			t.Errorf("smbfs %s: stderr has %q:\n%s", strings.Join(args, " "), bad, res.stderr)
		}
	}
	return res
}

// baseEnv is the environment without any SMB_PASSWORD of the caller's.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMB_PASSWORD=") {
			env = append(env, kv)
		}
	}
	return env
}

// ok runs the binary and fails the test unless it exits 0.
func ok(t *testing.T, args ...string) result {
	t.Helper()
	res := smbfsRun(t, runOpts{}, args...)
	if res.code != 0 {
		t.Fatalf("smbfs %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

// scratchCounter keeps scratch names unique.
var scratchCounter atomic.Int64

// scratch makes a fresh directory on the private share for one test and
// returns its name; it is removed at cleanup (directly on disk).
func scratch(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("cli%d-%s", scratchCounter.Add(1), strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	dir := filepath.Join(srv.SharePath("private"), name)
	ok(t, "mkdir", userURL("private", name))
	t.Cleanup(func() { os.RemoveAll(dir) })
	return name
}

// onDisk is the path on the server's disk of name in the private share.
func onDisk(name string) string {
	return filepath.Join(srv.SharePath("private"), filepath.FromSlash(name))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// randomFile writes n pseudo-random bytes to a new local file.
func randomFile(t *testing.T, dir, name string, n int) []byte {
	t.Helper()
	data := make([]byte, n)
	var x uint32 = 2463534242
	for i := range data {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = byte(x)
	}
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}
