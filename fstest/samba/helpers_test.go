package samba

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// smbclientResult is what one smbclient run printed and whether it
// succeeded.
type smbclientResult struct {
	out string
	err error
}

func (r smbclientResult) String() string {
	return strings.TrimSpace(r.out) + " (exit: " + errString(r.err) + ")"
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// smbclient runs smbclient against srv (see Server.Smbclient), bounded.
func smbclient(t *testing.T, srv *Server, share string, user *User, args ...string) smbclientResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd, err := srv.Smbclient(ctx, share, user, args...)
	if err != nil {
		t.Fatalf("smbclient: %v", err)
	}
	out, err := cmd.CombinedOutput()
	return smbclientResult{out: string(out), err: err}
}

// mustSucceed fails the test unless r succeeded.
func mustSucceed(t *testing.T, what string, r smbclientResult) {
	t.Helper()
	if r.err != nil {
		t.Errorf("%s: want success, got %s", what, r)
	}
}

// mustFailWith fails the test unless r failed and printed status.
func mustFailWith(t *testing.T, what string, r smbclientResult, status string) {
	t.Helper()
	if r.err == nil || !strings.Contains(r.out, status) {
		t.Errorf("%s: want failure with %s, got %s", what, status, r)
	}
}

// roundTrip puts a file with content into share as user, gets it back and
// compares; it returns the file's path on disk.
func roundTrip(t *testing.T, srv *Server, share string, user *User, content []byte, extra ...string) string {
	t.Helper()
	local := t.TempDir()
	up := filepath.Join(local, "up.bin")
	down := filepath.Join(local, "down.bin")
	if err := os.WriteFile(up, content, 0o644); err != nil {
		t.Fatal(err)
	}
	name := "rt-" + strings.ReplaceAll(t.Name(), "/", "_") + ".bin"
	args := append(append([]string(nil), extra...), "-c", "put "+up+" "+name+"; get "+name+" "+down)
	r := smbclient(t, srv, share, user, args...)
	if r.err != nil {
		t.Fatalf("put/get on %s: %s", share, r)
	}
	got, err := os.ReadFile(down)
	if err != nil {
		t.Fatalf("put/get on %s: %v", share, err)
	}
	if !bytes.Equal(got, content) {
		t.Fatalf("put/get on %s: got %d bytes back, want %d identical", share, len(got), len(content))
	}
	return filepath.Join(srv.SharePath(share), name)
}

// ownerUID returns the uid owning path on disk.
func ownerUID(t *testing.T, path string) uint32 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Uid
}

// heldSession is an interactive smbclient kept connected so that the
// server's view of the session can be inspected.
type heldSession struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *lockedBuffer
	once  sync.Once
}

// holdSession connects smbclient and waits until the server lists the
// session and tree connect of that very smbclient process (matched by its TCP port, since
// parallel tests open sessions on the same server). The session ends at
// test cleanup or at close.
func holdSession(t *testing.T, srv *Server, share string, user *User, extra ...string) (*heldSession, Session) {
	t.Helper()
	cmd, err := srv.Smbclient(t.Context(), share, user, extra...)
	if err != nil {
		t.Fatal(err)
	}
	h := &heldSession{cmd: cmd, out: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = h.out, h.out
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.close)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		st, err := srv.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, port := range localPorts(t, cmd.Process.Pid) {
			// A session is listed while authentication is still in
			// progress; its tree connect shows that setup finished.
			se, ok := st.SessionFor(net.JoinHostPort(loopback, strconv.Itoa(port)))
			if ok && hasTcon(st, se.ID, share) {
				return h, se
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.close()
	t.Fatalf("no session showed up for smbclient //%s/%s; it printed: %s", srv.Addr(), share, h.out.String())
	return nil, Session{}
}

func hasTcon(st *Status, sessionID, share string) bool {
	for _, tc := range st.Tcons {
		if tc.SessionID == sessionID && strings.EqualFold(tc.Service, share) {
			return true
		}
	}
	return false
}

// localPorts returns the local ports of the TCP sockets process pid holds.
func localPorts(t *testing.T, pid int) []int {
	t.Helper()
	fdDir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		return nil // not started yet, or gone
	}
	held := map[uint64]bool{}
	for _, fd := range fds {
		if link, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil {
			if in, ok := socketInode(link); ok {
				held[in] = true
			}
		}
	}
	socks, err := tcpSockets()
	if err != nil {
		t.Fatal(err)
	}
	var ports []int
	for _, s := range socks {
		if held[s.Inode] {
			ports = append(ports, int(s.Local.Port()))
		}
	}
	return ports
}

// close ends the smbclient (end of input makes it quit) and reaps it,
// killing it if it lingers (for example after its server went away).
func (h *heldSession) close() {
	h.once.Do(func() {
		h.stdin.Close()
		done := make(chan struct{})
		go func() { _ = h.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = h.cmd.Process.Kill()
			<-done
		}
	})
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// processesMatching returns pids whose command line contains substr.
func processesMatching(t *testing.T, substr string) []int {
	t.Helper()
	all, err := pids()
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, pid := range all {
		data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if err == nil && bytes.Contains(data, []byte(substr)) && pid != os.Getpid() {
			out = append(out, pid)
		}
	}
	return out
}
