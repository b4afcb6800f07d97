package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"

	"github.com/smbfs/smbfs"
)

func lsCommand() *command {
	return &command{
		name:    "ls",
		args:    "[-l] [-R] URL...",
		summary: "list directories (or a server's shares)",
		help: `
List each directory URL names, or the file itself; directories are shown
with a trailing slash. -l adds the mode, size and modification time; -R
descends into subdirectories (their listings are fetched together, one
round trip per level). A URL with no share (smb://host) lists the
server's shares.`,
		minArgs: 1, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			long := f.Bool("l", false, "long format: mode, size, modification time")
			recursive := f.Bool("R", false, "list subdirectories recursively")
			return func(ctx context.Context, a *app, args []string) error {
				targets, err := parseRemotes(args)
				if err != nil {
					return err
				}
				l := lister{a: a, w: a.stdout, long: *long, recursive: *recursive, headers: len(args) > 1 || *recursive}
				for i, r := range targets {
					if i > 0 && l.headers {
						fmt.Fprintln(l.w)
					}
					a.report(l.target(ctx, r))
					if ctx.Err() != nil {
						return ctx.Err()
					}
				}
				return nil
			}
		},
	}
}

// lister prints listings.
type lister struct {
	a               *app
	w               io.Writer
	long, recursive bool
	headers         bool // print "URL:" above each directory
}

// target lists one URL.
func (l *lister) target(ctx context.Context, r *remote) error {
	if r.share == "" {
		return listShares(ctx, l.a, r, l.w)
	}
	fsys, err := l.a.sessions.fs(ctx, r)
	if err != nil {
		return err
	}
	info, err := fsys.Stat(r.path)
	if err != nil {
		return failf("ls", r, err)
	}
	if !info.IsDir() {
		l.print([]fs.FileInfo{info})
		return nil
	}
	entries, err := fsys.ReadDir(r.path)
	if err != nil {
		return failf("ls", r, err)
	}
	return l.dir(fsys, r, entries)
}

// dir prints one directory's entries, then (with -R) its subdirectories,
// whose listings it fetches in one batch.
func (l *lister) dir(fsys *smbfs.FS, r *remote, entries []fs.DirEntry) error {
	if l.headers {
		fmt.Fprintf(l.w, "%s:\n", r)
	}
	infos := make([]fs.FileInfo, 0, len(entries))
	var subdirs []string
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			l.a.report(failf("ls", r.at(path.Join(r.path, e.Name())), err))
			continue
		}
		infos = append(infos, info)
		if e.IsDir() {
			subdirs = append(subdirs, path.Join(r.path, e.Name()))
		}
	}
	l.print(infos)
	if !l.recursive || len(subdirs) == 0 {
		return nil
	}
	ops := make([]smbfs.BatchOp, len(subdirs))
	for i, d := range subdirs {
		ops[i] = smbfs.ReadDirOp(d)
	}
	for i, res := range fsys.Batch(ops...) {
		sub := r.at(subdirs[i])
		fmt.Fprintln(l.w)
		if res.Err != nil {
			l.a.report(failf("ls", sub, res.Err))
			continue
		}
		if err := l.dir(fsys, sub, res.Entries); err != nil {
			return err
		}
	}
	return nil
}

// print prints entries, one a line.
func (l *lister) print(infos []fs.FileInfo) {
	if !l.long {
		for _, fi := range infos {
			fmt.Fprintln(l.w, displayName(fi))
		}
		return
	}
	widths := columnWidths(infos)
	for _, fi := range infos {
		fmt.Fprintf(l.w, "%s  %*d  %s  %s\n", fi.Mode(), widths, fi.Size(), fi.ModTime().Local().Format("2006-01-02 15:04"), displayName(fi))
	}
}

// columnWidths is the width of the widest size.
func columnWidths(infos []fs.FileInfo) int {
	w := 1
	for _, fi := range infos {
		w = max(w, len(strconv.FormatInt(fi.Size(), 10)))
	}
	return w
}

// displayName is the entry's name, with a slash for a directory.
func displayName(fi fs.FileInfo) string {
	if fi.IsDir() {
		return fi.Name() + "/"
	}
	return fi.Name()
}
