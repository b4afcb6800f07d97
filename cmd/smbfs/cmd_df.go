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
				size := func(n uint64) string {
					if *bytes {
						return fmt.Sprint(n)
					}
					return formatBytes(float64(n))
				}
				rows := 0 // the header goes above the first row
				err := a.eachTarget(ctx, args, "df", func(_ int, r *remote, fsys *smbfs.FS) error {
					sub, err := fsys.Sub(r.path)
					if err != nil {
						return err
					}
					u, err := sub.(*smbfs.FS).DiskUsage()
					if err != nil {
						return err
					}
					used := u.Total - min(u.Free, u.Total)
					pct := "-"
					if used+u.Available > 0 {
						// As df(1): used over what the user could have.
						pct = fmt.Sprintf("%d%%", (used*100+used+u.Available-1)/(used+u.Available))
					}
					if rows == 0 {
						fmt.Fprintln(tw, "Size\tUsed\tAvail\tUse%\t  Share")
					}
					rows++
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t  %s\n", size(u.Total), size(used), size(u.Available), pct, r)
					return nil
				})
				if ferr := tw.Flush(); err == nil {
					err = ferr
				}
				return err
			}
		},
	}
}
