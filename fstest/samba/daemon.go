package samba

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Bounds on every wait in Start and Stop.
const (
	// stopGrace is how long a server has to exit after SIGTERM. smbd's
	// parent needs up to ~1.5 s when it has to tear children down.
	stopGrace = 5 * time.Second
	// killGrace is how long the kernel gets to reap after SIGKILL.
	killGrace = 2 * time.Second
	// readyLimit bounds waiting for a server to listen (idle instances are
	// ready in 60-100 ms; parallel CI runs are slower).
	readyLimit = 10 * time.Second
	// toolLimit bounds each short-lived Samba tool (pdbedit, smbstatus).
	toolLimit = 15 * time.Second
)

// daemon is one long-running Samba server process started by the harness.
type daemon struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been reaped
	err  error         // the result of cmd.Wait, valid after done
}

// startDaemon starts path with args in its own process group, its standard
// output and error appended to logPath. extra become descriptors 3, 4, ...
// in the child. The process is not tied to any context: it lives until
// stop, or until the test binary dies (see daemonAttr).
func startDaemon(name, path string, args, env []string, logPath string, extra ...*os.File) (*daemon, error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.ExtraFiles = extra
	cmd.SysProcAttr = daemonAttr()
	err = cmd.Start()
	// The child has its own copy of the descriptor now.
	logf.Close()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	d := &daemon{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()
	return d, nil
}

// pid returns the process id, which is also its process group id.
func (d *daemon) pid() int { return d.cmd.Process.Pid }

// exited reports whether the process has been reaped.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// terminate asks the process to exit.
func (d *daemon) terminate() {
	if !d.exited() {
		_ = signalPID(d.pid(), syscall.SIGTERM) // ESRCH: already gone
	}
}

// finish waits up to stopGrace for the process to exit after terminate,
// then kills its whole process group, so helpers it forked (smbd-notifyd,
// smbd-cleanupd, rpcd_* workers) go too.
func (d *daemon) finish() error {
	var err error
	select {
	case <-d.done:
	case <-time.After(stopGrace):
		err = fmt.Errorf("%s (pid %d) ignored SIGTERM for %v; killed", d.name, d.pid(), stopGrace)
	}
	// The group outlives its leader while members remain; the kernel does
	// not hand out a pid still in use as a process group id, so this
	// reaches only processes this daemon forked.
	_ = signalGroup(d.pid(), syscall.SIGKILL) // ESRCH: nothing left
	select {
	case <-d.done:
	case <-time.After(killGrace):
		return fmt.Errorf("%s (pid %d) survived SIGKILL for %v", d.name, d.pid(), killGrace)
	}
	return err
}

// waitReadySignal waits for samba-dcerpcd to close its --ready-signal-fd
// (the read end r), which it does once its endpoints are set up.
func waitReadySignal(ctx context.Context, r *os.File, d *daemon) error {
	ctx, cancel := context.WithTimeout(ctx, readyLimit)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = r.SetReadDeadline(time.Now()) })
	defer stop()
	_, err := io.Copy(io.Discard, r) // returns at EOF: every writer closed
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("%s not ready after %v: %w", d.name, readyLimit, context.Cause(ctx))
		}
		return err
	}
	if d.exited() {
		return fmt.Errorf("%s exited during startup: %v", d.name, d.err)
	}
	return nil
}
