package main

import "syscall"

// The ioctl requests of tcgetattr and tcsetattr(TCSANOW) on Linux.
const (
	ioctlGetTermios = syscall.TCGETS
	ioctlSetTermios = syscall.TCSETS
)
