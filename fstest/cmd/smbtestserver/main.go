// Command smbtestserver runs a private Samba instance (one of the
// fstest/samba presets) around a command, or until interrupted.
//
// Usage:
//
//	smbtestserver [-preset main|signing|encrypt|smallio|smb1] [-print-env] [-- command args...]
//
// With a command, the command runs with the server described in its
// environment (SMBFS_TEST_ADDR, SMBFS_TEST_URL, SMBFS_TEST_USER_URL,
// SMBFS_TEST_SHARE_DIR, SMBFS_TEST_PRESET) and standard input and output
// inherited; the server stops when the command ends, and smbtestserver
// exits with the command's status. SIGINT and SIGTERM are passed on to
// the command. Without a command, the server's URLs are printed and it
// runs until SIGINT or SIGTERM.
//
// -print-env prints the variables as shell "export" lines on standard
// output before anything else.
//
// It needs root and Samba (scripts/ensure-samba.sh).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/smbfs/smbfs/fstest/samba"
)

// Exit statuses of smbtestserver itself (a command's own status is passed
// through).
const (
	exitServer   = 1   // the server could not start or stop cleanly
	exitUsage    = 2   // bad flags
	exitNotFound = 127 // the command could not be started (as in sh)
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("smbtestserver", flag.ContinueOnError)
	flags.SetOutput(stderr)
	preset := flags.String("preset", "main", "server preset: "+strings.Join(samba.PresetNames(), ", "))
	printEnv := flags.Bool("print-env", false, "print the SMBFS_TEST_* variables as shell export lines")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: smbtestserver [-preset name] [-print-env] [-- command args...]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	cfg, err := samba.Preset(*preset)
	if err != nil {
		fmt.Fprintln(stderr, "smbtestserver:", err)
		return exitUsage
	}

	// Listen for signals before starting anything, so that none is lost
	// between starting smbd and waiting.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	start := time.Now()
	srv, err := samba.Start(ctx, cfg)
	cancel()
	if err != nil {
		fmt.Fprintln(stderr, "smbtestserver:", err)
		return exitServer
	}
	if *printEnv {
		for _, kv := range srv.Env() {
			k, v, _ := strings.Cut(kv, "=")
			fmt.Fprintf(stdout, "export %s=%s\n", k, shellQuote(v))
		}
	}

	status := 0
	if command := flags.Args(); len(command) > 0 {
		status = runCommand(command, srv.Env(), sigs, stderr)
	} else {
		describe(stderr, srv, time.Since(start))
		sig := <-sigs
		fmt.Fprintf(stderr, "smbtestserver: %v, stopping\n", sig)
	}
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(stderr, "smbtestserver: stop:", err)
		if status == 0 {
			status = exitServer
		}
	}
	return status
}

// runCommand runs command with extra environment variables and inherited
// standard streams, passes signals on, and returns its exit status in the
// shell's convention (128+n when killed by signal n).
func runCommand(command, env []string, sigs <-chan os.Signal, stderr io.Writer) int {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "smbtestserver:", err)
		return exitNotFound
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			return exitStatus(err)
		case sig := <-sigs:
			// From a terminal the command got SIGINT already (same
			// process group); a signal sent to smbtestserver alone must
			// reach it too.
			_ = cmd.Process.Signal(sig)
		}
	}
}

// exitStatus converts the result of exec.Cmd.Wait to a shell exit status.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return exitServer
}

// describe prints what a person needs to use the running server.
func describe(w io.Writer, srv *samba.Server, took time.Duration) {
	fmt.Fprintf(w, "smbtestserver: preset %s on %s, ready in %v (dir %s)\n", srv.Name(), srv.Addr(), took.Round(time.Millisecond), srv.Dir())
	users := srv.Users()
	for _, share := range srv.Shares() {
		fmt.Fprintf(w, "  %-8s %s\n", share, srv.URL(share, nil))
		for i := range users {
			fmt.Fprintf(w, "  %-8s %s\n", "", srv.URL(share, &users[i]))
		}
		fmt.Fprintf(w, "  %-8s %s\n", "", srv.SharePath(share))
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
