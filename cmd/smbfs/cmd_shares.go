package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
)

func sharesCommand() *command {
	return &command{
		name:    "shares",
		args:    "smb://[domain;]user@host[:port]",
		summary: "list a server's shares",
		help: `
List the server's shares with their type and comment, administrative and
hidden ones ($) included, as the server's share list (srvsvc) gives them.
Any share or path in the URL is ignored.`,
		minArgs: 1, maxArgs: 1,
		setup: func(f *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				r, err := parseRemote(args[0])
				if err != nil {
					return usagef("%v", err)
				}
				return listShares(ctx, a, r.serverOnly(), a.stdout)
			}
		},
	}
}

// listShares prints r's server's shares as a table.
func listShares(ctx context.Context, a *app, r *remote, w io.Writer) error {
	c, err := a.sessions.client(ctx, r)
	if err != nil {
		return failf("connect", r.serverOnly(), err)
	}
	shares, err := c.Shares(ctx)
	if err != nil {
		return failf("shares", r.serverOnly(), err)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tCOMMENT")
	for _, s := range shares {
		kind := s.Type.String()
		if s.Special {
			kind += ",special"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, kind, s.Comment)
	}
	return tw.Flush()
}
