package samba

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Stop terminates smbd and samba-dcerpcd (SIGTERM, then SIGKILL after a
// bounded wait), kills any process still running with this instance's
// configuration, and removes the temporary directory unless it is kept.
// Stop is idempotent; later calls return the first call's result.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return s.stopErr
	}
	s.stopped = true
	var errs []error
	daemons := []*daemon{s.smbd, s.rpcd}
	for _, d := range daemons {
		if d != nil {
			d.terminate()
		}
	}
	for _, d := range daemons {
		if d != nil {
			errs = append(errs, d.finish())
		}
	}
	errs = append(errs, killConfigUsers(s.l.conf()))
	s.logs = s.readLogs()
	if !s.keep {
		errs = append(errs, os.RemoveAll(s.l.root))
	}
	s.stopErr = errors.Join(errs...)
	return s.stopErr
}

// killConfigUsers kills every process still running with conf on its
// command line (smbd children, rpcd_* workers, tools) and waits, bounded,
// until none is left.
func killConfigUsers(conf string) error {
	deadline := time.Now().Add(killGrace)
	for {
		pids, err := processesUsingConfig(conf)
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes still running with %s after SIGKILL: %v", conf, pids)
		}
		for _, pid := range pids {
			_ = signalPID(pid, syscall.SIGKILL) // ESRCH: it just exited
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Keep makes Stop leave the temporary directory (configuration, logs and
// share contents) in place.
func (s *Server) Keep() {
	s.mu.Lock()
	s.keep = true
	s.mu.Unlock()
}
