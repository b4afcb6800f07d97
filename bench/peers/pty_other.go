//go:build !linux

package peers

import (
	"errors"
	"os"
	"syscall"
)

func openPTY() (master, slave *os.File, err error) {
	return nil, nil, errors.New("pty: the smbclient driver runs on Linux only")
}

func terminalAttr() *syscall.SysProcAttr { return nil }
