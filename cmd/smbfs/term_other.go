//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import (
	"errors"
	"os"
)

// On other systems smbfs does not look for a terminal: no progress bars
// and no password prompt ($SMB_PASSWORD and --password-stdin still work).

func isTerminal(*os.File) bool   { return false }
func terminalWidth(*os.File) int { return 0 }

func openTerminal() (*os.File, error) {
	return nil, errors.New("no terminal support on this system")
}

func disableEcho(*os.File) (func(), error) {
	return nil, errors.New("no terminal support on this system")
}
