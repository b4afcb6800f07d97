package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/smbfs/smbfs"
)

func watchCommand() *command {
	return &command{
		name:    "watch",
		args:    "[-r] [-n COUNT] URL",
		summary: "print changes in a directory as they happen",
		help: `
Print one line per change in the directory URL names, as the server
reports it (SMB2 CHANGE_NOTIFY), until interrupted (Ctrl-C) or after
COUNT events:

    2026-11-24T10:15:02Z CREATE  reports/q3.pdf
    2026-11-24T10:15:04Z RENAME  draft.txt
    2026-11-24T10:15:04Z CREATE  final.txt (renamed from draft.txt)

Names are relative to URL. -r watches the whole tree below it. When the
server drops changes (too many at once) a warning says so: list the
directory again to catch up.`,
		minArgs: 1, maxArgs: 1,
		untilSignal: true,
		setup: func(f *flag.FlagSet) runner {
			recursive := f.Bool("r", false, "watch the whole tree")
			count := f.Int("n", 0, "exit after `COUNT` events (0: run until interrupted)")
			return func(ctx context.Context, a *app, args []string) error {
				r, err := parseRemote(args[0])
				if err != nil {
					return usagef("%v", err)
				}
				if *count < 0 {
					return usagef("-n must not be negative")
				}
				fsys, err := a.sessions.fs(ctx, r)
				if err != nil {
					return err
				}
				sub, err := fsys.Sub(r.path)
				if err != nil {
					return failf("watch", r, err)
				}
				var opts []smbfs.WatchOption
				if *recursive {
					opts = append(opts, smbfs.WatchRecursive())
				}
				w, err := sub.(*smbfs.FS).Watch(ctx, ".", opts...)
				if err != nil {
					return failf("watch", r, err)
				}
				defer w.Close()
				// Watch has registered the subscription: every change from now
				// on is reported. Say so (scripts may wait for this line).
				fmt.Fprintf(a.stderr, "smbfs: watching %s (Ctrl-C to stop)\n", r)
				return printEvents(ctx, a, r, w, *count)
			}
		},
	}
}

// printEvents prints the watcher's events until it ends, ctx ends or
// count events were printed.
func printEvents(ctx context.Context, a *app, r *remote, w *smbfs.Watcher, count int) error {
	events, errs := w.Events, w.Errors
	seen := 0
	for events != nil || errs != nil {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			line := fmt.Sprintf("%s %-7s %s", time.Now().UTC().Format(time.RFC3339), ev.Op, ev.Name)
			if ev.OldName != "" {
				line += fmt.Sprintf(" (renamed from %s)", ev.OldName)
			}
			fmt.Fprintln(a.stdout, line)
			if seen++; count > 0 && seen >= count {
				return nil
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if errors.Is(err, smbfs.ErrOverflow) {
				a.warn("the server dropped changes in %s (too many at once): list it again to catch up", r)
				continue
			}
			if ctx.Err() != nil {
				return nil
			}
			return failf("watch", r, err)
		}
	}
	return nil
}
