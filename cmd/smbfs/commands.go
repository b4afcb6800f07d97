package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// runner runs a command with its positional arguments; its flags were
// bound by the command's setup.
type runner func(ctx context.Context, a *app, args []string) error

// command is one subcommand.
type command struct {
	name    string
	args    string // the synopsis after the name, e.g. "[-l] [-R] URL..."
	summary string // one line for the command list
	help    string // what "smbfs help NAME" prints below the synopsis
	minArgs int
	maxArgs int // -1: no limit
	// untilSignal marks commands that run until interrupted (serve,
	// watch): SIGINT is their normal end, so it exits 0.
	untilSignal bool
	// setup registers the command's flags and returns its runner.
	setup func(flags *flag.FlagSet) runner
}

// commands returns every subcommand, in the order help lists them.
func commands() []*command {
	return []*command{
		lsCommand(), catCommand(), getCommand(), putCommand(), cpCommand(),
		mvCommand(), rmCommand(), mkdirCommand(), statCommand(), watchCommand(),
		sharesCommand(), dfCommand(), serveCommand(), benchCommand(),
	}
}

// lookup finds a command by name, or returns nil.
func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// checkArgs checks the number of positional arguments.
func (c *command) checkArgs(args []string) error {
	switch {
	case len(args) < c.minArgs && len(args) == 0:
		return errors.New("missing arguments")
	case len(args) < c.minArgs:
		return fmt.Errorf("need at least %d arguments, got %d", c.minArgs, len(args))
	case c.maxArgs >= 0 && len(args) > c.maxArgs:
		return fmt.Errorf("too many arguments (at most %d)", c.maxArgs)
	}
	return nil
}

// usageError is a mistake on the command line found while running: it
// exits with status 2 and the synopsis.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// parseInterspersed parses flags anywhere among the arguments ("ls URL -l"
// as well as "ls -l URL"), expands bundled one-letter boolean flags ("-lR")
// and stops at "--". It returns the positional arguments.
func parseInterspersed(flags *flag.FlagSet, args []string) ([]string, error) {
	args = expandBundles(flags, args)
	var pos []string
	for {
		if err := flags.Parse(args); err != nil {
			return nil, err
		}
		consumed := len(args) - flags.NArg()
		rest := flags.Args()
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// expandBundles rewrites "-lR" as "-l -R" when every letter is a boolean
// flag of its own; anything else is left for the flag package to judge.
func expandBundles(flags *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i, arg := range args {
		if arg == "--" {
			return append(out, args[i:]...)
		}
		if len(arg) > 2 && arg[0] == '-' && arg[1] != '-' && !strings.Contains(arg, "=") && allBoolLetters(flags, arg[1:]) {
			for _, r := range arg[1:] {
				out = append(out, "-"+string(r))
			}
			continue
		}
		out = append(out, arg)
	}
	return out
}

// allBoolLetters reports whether each byte of s names a boolean flag.
func allBoolLetters(flags *flag.FlagSet, s string) bool {
	if flags.Lookup(s) != nil {
		return false // a long flag given with one dash
	}
	for i := 0; i < len(s); i++ {
		f := flags.Lookup(s[i : i+1])
		if f == nil {
			return false
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
			return false
		}
	}
	return true
}

// help runs "smbfs help [COMMAND]".
func (a *app) help(args []string) int {
	if len(args) == 0 {
		a.printUsage(a.stdout)
		return exitOK
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(a.stderr, "smbfs help: unknown command %q\nRun 'smbfs help' for the list of commands.\n", args[0])
		return exitUsage
	}
	flags := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	newApp(nil, io.Discard, io.Discard, a.getenv).commonFlags(flags)
	cmd.setup(flags)
	a.printHelp(a.stdout, cmd, flags)
	return exitOK
}

// printUsage prints the command list.
func (a *app) printUsage(w io.Writer) {
	fmt.Fprint(w, `smbfs works with files on SMB 2/3 shares (Windows, Samba, NAS).

usage: smbfs [--password-stdin] [--debug] [--kerberos] [--server-name NAME] COMMAND [flags] ARGS...

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, targetHelp+`
Run 'smbfs help COMMAND' (or 'smbfs COMMAND -h') for a command's flags.
`)
}

// targetHelp explains URLs and passwords; every help text ends with it.
const targetHelp = `
Remote paths are URLs: smb://[domain;]user@host[:port]/share/path
(no user: log in as guest). The password comes from $SMB_PASSWORD, from
the first line of standard input with --password-stdin, or from a prompt
on the terminal (no echo). Put it in the URL only if you must: other
users can read command lines. With --kerberos (or ?auth=krb5) the login
uses the Kerberos ticket in $KRB5CCNAME instead; add --server-name HOST
when the URL names the server by IP address.

Exit status: 0 success, 1 an operation failed, 2 usage error,
130 interrupted.
`

// printHelp prints one command's help.
func (a *app) printHelp(w io.Writer, cmd *command, flags *flag.FlagSet) {
	fmt.Fprintf(w, "usage: smbfs %s %s\n\n%s\n", cmd.name, cmd.args, strings.TrimSpace(cmd.help))
	fmt.Fprintln(w, "\nFlags:")
	// The command's own flags first, then those every command has.
	common := commonFlagNames
	for _, pass := range []bool{false, true} {
		flags.VisitAll(func(f *flag.Flag) {
			if common[f.Name] != pass {
				return
			}
			name, usage := flag.UnquoteUsage(f)
			dash := "-"
			if len(f.Name) > 1 {
				dash = "--"
			}
			line := "  " + dash + f.Name
			if name != "" {
				line += " " + name
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(w, "%-24s %s\n", line, usage)
		})
	}
	fmt.Fprint(w, targetHelp)
}
