package examples_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs/fstest/samba"
)

// Every example is built once and run against a private smbd (the Main
// preset), with the SMBFS_TEST_* variables smbtestserver would set.
var (
	srv    *samba.Server
	binDir string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var err error
	binDir, err = os.MkdirTemp("", "smbfs-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(binDir)
	// One build for every main package below examples/.
	if out, err := exec.Command(goTool(), "build", "-o", binDir+string(filepath.Separator), "./...").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./examples/...: %v\n%s", err, out)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err = samba.Start(ctx, samba.Main())
	if err != nil {
		fmt.Fprintf(os.Stderr, "examples: cannot start Samba: %v\n(run scripts/ensure-samba.sh, as root)\n", err)
		return 1
	}
	defer srv.Stop()
	return m.Run()
}

func goTool() string {
	// go test puts its own toolchain's bin directory first in PATH.
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// env is the environment of an example: the harness's variables, and the
// default user's password in SMB_PASSWORD.
func env() []string {
	u := samba.DefaultUser()
	return append(append(os.Environ(), srv.Env()...), "SMB_PASSWORD="+u.Password)
}

// userURL is the URL of share for the default user, without a password.
func userURL(share string) string {
	return fmt.Sprintf("smb://%s@%s/%s", samba.DefaultUser().Name, srv.Addr(), share)
}

func TestExamples(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // substrings of the output, or /regexp/
	}{
		{"read", []string{srv.URL("ro", nil), samba.ROFileName},
			[]string{"connected: SMB 3.1.1", "-rw-rw-rw-       31 hello.txt", "--- hello.txt (31 bytes)\n" + samba.ROFileContent}},
		{"read", []string{userURL("private")}, []string{"connected: SMB"}},
		{"write", []string{userURL("private")},
			[]string{`appended: "first line\nsecond line\n"`, "streamed 8 MiB", "sha256 match: true", "old name gone: true", "mkdir existing is fs.ErrExist: true", "/removed write-example-\\d+\n/"}},
		{"walk", []string{srv.URL("ro", nil)},
			[]string{"dir/\n  nested.txt (35 bytes)  dir/nested.txt\n", "hello.txt (31 bytes)  hello.txt\n", "1 directories, 2 files, 66 bytes\n"}},
		{"watch", []string{"-demo"},
			[]string{"/CREATE \"watch-example-\\d+/a.txt\"/", "/RENAME \"watch-example-\\d+/a.txt\"/", "/REMOVE \"watch-example-\\d+/b.txt\"/", "saw every kind of change"}},
		{"batch", []string{"-n", "50"},
			[]string{"one at a time: 50 files written, read and removed", "batched:       50 files written, read (all verified) and removed", "ok=true; stat missing: "}},
		{"afero", []string{userURL("private")},
			[]string{"afero backend: smbfs", `read back: "content of a/b/three.txt\n"`, "/walk: a/b/three.txt +dir=false size=25/", "readdirnames a: [b two.txt]", "missing is os.ErrNotExist: true and an *os.PathError: true", "removed: true"}},
		{"hackpadfs", nil,
			[]string{`read back: "written through hackpadfs\n"`, "after chmod 0444: -r--r--r--", "/walk: hackpadfs-example-\\d+/x/note.txt dir=false/", "missing is hackpadfs.ErrNotExist: true", "removed: true"}},
		{"stream", []string{"-size", "8MiB", "-q"},
			[]string{"uploaded 8388608 bytes", "downloaded 8388608 bytes", "identical: true"}},
		{"demo", nil,
			[]string{"1. Dial ", "(Range: bytes=1000-1009) -> 206 Partial Content", "removed demo/", "Done."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(binDir, tt.name), tt.args...)
			cmd.Env = env()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s %q: %v\n%s", tt.name, tt.args, err, out)
			}
			for _, w := range tt.want {
				if strings.HasPrefix(w, "/") && strings.HasSuffix(w, "/") {
					if !regexp.MustCompile(w[1 : len(w)-1]).Match(out) {
						t.Errorf("output does not match %s:\n%s", w, out)
					}
				} else if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestHTTPServe runs the httpserve example as a server, fetches through
// it and stops it with SIGINT. (httpserve's own tests check ranges byte
// for byte and drive a browser.)
func TestHTTPServe(t *testing.T) {
	cmd := exec.Command(filepath.Join(binDir, "httpserve"), "-addr", "127.0.0.1:0", srv.URL("ro", nil))
	cmd.Env = env()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	stopper := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer stopper.Stop()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatal("httpserve printed nothing")
	}
	m := regexp.MustCompile(`^serving smb://\S+/ro on (http://\S+/)$`).FindStringSubmatch(lines.Text())
	if m == nil {
		t.Fatalf("httpserve said %q", lines.Text())
	}
	resp, err := http.Get(m[1] + "dir/nested.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != samba.RONestedContent {
		t.Errorf("GET: %d %q", resp.StatusCode, body)
	}
	cmd.Process.Signal(os.Interrupt)
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Errorf("httpserve exit %d after SIGINT, want 0", ee.ExitCode())
		} else {
			t.Error(err)
		}
	}
	if !strings.Contains(string(rest), "stopped") {
		t.Errorf("after SIGINT: %q", rest)
	}
}
