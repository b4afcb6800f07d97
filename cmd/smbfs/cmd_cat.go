package main

import (
	"context"
	"flag"
	"io/fs"
	"syscall"
)

func catCommand() *command {
	return &command{
		name:    "cat",
		args:    "URL...",
		summary: "print files to standard output",
		help: `
Copy each file to standard output, in order, streaming through the
pipelined read window (memory stays bounded however large the file).`,
		minArgs: 1, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				targets, err := parseRemotes(args)
				if err != nil {
					return err
				}
				for _, r := range targets {
					a.report(catOne(ctx, a, r))
					if ctx.Err() != nil {
						return ctx.Err()
					}
				}
				return nil
			}
		},
	}
}

func catOne(ctx context.Context, a *app, r *remote) error {
	fsys, err := a.sessions.fs(ctx, r)
	if err != nil {
		return err
	}
	if _, err := fsys.Download(r.path, a.stdout); err != nil {
		if isDirErr(fsys, r.path, err) {
			err = syscall.EISDIR
		}
		return failf("cat", r, err)
	}
	return nil
}

// isDirErr reports whether a failed open of name failed because name is a
// directory (servers answer that in several ways).
func isDirErr(fsys fs.StatFS, name string, err error) bool {
	if err == nil {
		return false
	}
	fi, serr := fsys.Stat(name)
	return serr == nil && fi.IsDir()
}
