//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// isTerminal reports whether f is a terminal (tcgetattr succeeds), the
// test isatty(3) makes.
func isTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	_, err := getTermios(f.Fd())
	return err == nil
}

// terminalWidth returns the number of columns of the terminal f, or 0.
func terminalWidth(f *os.File) int {
	var ws struct{ row, col, x, y uint16 }
	if err := ioctl(f.Fd(), syscall.TIOCGWINSZ, unsafe.Pointer(&ws)); err != nil {
		return 0
	}
	return int(ws.col)
}

// openTerminal opens the controlling terminal, as password prompts do,
// so that a prompt works even when standard input or output is a pipe.
func openTerminal() (*os.File, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	if !isTerminal(tty) {
		tty.Close()
		return nil, errors.New("/dev/tty is not a terminal")
	}
	return tty, nil
}

// disableEcho turns echo off on the terminal f (keeping the newline echo
// off too, and canonical line editing on) and returns the function that
// restores it.
func disableEcho(f *os.File) (restore func(), err error) {
	fd := f.Fd()
	old, err := getTermios(fd)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= syscall.ECHO | syscall.ECHOE | syscall.ECHOK | syscall.ECHONL
	t.Lflag |= syscall.ICANON | syscall.ISIG
	if err := setTermios(fd, &t); err != nil {
		return nil, err
	}
	return func() { _ = setTermios(fd, old) }, nil
}

func getTermios(fd uintptr) (*syscall.Termios, error) {
	var t syscall.Termios
	if err := ioctl(fd, ioctlGetTermios, unsafe.Pointer(&t)); err != nil {
		return nil, err
	}
	return &t, nil
}

func setTermios(fd uintptr, t *syscall.Termios) error {
	return ioctl(fd, ioctlSetTermios, unsafe.Pointer(t))
}

func ioctl(fd uintptr, req uint, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(req), uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}
