//go:build !linux

package addc

import (
	"errors"
	"syscall"
)

// supported reports whether this platform can run the DC: network and
// mount namespaces are Linux features.
const supported = false

func daemonAttr() *syscall.SysProcAttr { return nil }

func toolAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) error { return errors.ErrUnsupported }

func signal(int, syscall.Signal) error { return errors.ErrUnsupported }

func netnsOf(int) string { return "" }

func processesInNetns(string, string) ([]int, error) { return nil, errors.ErrUnsupported }

func startTime(int) uint64 { return 0 }
