package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tmux runs commands on a terminal of its own (a private tmux server,
// stopped at cleanup) and reads the screen back.
type tmux struct {
	bin    string
	socket string
}

func newTmux(t *testing.T) *tmux {
	bin, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatal("tmux is not installed (scripts/ensure-test-tools.sh installs it)")
	}
	tm := &tmux{bin: bin, socket: fmt.Sprintf("smbfs-test-%d", os.Getpid())}
	t.Cleanup(func() { tm.run("kill-server") })
	return tm
}

func (tm *tmux) run(args ...string) (string, error) {
	out, err := exec.Command(tm.bin, append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// start runs a shell command line in a new 120x30 session; the line
// ends by printing EXIT=<status>.
func (tm *tmux) start(t *testing.T, name, line string) {
	t.Helper()
	script := line + "; echo EXIT=$?; sleep 600"
	if out, err := tm.run("new-session", "-d", "-s", name, "-x", "120", "-y", "30", "sh", "-c", script); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
}

// screen returns what the session shows.
func (tm *tmux) screen(t *testing.T, name string) string {
	out, err := tm.run("capture-pane", "-p", "-t", name)
	if err != nil {
		t.Fatalf("tmux capture-pane: %v: %s", err, out)
	}
	return out
}

// waitFor polls the screen until it matches re, calling each (if not
// nil) with every screen seen; it fails the test after limit.
func (tm *tmux) waitFor(t *testing.T, name string, re *regexp.Regexp, limit time.Duration, each func(string)) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := tm.screen(t, name)
		if each != nil {
			each(s)
		}
		if re.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the screen does not match %v:\n%s", limit, re, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var exitRE = regexp.MustCompile(`(?m)^EXIT=\d+`)

// sh quotes s for sh -c.
func sh(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func TestTerminal(t *testing.T) {
	tm := newTmux(t)
	dir := scratch(t)
	local := t.TempDir()
	// A sparse local file: large enough that the transfer takes many
	// progress intervals, free to make.
	big := filepath.Join(local, "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(384 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	withPW := "SMB_PASSWORD=" + sh(user.Password) + " " + sh(bin)

	t.Run("progress bar", func(t *testing.T) {
		tm.start(t, "bar", withPW+" put "+sh(big)+" "+sh(userURL("private", dir)+"/"))
		// A frame in flight: bar, percentage, bytes done and total, rate, ETA.
		frame := regexp.MustCompile(`big\.bin  \[=*>? *\] +\d+%  +[\d.]+ [KMG]?i?B / 384 MiB  +[\d.]+ [KMG]?i?B/s  ETA \d+:\d\d`)
		var midway string
		screen := tm.waitFor(t, "bar", exitRE, 2*time.Minute, func(s string) {
			if midway == "" && frame.MatchString(s) {
				midway = s
			}
		})
		if !strings.Contains(screen, "EXIT=0") {
			t.Fatalf("put failed:\n%s", screen)
		}
		if midway == "" {
			t.Errorf("no progress frame seen; last screen:\n%s", screen)
		} else {
			t.Logf("midway:\n%s", strings.TrimSpace(midway))
		}
		final := regexp.MustCompile(`(?m)^big\.bin +100%  +384 MiB  +[\d.]+ [KMG]?i?B/s  +\d+:\d\d$`)
		if !final.MatchString(screen) {
			t.Errorf("no final line:\n%s", screen)
		}
		t.Logf("final:\n%s", strings.TrimSpace(screen))
	})

	t.Run("download bar", func(t *testing.T) {
		out := filepath.Join(local, "back.bin")
		tm.start(t, "down", withPW+" get "+sh(userURL("private", dir+"/big.bin"))+" "+sh(out))
		screen := tm.waitFor(t, "down", exitRE, 2*time.Minute, nil)
		if !regexp.MustCompile(`(?m)^back\.bin +100%  +384 MiB `).MatchString(screen) || !strings.Contains(screen, "EXIT=0") {
			t.Errorf("screen:\n%s", screen)
		}
	})

	t.Run("piped output has no bar", func(t *testing.T) {
		tm.start(t, "pipe", withPW+" put "+sh(big)+" "+sh(userURL("private", dir+"/piped.bin"))+" | cat; "+
			withPW+" get "+sh(userURL("private", dir+"/big.bin"))+" - | wc -c")
		screen := tm.waitFor(t, "pipe", exitRE, 2*time.Minute, nil)
		if got := strings.TrimSpace(screen); got != fmt.Sprintf("%d\nEXIT=0", 384<<20) {
			t.Errorf("screen:\n%s", screen)
		}
	})

	t.Run("password prompt", func(t *testing.T) {
		tm.start(t, "pw", "env -u SMB_PASSWORD "+sh(bin)+" ls "+sh(userURL("private", dir)))
		tm.waitFor(t, "pw", regexp.MustCompile(`Password for smbuser@127\.0\.0\.1:`), 30*time.Second, nil)
		if out, err := tm.run("send-keys", "-t", "pw", "-l", user.Password); err != nil {
			t.Fatal(err, out)
		}
		if out, err := tm.run("send-keys", "-t", "pw", "Enter"); err != nil {
			t.Fatal(err, out)
		}
		screen := tm.waitFor(t, "pw", exitRE, 30*time.Second, nil)
		if !strings.Contains(screen, "big.bin\n") || !strings.Contains(screen, "EXIT=0") {
			t.Errorf("screen:\n%s", screen)
		}
		if strings.Contains(screen, user.Password) {
			t.Errorf("the password was echoed:\n%s", screen)
		}
	})
}
