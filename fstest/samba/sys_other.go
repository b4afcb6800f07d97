//go:build !linux

package samba

import "syscall"

// The harness reads /proc and relies on Linux process-group and
// parent-death semantics; elsewhere Start reports errUnsupported.

func daemonAttr() *syscall.SysProcAttr { return nil }

func signalGroup(int, syscall.Signal) error { return errUnsupported }

func signalPID(int, syscall.Signal) error { return errUnsupported }

const supported = false
