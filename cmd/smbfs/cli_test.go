package main

import (
	"bufio"
	"bytes"
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

func TestUsageAndHelp(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring ("" : must be empty)
		stderr string // substring ("" : must be empty)
	}{
		{"no command", nil, 2, "", "usage: smbfs"},
		{"help", []string{"help"}, 0, "Commands:", ""},
		{"--help", []string{"--help"}, 0, "Commands:", ""},
		{"help ls", []string{"help", "ls"}, 0, "usage: smbfs ls [-l] [-R] URL...", ""},
		{"ls -h", []string{"ls", "-h"}, 0, "usage: smbfs ls", ""},
		{"get --help", []string{"get", "--help"}, 0, "progress bar", ""},
		{"help unknown", []string{"help", "frob"}, 2, "", `unknown command "frob"`},
		{"unknown command", []string{"frob"}, 2, "", `smbfs: unknown command "frob"`},
		{"unknown flag", []string{"ls", "-x", guestURL("ro", "")}, 2, "", "smbfs ls: unknown flag -x"},
		{"unknown global flag", []string{"--frob", "ls"}, 2, "", "unknown flag --frob"},
		{"unknown long flag", []string{"ls", "--frob=1", guestURL("ro", "")}, 2, "", "smbfs ls: unknown flag --frob\n"},
		{"global flag missing its value", []string{"--server-name"}, 2, "", "flag needs an argument: -server-name"},
		{"kerberos by address without a name", []string{"--kerberos", "ls", "smb://127.0.0.1:1/s"}, 1, "", "add --server-name HOST"},
		{"missing args", []string{"get"}, 2, "", "usage: smbfs get"},
		{"too many", []string{"shares", "smb://a", "smb://b"}, 2, "", "too many arguments"},
		{"bad URL", []string{"ls", "smb://host:99999/s"}, 2, "", "bad port"},
		{"put to local", []string{"put", "a", "b"}, 2, "", "is not a smb:// URL"},
		{"get to remote", []string{"get", guestURL("ro", "hello.txt"), guestURL("public", "x")}, 2, "", "use put"},
		{"cp local", []string{"cp", "a", "b"}, 2, "", "use cp(1)"},
		{"version", []string{"--version"}, 0, "smbfs ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := smbfsRun(t, runOpts{}, tt.args...)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, tt.code, res.stderr)
			}
			check := func(what, got, want string) {
				if want == "" && got != "" || !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", what, got, want)
				}
			}
			check("stdout", res.stdout, tt.stdout)
			check("stderr", res.stderr, tt.stderr)
		})
	}
	// Every command has help, and it names its synopsis.
	for _, c := range commands() {
		res := ok(t, "help", c.name)
		if !strings.Contains(res.stdout, "usage: smbfs "+c.name+" "+c.args) {
			t.Errorf("help %s: %q", c.name, res.stdout)
		}
	}
}

func TestListReadStat(t *testing.T) {
	ro := func(p string) string { return guestURL("ro", p) }
	t.Run("ls", func(t *testing.T) {
		if got := ok(t, "ls", ro("")).stdout; got != "dir/\nhello.txt\n" {
			t.Errorf("ls = %q", got)
		}
	})
	t.Run("ls file", func(t *testing.T) {
		if got := ok(t, "ls", ro("hello.txt")).stdout; got != "hello.txt\n" {
			t.Errorf("ls = %q", got)
		}
	})
	t.Run("ls -l", func(t *testing.T) {
		got := ok(t, "ls", "-l", ro("")).stdout
		want := regexp.MustCompile(`^drwxrwxrwx +0  \d{4}-\d\d-\d\d \d\d:\d\d  dir/\n-r[w-]-r[w-]-r[w-]- +31  \d{4}-\d\d-\d\d \d\d:\d\d  hello.txt\n$`)
		if !want.MatchString(got) {
			t.Errorf("ls -l = %q", got)
		}
	})
	t.Run("ls -R", func(t *testing.T) {
		got := ok(t, "ls", ro(""), "-R").stdout // flags after arguments work too
		want := ro("") + ":\ndir/\nhello.txt\n\n" + ro("dir") + ":\nnested.txt\n"
		if got != want {
			t.Errorf("ls -R = %q, want %q", got, want)
		}
	})
	t.Run("ls -lR bundled", func(t *testing.T) {
		got := ok(t, "ls", "-lR", ro("")).stdout
		for _, want := range []string{ro("") + ":\n", ro("dir") + ":\n", "nested.txt\n", "35  "} {
			if !strings.Contains(got, want) {
				t.Errorf("ls -lR lacks %q:\n%s", want, got)
			}
		}
	})
	t.Run("ls missing", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "ls", ro("missing"))
		want := "smbfs: ls " + ro("missing") + ": no such file or directory\n"
		if res.code != 1 || res.stderr != want || res.stdout != "" {
			t.Errorf("exit %d, stderr %q, stdout %q; want 1, %q", res.code, res.stderr, res.stdout, want)
		}
	})
	t.Run("ls some missing", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "ls", ro("missing"), ro("dir"))
		if res.code != 1 || !strings.Contains(res.stdout, "nested.txt") || !strings.Contains(res.stderr, "no such file") {
			t.Errorf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
	})
	t.Run("ls server lists shares", func(t *testing.T) {
		got := ok(t, "ls", "smb://"+srv.Addr()).stdout
		for _, s := range []string{"public", "private", "ro", "IPC$"} {
			if !strings.Contains(got, s) {
				t.Errorf("ls smb://host lacks %s:\n%s", s, got)
			}
		}
	})
	t.Run("cat", func(t *testing.T) {
		got := ok(t, "cat", ro("hello.txt"), ro("dir/nested.txt")).stdout
		if want := samba.ROFileContent + samba.RONestedContent; got != want {
			t.Errorf("cat = %q, want %q", got, want)
		}
	})
	t.Run("cat directory", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "cat", ro("dir"))
		if res.code != 1 || res.stderr != "smbfs: cat "+ro("dir")+": is a directory\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("stat", func(t *testing.T) {
		got := ok(t, "stat", ro("hello.txt")).stdout
		for _, want := range []string{"File: " + ro("hello.txt"), "Type: regular file", "Size: 31 (31 B)", "Modified: ", "Created: ", "Attributes: "} {
			if !strings.Contains(got, want) {
				t.Errorf("stat lacks %q:\n%s", want, got)
			}
		}
	})
	t.Run("shares", func(t *testing.T) {
		got := ok(t, "shares", "smb://"+srv.Addr()).stdout
		want := regexp.MustCompile(`(?m)^ro +disk +read only, guest ok$`)
		if !strings.HasPrefix(got, "NAME") || !want.MatchString(got) {
			t.Errorf("shares:\n%s", got)
		}
	})
	t.Run("df", func(t *testing.T) {
		got := ok(t, "df", "-b", ro("")).stdout
		total, err := diskTotal(srv.SharePath("ro"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(got), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], "Avail") {
			t.Fatalf("df:\n%s", got)
		}
		f := strings.Fields(lines[1])
		// Samba reports in its own units: agree within 1 %.
		if n := parseUint(t, f[0]); n < total/100*99 || n > total/100*101 {
			t.Errorf("df size %d, statfs %d", n, total)
		}
		if f[4] != ro("") {
			t.Errorf("df share column %q", f[4])
		}
		// One target fails, one works: the error on stderr, the header
		// once above the one row, exit 1; none works: no header at all.
		res := smbfsRun(t, runOpts{}, "df", ro("no-such-dir"), ro(""))
		lines = strings.Split(strings.TrimSpace(res.stdout), "\n")
		if res.code != 1 || len(lines) != 2 || !strings.Contains(lines[0], "Avail") || !strings.Contains(res.stderr, "df "+ro("no-such-dir")) {
			t.Errorf("df with a bad target: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
		res = smbfsRun(t, runOpts{}, "df", ro("no-such-dir"))
		if res.code != 1 || res.stdout != "" {
			t.Errorf("df of a bad target only: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
	})
}

func parseUint(t *testing.T, s string) uint64 {
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

func TestPutGet(t *testing.T) {
	dir := scratch(t)
	local := t.TempDir()
	data := randomFile(t, local, "big.bin", 5<<20+123)
	randomFile(t, local, "tree/a.txt", 10)
	randomFile(t, local, "tree/sub/b.bin", 70000)
	randomFile(t, local, "tree/sub/deeper/c.bin", 0)
	url := func(p string) string { return userURL("private", dir+"/"+p) }

	t.Run("put file into directory", func(t *testing.T) {
		res := ok(t, "put", filepath.Join(local, "big.bin"), url("")+"/")
		if res.stdout != "" || res.stderr != "" {
			t.Errorf("piped put printed stdout %q, stderr %q (want silence: no progress bar)", res.stdout, res.stderr)
		}
		sameFile(t, onDisk(dir+"/big.bin"), data)
	})
	t.Run("put file as name", func(t *testing.T) {
		ok(t, "put", filepath.Join(local, "big.bin"), url("renamed.bin"))
		sameFile(t, onDisk(dir+"/renamed.bin"), data)
	})
	t.Run("put stdin", func(t *testing.T) {
		res := smbfsRun(t, runOpts{stdin: strings.NewReader("from stdin\n")}, "put", "-", url("stdin.txt"))
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		sameFile(t, onDisk(dir+"/stdin.txt"), []byte("from stdin\n"))
	})
	t.Run("get file", func(t *testing.T) {
		out := t.TempDir()
		res := smbfsRun(t, runOpts{dir: out}, "get", url("big.bin"))
		if res.code != 0 || res.stderr != "" {
			t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
		}
		sameFile(t, filepath.Join(out, "big.bin"), data)
		ok(t, "get", url("big.bin"), filepath.Join(out, "other.bin"))
		sameFile(t, filepath.Join(out, "other.bin"), data)
	})
	t.Run("get stdout", func(t *testing.T) {
		if got := ok(t, "get", url("stdin.txt"), "-").stdout; got != "from stdin\n" {
			t.Errorf("get - = %q", got)
		}
	})
	t.Run("put -r", func(t *testing.T) {
		ok(t, "put", "-r", "-p", filepath.Join(local, "tree"), url(""))
		sameTree(t, filepath.Join(local, "tree"), onDisk(dir+"/tree"))
		// -p: the modification time came along.
		want, _ := os.Stat(filepath.Join(local, "tree/sub/b.bin"))
		got, _ := os.Stat(onDisk(dir + "/tree/sub/b.bin"))
		if d := got.ModTime().Sub(want.ModTime()); d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("mtime %v, want %v", got.ModTime(), want.ModTime())
		}
	})
	t.Run("get -r", func(t *testing.T) {
		out := t.TempDir()
		ok(t, "get", "-r", url("tree"), filepath.Join(out, "copy"))
		sameTree(t, filepath.Join(local, "tree"), filepath.Join(out, "copy"))
		// Into an existing directory: the copy keeps its name.
		ok(t, "get", "-r", url("tree"), out)
		sameTree(t, filepath.Join(local, "tree"), filepath.Join(out, "tree"))
	})
	t.Run("get directory without -r", func(t *testing.T) {
		res := smbfsRun(t, runOpts{dir: t.TempDir()}, "get", url("tree"))
		if res.code != 1 || res.stderr != "smbfs: get "+url("tree")+": is a directory (use -r)\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("get missing leaves nothing", func(t *testing.T) {
		out := t.TempDir()
		res := smbfsRun(t, runOpts{dir: out}, "get", url("nope.bin"))
		if res.code != 1 || !strings.Contains(res.stderr, "nope.bin: no such file or directory") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		if ents, _ := os.ReadDir(out); len(ents) != 0 {
			t.Errorf("left %v", ents)
		}
	})
	t.Run("put to read-only share", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "put", filepath.Join(local, "tree/a.txt"), guestURL("ro", "a.txt"))
		if res.code != 1 || res.stderr != "smbfs: put "+guestURL("ro", "a.txt")+": permission denied\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("put several into a file", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "put", filepath.Join(local, "big.bin"), filepath.Join(local, "tree/a.txt"), url("big.bin"))
		if res.code != 1 || !strings.Contains(res.stderr, "not a directory") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("missing local file", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "put", filepath.Join(local, "nope"), url(""))
		want := "smbfs: put " + filepath.Join(local, "nope") + ": no such file or directory\n"
		if res.code != 1 || res.stderr != want {
			t.Errorf("exit %d, stderr %q, want %q", res.code, res.stderr, want)
		}
	})
}

func TestCopyMoveRemove(t *testing.T) {
	dir := scratch(t)
	local := t.TempDir()
	data := randomFile(t, local, "f.bin", 3<<20)
	randomFile(t, local, "tree/x/y.txt", 100)
	url := func(p string) string { return userURL("private", dir+"/"+p) }
	ok(t, "put", filepath.Join(local, "f.bin"), url("f.bin"))
	ok(t, "put", "-r", filepath.Join(local, "tree"), url("tree"))

	t.Run("cp file", func(t *testing.T) {
		ok(t, "cp", url("f.bin"), url("g.bin"))
		sameFile(t, onDisk(dir+"/g.bin"), data)
	})
	t.Run("cp across shares", func(t *testing.T) {
		name := "cli-cp-" + dir + ".bin"
		t.Cleanup(func() { os.Remove(filepath.Join(srv.SharePath("public"), name)) })
		ok(t, "cp", url("f.bin"), guestURL("public", name))
		sameFile(t, filepath.Join(srv.SharePath("public"), name), data)
	})
	t.Run("cp -r", func(t *testing.T) {
		ok(t, "cp", "-r", url("tree"), url("tree2"))
		sameTree(t, filepath.Join(local, "tree"), onDisk(dir+"/tree2"))
	})
	t.Run("cp -r into itself", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "cp", "-r", url("tree"), url("tree/x"))
		if res.code != 1 || !strings.Contains(res.stderr, "into itself") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("mv into directory", func(t *testing.T) {
		ok(t, "mv", url("g.bin"), url("tree2/"))
		sameFile(t, onDisk(dir+"/tree2/g.bin"), data)
		if fileExists(onDisk(dir + "/g.bin")) {
			t.Error("g.bin still there")
		}
	})
	t.Run("mv rename", func(t *testing.T) {
		ok(t, "mv", url("tree2"), url("tree3"))
		sameFile(t, onDisk(dir+"/tree3/g.bin"), data)
	})
	t.Run("mv across shares", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "mv", url("f.bin"), guestURL("public", "f.bin"))
		if res.code != 1 || !strings.Contains(res.stderr, "cannot move across shares") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("mkdir", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "mkdir", url("a/b/c"))
		if res.code != 1 || res.stderr != "smbfs: mkdir "+url("a/b/c")+": no such file or directory\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		ok(t, "mkdir", "-p", url("a/b/c"))
		ok(t, "mkdir", "-p", url("a/b/c"))
		if fi, err := os.Stat(onDisk(dir + "/a/b/c")); err != nil || !fi.IsDir() {
			t.Errorf("a/b/c: %v", err)
		}
		res = smbfsRun(t, runOpts{}, "mkdir", url("a"))
		if res.code != 1 || res.stderr != "smbfs: mkdir "+url("a")+": file exists\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("rm", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "rm", url("tree3"))
		if res.code != 1 || !strings.Contains(res.stderr, "tree3: is a directory (use -r") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		res = smbfsRun(t, runOpts{}, "rm", "-d", url("a"))
		if res.code != 1 || !strings.HasSuffix(res.stderr, ": directory not empty\n") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		ok(t, "rm", "-d", url("a/b/c"))
		ok(t, "rm", "-r", url("tree3"), url("a"))
		ok(t, "rm", url("f.bin"))
		for _, p := range []string{"tree3", "a", "f.bin"} {
			if fileExists(onDisk(dir + "/" + p)) {
				t.Errorf("%s still there", p)
			}
		}
		res = smbfsRun(t, runOpts{}, "rm", url("f.bin"))
		if res.code != 1 || !strings.Contains(res.stderr, "no such file or directory") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		ok(t, "rm", "-f", url("f.bin"))
		res = smbfsRun(t, runOpts{}, "rm", "-r", userURL("private", ""))
		if res.code != 1 || !strings.Contains(res.stderr, "refusing to remove the root of a share") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
}

func TestPasswords(t *testing.T) {
	target := userURL("private", "")
	t.Run("no password and no terminal", func(t *testing.T) {
		res := smbfsRun(t, runOpts{noPass: true, stdin: strings.NewReader("")}, "ls", target)
		if res.code != 1 || !strings.Contains(res.stderr, "no password for smbuser@127.0.0.1: set SMB_PASSWORD") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("password-stdin", func(t *testing.T) {
		for _, args := range [][]string{{"--password-stdin", "ls", target}, {"ls", "--password-stdin", target}} {
			res := smbfsRun(t, runOpts{noPass: true, stdin: strings.NewReader(user.Password + "\n")}, args...)
			if res.code != 0 || res.stderr != "" {
				t.Errorf("%q: exit %d, stderr %q", args, res.code, res.stderr)
			}
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		res := smbfsRun(t, runOpts{noPass: true, stdin: strings.NewReader("wrong\n")}, "ls", "--password-stdin", target)
		if res.code != 1 || !strings.Contains(res.stderr, `login failed as "smbuser"`) {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("password in URL warns", func(t *testing.T) {
		u := srv.URL("private", &user)
		res := smbfsRun(t, runOpts{noPass: true}, "ls", u)
		if res.code != 0 || !strings.Contains(res.stderr, "warning: a password in the URL") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		if strings.Contains(res.stderr+res.stdout, user.Password) {
			t.Error("the password was printed")
		}
	})
	t.Run("stdin for data and password", func(t *testing.T) {
		res := smbfsRun(t, runOpts{noPass: true, stdin: strings.NewReader("x\n")}, "put", "--password-stdin", "-", userURL("private", "x"))
		if res.code != 2 || !strings.Contains(res.stderr, "cannot carry both") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("no such share", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "ls", userURL("nosuch", ""))
		if res.code != 1 || res.stderr != "smbfs: mount "+userURL("nosuch", "")+": no such share\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		res := smbfsRun(t, runOpts{}, "ls", "smb://127.0.0.1:1/x")
		if res.code != 1 || res.stderr != "smbfs: connect smb://127.0.0.1:1: connection refused\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
}

func TestServe(t *testing.T) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", guestURL("ro", ""))
	cmd.Env = baseEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stderr)
	base := ""
	deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		if m := regexp.MustCompile(`at (http://\S+/) `).FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatal("serve printed no address")
	}
	go io.Copy(io.Discard, stderr)
	get := func(path, rng string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	if resp, body := get("", ""); resp.StatusCode != 200 || !strings.Contains(body, `<a href="hello.txt">hello.txt</a>`) {
		t.Errorf("listing: %d %q", resp.StatusCode, body)
	}
	if resp, body := get("dir/nested.txt", ""); resp.StatusCode != 200 || body != samba.RONestedContent {
		t.Errorf("file: %d %q", resp.StatusCode, body)
	}
	if resp, body := get("hello.txt", "bytes=6-9"); resp.StatusCode != 206 || body != samba.ROFileContent[6:10] {
		t.Errorf("range: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get("missing", ""); resp.StatusCode != 404 {
		t.Errorf("missing: %d", resp.StatusCode)
	}
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	if err != nil {
		t.Errorf("serve after SIGINT: %v (want exit 0)", err)
	}
}

func TestWatch(t *testing.T) {
	dir := scratch(t)
	cmd := exec.Command(bin, "watch", "-n", "2", userURL("private", dir))
	cmd.Env = append(baseEnv(), "SMB_PASSWORD="+user.Password)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	sc := bufio.NewScanner(stderr)
	if !sc.Scan() || !strings.Contains(sc.Text(), "watching") {
		t.Fatalf("watch said %q", sc.Text())
	}
	go io.Copy(io.Discard, stderr)
	ok(t, "mkdir", userURL("private", dir+"/new"))
	ok(t, "put", "-", userURL("private", dir+"/new.txt"))
	if err := cmd.Wait(); err != nil {
		t.Fatalf("watch: %v; stdout %q", err, stdout.String())
	}
	got := stdout.String()
	want := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ CREATE +new$`)
	if !want.MatchString(got) || strings.Count(got, "\n") != 2 {
		t.Errorf("watch printed %q", got)
	}
}

func TestBench(t *testing.T) {
	dir := scratch(t)
	got := ok(t, "bench", "-size", "3MiB", "-n", "2", "-files", "20", userURL("private", dir)).stdout
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^run 1: upload [\d.]+ [KMG]iB/s \(.*\), download [\d.]+ [KMG]iB/s \(.*\), verified$`),
		regexp.MustCompile(`(?m)^run 2: `),
		regexp.MustCompile(`(?m)^best: upload [\d.]+ [KMG]iB/s, download [\d.]+ [KMG]iB/s$`),
		regexp.MustCompile(`(?m)^20 files of 16.0 KiB, one batch per step: write \d+/s stat \d+/s read \d+/s remove \d+/s$`),
	} {
		if !want.MatchString(got) {
			t.Errorf("bench output lacks %v:\n%s", want, got)
		}
	}
	if ents, _ := os.ReadDir(onDisk(dir)); len(ents) != 0 {
		t.Errorf("bench left %v", ents)
	}
}

// sameFile fails unless the file at p holds want.
func sameFile(t *testing.T, p string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes differ from the %d expected", p, len(got), len(want))
	}
}

// sameTree fails unless the directories hold the same files.
func sameTree(t *testing.T, want, got string) {
	t.Helper()
	list := func(root string) map[string]string {
		m := map[string]string{}
		filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			if fi.IsDir() {
				m[rel] = "dir"
			} else {
				b, _ := os.ReadFile(p)
				m[rel] = string(b)
			}
			return nil
		})
		return m
	}
	w, g := list(want), list(got)
	if len(w) != len(g) {
		t.Fatalf("tree %s has %d entries, %s has %d", want, len(w), got, len(g))
	}
	for k, v := range w {
		if g[k] != v {
			t.Errorf("%s differs between %s and %s", k, want, got)
		}
	}
}
