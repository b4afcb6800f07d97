package samba

import "syscall"

// daemonAttr puts a server process in its own process group, so that Stop
// can signal the process and every helper it forked at once, and asks the
// kernel to send it SIGTERM when the test binary dies without calling
// Stop. (Pdeathsig fires when the creating OS thread exits; the Go runtime
// only ends threads of goroutines that exit while locked to them, which
// the harness never does.)
func daemonAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// signalGroup sends sig to every process in the process group pgid.
func signalGroup(pgid int, sig syscall.Signal) error {
	return syscall.Kill(-pgid, sig)
}

// signalPID sends sig to one process.
func signalPID(pid int, sig syscall.Signal) error {
	return syscall.Kill(pid, sig)
}

const supported = true
