package addc

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// supported reports whether this platform can run the DC.
const supported = true

// daemonAttr puts samba in its own process group and asks the kernel to
// send it SIGTERM if the test binary dies without calling Stop; samba then
// stops its children. (Pdeathsig fires when the creating OS thread exits;
// the Go runtime only ends threads of goroutines that exit while locked to
// them, which the harness never does. The setting survives the exec chain
// unshare → sh → samba, none of which is set-user-ID.)
func daemonAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// toolAttr puts a tool in its own process group so a timeout can kill
// whatever it started.
func toolAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup sends SIGKILL to a process group.
func killGroup(pgid int) error { return syscall.Kill(-pgid, syscall.SIGKILL) }

// signal sends sig to one process; a process that is already gone is not
// an error.
func signal(pid int, sig syscall.Signal) error {
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// netnsOf returns the network namespace of a process as the kernel names
// it ("net:[4026532281]"), or "" when the process is gone.
func netnsOf(pid int) string {
	s, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "ns", "net"))
	if err != nil {
		return ""
	}
	return s
}

// processesInNetns lists the processes whose network namespace is ns and
// whose mount table mentions marker (the DC's directory, which its bind
// mounts come from). The second test keeps a namespace identifier the
// kernel has since reused from leading to someone else's processes.
func processesInNetns(ns, marker string) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if netnsOf(pid) == ns && mountsMention(pid, marker) {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// startTime returns a process's start time in clock ticks since boot
// (field 22 of /proc/<pid>/stat), which with the pid identifies a process
// across pid reuse; 0 when the process is gone.
func startTime(pid int) uint64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may contain spaces;
	// count fields after its closing parenthesis.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 {
		return 0
	}
	n, _ := strconv.ParseUint(f[19], 10, 64)
	return n
}

// mountsMention reports whether the mount table of a process mentions s.
func mountsMention(pid int, s string) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "mountinfo"))
	return err == nil && strings.Contains(string(b), s)
}
