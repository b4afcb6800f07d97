//go:build darwin || freebsd || netbsd || openbsd

package main

import "syscall"

// The ioctl requests of tcgetattr and tcsetattr(TCSANOW) on the BSDs.
const (
	ioctlGetTermios = syscall.TIOCGETA
	ioctlSetTermios = syscall.TIOCSETA
)
