package krb5test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs/fstest/addc"
)

// cliLimit bounds building the command and each run of it.
const cliLimit = 2 * time.Minute

// buildCLI builds cmd/smbfs into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "smbfs")
	ctx, cancel := context.WithTimeout(t.Context(), cliLimit)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/smbfs/smbfs/cmd/smbfs").CombinedOutput()
	if err != nil {
		t.Fatalf("go build cmd/smbfs: %v\n%s", err, out)
	}
	return bin
}

// runCLI runs the command with the Kerberos environment a shell user
// would have after kinit: $KRB5CCNAME and $KRB5_CONFIG, and no password.
func runCLI(t *testing.T, bin string, stdin []byte, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), cliLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "KRB5CCNAME=FILE:"+env.ccache, "KRB5_CONFIG="+env.dc.KRB5Conf(), "SMB_PASSWORD=")
	cmd.Stdin = bytes.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("smbfs %s: no exit within %v", strings.Join(args, " "), cliLimit)
	}
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("smbfs %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// TestCLIKerberos drives the smbfs command with --kerberos and the
// ambient credential cache, naming the DC by address with --server-name
// (the SPN's host) as the "e.g. --kerberos" asks: put, ls, cat,
// then checks the bytes on the server's disk.
func TestCLIKerberos(t *testing.T) {
	bin := buildCLI(t)
	dir := "cli-" + strings.ReplaceAll(t.Name(), "/", "-")
	local := filepath.Join(t.TempDir(), "hello.txt")
	want := []byte("written by the smbfs command over Kerberos\n")
	if err := os.WriteFile(local, want, 0o644); err != nil {
		t.Fatal(err)
	}
	base := "smb://" + env.dc.IP().String() + "/" + addc.ShareName + "/"
	krb := []string{"--kerberos", "--server-name", env.dc.FQDN()}

	if _, e, code := runCLI(t, bin, nil, append(krb, "mkdir", base+dir)...); code != 0 {
		t.Fatalf("mkdir: exit %d: %s", code, e)
	}
	if _, e, code := runCLI(t, bin, nil, append(krb, "put", "-q", local, base+dir+"/")...); code != 0 {
		t.Fatalf("put: exit %d: %s", code, e)
	}
	out, e, code := runCLI(t, bin, nil, append(krb, "ls", base+dir)...)
	if code != 0 || !strings.Contains(out, "hello.txt") {
		t.Fatalf("ls: exit %d, out %q: %s", code, out, e)
	}
	// The flags may also follow the command name.
	out, e, code = runCLI(t, bin, nil, "cat", "--kerberos", "--server-name="+env.dc.FQDN(), base+dir+"/hello.txt")
	if code != 0 || out != string(want) {
		t.Fatalf("cat: exit %d, out %q: %s", code, out, e)
	}
	onDisk, err := os.ReadFile(filepath.Join(env.dc.ShareDir(addc.ShareName), dir, "hello.txt"))
	if err != nil || !bytes.Equal(onDisk, want) {
		t.Fatalf("server's copy: %q, %v", onDisk, err)
	}

}

// TestCLIKerberosErrors: without --server-name an address cannot name the
// service principal, and without a ticket the login fails; both exit
// with status 1 and a message that says what to do, promptly.
func TestCLIKerberosErrors(t *testing.T) {
	bin := buildCLI(t)
	url := "smb://" + env.dc.IP().String() + "/" + addc.ShareName + "/"

	start := time.Now()
	_, e, code := runCLI(t, bin, nil, "--kerberos", "ls", url)
	if code != 1 || !strings.Contains(e, "--server-name") {
		t.Fatalf("no --server-name: exit %d, stderr %q", code, e)
	}

	ctx, cancel := context.WithTimeout(t.Context(), cliLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--kerberos", "--server-name", env.dc.FQDN(), "ls", url)
	empty := filepath.Join(t.TempDir(), "no-such-ccache")
	cmd.Env = append(os.Environ(), "KRB5CCNAME=FILE:"+empty, "KRB5_CONFIG="+env.dc.KRB5Conf())
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(strings.ToLower(string(out)), "cache") {
		t.Fatalf("no ticket: exit %d, output %q", cmd.ProcessState.ExitCode(), out)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("the failures took %v", d)
	}
}
