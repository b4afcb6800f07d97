package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/smbfs/smbfs"
)

// Exit statuses, as a shell user expects them.
const (
	exitOK          = 0
	exitFailure     = 1   // an operation failed
	exitUsage       = 2   // bad flags or arguments
	exitInterrupted = 130 // SIGINT or SIGTERM (128 + SIGINT, as shells report it)
)

// app is one run of the command: its standard streams, its environment,
// the global settings and the connections it opened.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	passwordStdin bool   // --password-stdin
	debug         bool   // --debug: full error chains and the client's log
	kerberos      bool   // --kerberos: log in with Kerberos, the ambient ccache
	serverName    string // --server-name: the server's host name (for the SPN)

	creds    *credentials
	sessions *sessions
	failures int // operations that failed and were reported already
}

// newApp returns an app writing to the given streams. getenv reads the
// environment (os.Getenv in main, a map in tests).
func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	a.creds = newCredentials(a)
	a.sessions = newSessions(a)
	return a
}

// run runs the command line (without the program name) and returns the
// exit status.
func (a *app) run(args []string) (status int) {
	defer func() {
		// A bug must not greet a shell user with a goroutine dump; the
		// trace is one flag away.
		if r := recover(); r != nil {
			fmt.Fprintf(a.stderr, "smbfs: internal error: %v\n", r)
			if a.debug {
				a.stderr.Write(debug.Stack())
			} else {
				fmt.Fprintln(a.stderr, "smbfs: run with --debug for a stack trace, and please report it")
			}
			status = exitFailure
		}
	}()
	args, status, done := a.parseGlobal(args)
	if done {
		return status
	}
	if len(args) == 0 {
		a.printUsage(a.stderr)
		return exitUsage
	}
	name, args := args[0], args[1:]
	if name == "help" {
		return a.help(args)
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(a.stderr, "smbfs: unknown command %q\nRun 'smbfs help' for the list of commands.\n", name)
		return exitUsage
	}
	return a.runCommand(cmd, args)
}

// parseGlobal consumes the flags before the command name. done reports
// that the run is over (help printed, or a usage error) with status.
func (a *app) parseGlobal(args []string) (rest []string, status int, done bool) {
	flags := flag.NewFlagSet("smbfs", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	a.commonFlags(flags)
	showVersion := flags.Bool("version", false, "print the version")
	// flag stops at the first non-flag argument: the command name.
	err := flags.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		a.printUsage(a.stdout)
		return nil, exitOK, true
	case err != nil:
		fmt.Fprintf(a.stderr, "smbfs: %s\nRun 'smbfs help' for usage.\n", flagMessage(err, args))
		return nil, exitUsage, true
	case *showVersion:
		fmt.Fprintln(a.stdout, "smbfs", version())
		return nil, exitOK, true
	}
	return flags.Args(), 0, false
}

// flagMessage words a flag parsing error of args for a shell user: an
// unknown flag is quoted as written (flag drops a second dash).
func flagMessage(err error, args []string) string {
	f, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return err.Error()
	}
	for _, arg := range args {
		name, _, _ := strings.Cut(arg, "=")
		if strings.HasPrefix(name, "-") && strings.TrimLeft(name, "-") == strings.TrimLeft(f, "-") {
			return "unknown flag " + name
		}
	}
	return "unknown flag " + f
}

// commonFlags defines the flags every command takes (and that may also
// come before the command name), bound to a's settings.
func (a *app) commonFlags(flags *flag.FlagSet) {
	flags.BoolVar(&a.passwordStdin, "password-stdin", a.passwordStdin, "read the password from the first line of standard input")
	flags.BoolVar(&a.debug, "debug", a.debug, "print full errors and the client's debug log")
	flags.BoolVar(&a.kerberos, "kerberos", a.kerberos, "log in with Kerberos, using the credential cache ($KRB5CCNAME) and krb5.conf ($KRB5_CONFIG)")
	flags.StringVar(&a.serverName, "server-name", a.serverName, "the server's host `name`, when the URL names it by IP address (Kerberos needs it for cifs/NAME)")
}

// commonFlagNames are the names commonFlags defines, listed last in help.
var commonFlagNames = map[string]bool{"password-stdin": true, "debug": true, "kerberos": true, "server-name": true}

// runCommand parses cmd's flags and runs it.
func (a *app) runCommand(cmd *command, args []string) int {
	flags := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	flags.SetOutput(io.Discard) // errors are printed below, help by printHelp
	a.commonFlags(flags)
	run := cmd.setup(flags)
	pos, err := parseInterspersed(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		a.printHelp(a.stdout, cmd, flags)
		return exitOK
	}
	if err == nil {
		err = cmd.checkArgs(pos)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "smbfs %s: %s\nusage: smbfs %s %s\nRun 'smbfs help %s' for details.\n", cmd.name, flagMessage(err, args), cmd.name, cmd.args, cmd.name)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = run(ctx, a, pos)
	a.sessions.closeAll()
	return a.finish(cmd, ctx, err)
}

// finish prints err (if any) and returns the exit status.
func (a *app) finish(cmd *command, ctx context.Context, err error) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "smbfs %s: %s\nusage: smbfs %s %s\n", cmd.name, ue.msg, cmd.name, cmd.args)
		return exitUsage
	case ctx.Err() != nil && cmd.untilSignal && err == nil:
		// serve and watch run until interrupted: that is their normal end.
		return exitOK
	case ctx.Err() != nil:
		// Interrupted: say so once, whatever the operation made of it.
		fmt.Fprintf(a.stderr, "smbfs: %s: interrupted\n", cmd.name)
		return exitInterrupted
	case err != nil:
		a.report(err)
	}
	if a.failures > 0 {
		return exitFailure
	}
	return exitOK
}

// report prints an operation's failure and counts it, for commands that
// carry on after one target fails (rm a b c, get -r).
func (a *app) report(err error) {
	if err == nil {
		return
	}
	a.failures++
	if errors.Is(err, context.Canceled) {
		return // the run was interrupted: finish says so, once
	}
	fmt.Fprintf(a.stderr, "smbfs: %s\n", a.message(err))
}

// warn prints a warning.
func (a *app) warn(format string, args ...any) {
	fmt.Fprintf(a.stderr, "smbfs: warning: "+format+"\n", args...)
}

// clientOptions are the options every connection gets.
func (a *app) clientOptions() []smbfs.Option {
	var opts []smbfs.Option
	if a.debug {
		opts = append(opts, smbfs.WithLogger(debugLogger(a.stderr)))
	}
	if a.kerberos {
		opts = append(opts, smbfs.WithKerberos(smbfs.KerberosConfig{}))
	}
	if a.serverName != "" {
		opts = append(opts, smbfs.WithServerName(a.serverName))
	}
	return opts
}

// version reports the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
