package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/smbfs/smbfs"
)

func dfCommand() *command {
	return &command{
		name:    "df",
		args:    "[-b] URL...",
		summary: "show the size and free space of shares",
		help: `
Print the size, used space, space available to this user and use
percentage of the volume behind each share, as the server reports it.
Sizes are in binary units (KiB, MiB, GiB...), or bytes with -b.`,
		minArgs: 1, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			bytes := f.Bool("b", false, "print sizes in bytes")
			return func(ctx context.Context, a *app, args []string) error {
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "Size\tUsed\tAvail\tUse%\t  Share")
				size := func(n uint64) string {
					if *bytes {
						return fmt.Sprint(n)
					}
					return formatBytes(float64(n))
				}
				targets, err := parseRemotes(args)
				if err != nil {
					return err
				}
				for _, r := range targets {
					fsys, err := a.sessions.fs(ctx, r)
					if err != nil {
						a.report(err)
						continue
					}
					sub, err := fsys.Sub(r.path)
					if err != nil {
						a.report(failf("df", r, err))
						continue
					}
					u, err := sub.(*smbfs.FS).DiskUsage()
					if err != nil {
						a.report(failf("df", r, err))
						continue
					}
					used := u.Total - min(u.Free, u.Total)
					pct := "-"
					if used+u.Available > 0 {
						// As df(1): used over what the user could have.
						pct = fmt.Sprintf("%d%%", (used*100+used+u.Available-1)/(used+u.Available))
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t  %s\n", size(u.Total), size(used), size(u.Available), pct, r)
				}
				return tw.Flush()
			}
		},
	}
}
