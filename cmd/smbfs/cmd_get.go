package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/smbfs/smbfs"
)

func getCommand() *command {
	return &command{
		name:    "get",
		args:    "[-r] [-p] [-q] URL... [LOCAL]",
		summary: "download files (and with -r directories)",
		help: `
Download each URL to LOCAL. With one URL, LOCAL may name the new file (or
directory, with -r); when LOCAL is an existing directory, or is left out
(the current directory), copies keep their names. LOCAL "-" writes a file
to standard output.

On a terminal each file gets a progress bar with bytes, rate and ETA;
with standard output or error redirected (or -q) nothing is drawn.`,
		minArgs: 1, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			var t transfer
			f.BoolVar(&t.recursive, "r", false, "download directories recursively")
			f.BoolVar(&t.preserve, "p", false, "preserve modification times")
			f.BoolVar(&t.quiet, "q", false, "no progress bars")
			return func(ctx context.Context, a *app, args []string) error {
				t.a = a
				srcs, dst := args, "."
				if len(args) > 1 {
					srcs, dst = args[:len(args)-1], args[len(args)-1]
				}
				if isRemote(dst) {
					return usagef("the destination %s is remote: use put to upload, cp to copy between shares", redactURL(dst))
				}
				return t.get(ctx, srcs, dst)
			}
		},
	}
}

// transfer holds the flags of get, put and cp.
type transfer struct {
	a         *app
	recursive bool
	preserve  bool
	quiet     bool
}

// get downloads srcs (URLs) to the local dst.
func (t *transfer) get(ctx context.Context, srcs []string, dst string) error {
	remotes := make([]*remote, len(srcs))
	for i, s := range srcs {
		if !isRemote(s) {
			return usagef("%s is not a smb:// URL", s)
		}
		r, err := parseRemote(s)
		if err != nil {
			return usagef("%v", err)
		}
		remotes[i] = r
	}
	dstIsDir := false
	if dst != "-" {
		if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
			dstIsDir = true
		}
	}
	if dst == "-" && (len(srcs) > 1 || t.recursive) {
		return usagef("\"-\" (standard output) takes a single file")
	}
	if len(srcs) > 1 && !dstIsDir {
		return failf("get", dst, syscall.ENOTDIR)
	}
	for _, r := range remotes {
		target := dst
		if dstIsDir {
			target = filepath.Join(dst, filepath.FromSlash(r.base()))
		}
		t.a.report(t.getOne(ctx, r, target))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// getOne downloads one file or tree.
func (t *transfer) getOne(ctx context.Context, r *remote, local string) error {
	fsys, err := t.a.sessions.fs(ctx, r)
	if err != nil {
		return err
	}
	info, err := fsys.Stat(r.path)
	if err != nil {
		return failf("get", r, err)
	}
	if !info.IsDir() {
		if local == "-" {
			_, err := fsys.Download(r.path, t.a.stdout)
			return failf("get", r, err)
		}
		return t.download(fsys, r, info, local, filepath.Base(local))
	}
	if !t.recursive {
		return failf("get", r, errors.New("is a directory (use -r)"))
	}
	return t.getTree(ctx, fsys, r, local)
}

// getTree downloads the directory r into local, carrying on past
// failures of single entries.
func (t *transfer) getTree(ctx context.Context, fsys *smbfs.FS, r *remote, local string) error {
	if err := os.MkdirAll(local, 0o777); err != nil {
		return failf("get", local, unwrapPath(err))
	}
	var dirTimes []func()
	err := fs.WalkDir(fsys, r.path, func(name string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		src := r.at(name)
		if err != nil {
			t.a.report(failf("get", src, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel := relPath(r.path, name)
		dst := filepath.Join(local, filepath.FromSlash(rel))
		info, err := d.Info()
		if err != nil {
			t.a.report(failf("get", src, err))
			return nil
		}
		if d.IsDir() {
			if rel != "." {
				if err := os.Mkdir(dst, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
					t.a.report(failf("get", dst, unwrapPath(err)))
					return fs.SkipDir
				}
			}
			if t.preserve {
				mt := info.ModTime()
				dirTimes = append(dirTimes, func() { _ = os.Chtimes(dst, time.Time{}, mt) })
			}
			return nil
		}
		t.a.report(t.download(fsys, src, info, dst, path.Join(r.base(), rel)))
		return nil
	})
	// Directory times last: writing the files inside changed them.
	for i := len(dirTimes) - 1; i >= 0; i-- {
		dirTimes[i]()
	}
	return err
}

// download copies the remote file r (described by info) to the local
// path, with a progress bar labelled label.
func (t *transfer) download(fsys *smbfs.FS, r *remote, info fs.FileInfo, local, label string) error {
	perm := fs.FileMode(0o666)
	if info.Mode().Perm()&0o200 == 0 {
		perm = 0o444
	}
	f, err := os.OpenFile(local, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return failf("get", local, unwrapPath(err))
	}
	bar := t.a.newBar(label, t.quiet)
	n, err := fsys.Download(r.path, f, bar.options()...)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = failf("get", local, unwrapPath(cerr))
	}
	if err != nil {
		bar.abort()
		os.Remove(local) // no half-written file left behind
		var oe *opError
		if errors.As(err, &oe) {
			return err
		}
		return failf("get", r, err)
	}
	if t.preserve {
		if err := os.Chtimes(local, time.Time{}, info.ModTime()); err != nil {
			return failf("get", local, unwrapPath(err))
		}
	}
	bar.finish(n)
	return nil
}

// relPath is name relative to root (both slash paths inside one FS).
func relPath(root, name string) string {
	if root == "." {
		return name
	}
	if name == root {
		return "."
	}
	return name[len(root)+1:]
}

// unwrapPath drops an *fs.PathError's operation and path, which the
// message names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
