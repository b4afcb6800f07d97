package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/smbfs/smbfs"
)

func putCommand() *command {
	return &command{
		name:    "put",
		args:    "[-r] [-p] [-q] LOCAL... URL",
		summary: "upload files (and with -r directories)",
		help: `
Upload each LOCAL file to URL. With one LOCAL, URL may name the new file
(or directory, with -r); when URL is an existing directory (or ends in
"/"), copies keep their names. LOCAL "-" uploads standard input.

On a terminal each file gets a progress bar with bytes, rate and ETA;
with standard output or error redirected (or -q) nothing is drawn.`,
		minArgs: 2, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			var t transfer
			f.BoolVar(&t.recursive, "r", false, "upload directories recursively")
			f.BoolVar(&t.preserve, "p", false, "preserve modification times")
			f.BoolVar(&t.quiet, "q", false, "no progress bars")
			return func(ctx context.Context, a *app, args []string) error {
				t.a = a
				srcs, dst := args[:len(args)-1], args[len(args)-1]
				if !isRemote(dst) {
					return usagef("the destination %s is not a smb:// URL", dst)
				}
				for _, s := range srcs {
					if isRemote(s) {
						return usagef("the source %s is remote: use get to download, cp to copy between shares", redactURL(s))
					}
				}
				r, err := parseRemote(dst)
				if err != nil {
					return usagef("%v", err)
				}
				return t.put(ctx, srcs, r)
			}
		},
	}
}

// put uploads the local srcs to dst.
func (t *transfer) put(ctx context.Context, srcs []string, dst *remote) error {
	for _, s := range srcs {
		if s == "-" && (len(srcs) > 1 || t.recursive) {
			return usagef("\"-\" (standard input) takes a single file")
		}
		if s == "-" && t.a.creds.usesStdin() {
			return usagef("standard input cannot carry both the password (--password-stdin) and the data; use $SMB_PASSWORD")
		}
	}
	fsys, err := t.a.sessions.fs(ctx, dst)
	if err != nil {
		return err
	}
	dstIsDir := false
	if fi, err := fsys.Stat(dst.path); err == nil && fi.IsDir() {
		dstIsDir = true
	} else if dst.dirHint || dst.path == "." {
		if err == nil {
			err = syscall.ENOTDIR
		}
		return failf("put", dst, err)
	}
	if len(srcs) > 1 && !dstIsDir {
		return failf("put", dst, syscall.ENOTDIR)
	}
	for _, s := range srcs {
		target := dst
		if dstIsDir {
			if s == "-" {
				return failf("put", dst, errors.New("is a directory (name the file to write standard input to)"))
			}
			target = dst.at(path.Join(dst.path, filepath.Base(s)))
		}
		t.a.report(t.putOne(ctx, fsys, s, target))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// putOne uploads one local file or tree.
func (t *transfer) putOne(ctx context.Context, fsys *smbfs.FS, local string, dst *remote) error {
	if local == "-" {
		return t.upload(fsys, nil, nil, dst, dst.base())
	}
	info, err := os.Stat(local)
	if err != nil {
		return failf("put", local, unwrapPath(err))
	}
	if !info.IsDir() {
		return t.upload(fsys, info, &local, dst, filepath.Base(local))
	}
	if !t.recursive {
		return failf("put", local, errors.New("is a directory (use -r)"))
	}
	return t.putTree(ctx, fsys, local, dst)
}

// putTree uploads the local directory root to dst, carrying on past
// failures of single entries.
func (t *transfer) putTree(ctx context.Context, fsys *smbfs.FS, root string, dst *remote) error {
	if err := fsys.MkdirAll(dst.path, 0o777); err != nil {
		return failf("put", dst, err)
	}
	type dirTime struct {
		name string
		mt   time.Time
	}
	var dirTimes []dirTime
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			t.a.report(failf("put", p, unwrapPath(err)))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		target := dst.at(path.Join(dst.path, filepath.ToSlash(rel)))
		info, err := os.Stat(p) // follows symbolic links, as cp -r -L does
		if err != nil {
			t.a.report(failf("put", p, unwrapPath(err)))
			return nil
		}
		switch {
		case info.IsDir() && d.Type()&fs.ModeSymlink != 0:
			t.a.warn("skipping %s: a symbolic link to a directory", p)
		case info.IsDir():
			if rel != "." {
				if err := fsys.Mkdir(target.path, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
					t.a.report(failf("put", target, err))
					return fs.SkipDir
				}
			}
			if t.preserve {
				dirTimes = append(dirTimes, dirTime{target.path, info.ModTime()})
			}
		case info.Mode().IsRegular():
			t.a.report(t.upload(fsys, info, &p, target, path.Join(filepath.Base(root), filepath.ToSlash(rel))))
		default:
			t.a.warn("skipping %s: not a regular file", p)
		}
		return nil
	})
	for i := len(dirTimes) - 1; i >= 0; i-- {
		if err := fsys.Chtimes(dirTimes[i].name, time.Time{}, dirTimes[i].mt); err != nil {
			t.a.report(failf("put", dst.at(dirTimes[i].name), err))
		}
	}
	return err
}

// upload copies the local file (standard input when local is nil) to
// dst, with a progress bar labelled label.
func (t *transfer) upload(fsys *smbfs.FS, info fs.FileInfo, local *string, dst *remote, label string) error {
	var src io.Reader = t.a.stdin
	opts := []smbfs.TransferOption{}
	if local != nil {
		f, err := os.Open(*local)
		if err != nil {
			return failf("put", *local, unwrapPath(err))
		}
		defer f.Close()
		src = f
		if info.Mode().Perm()&0o200 == 0 {
			opts = append(opts, smbfs.WithPerm(0o444))
		}
	}
	bar := t.a.newBar(label, t.quiet)
	n, err := fsys.Upload(dst.path, src, append(opts, bar.options()...)...)
	if err != nil {
		bar.abort()
		var pe *fs.PathError
		if local != nil && errors.As(err, &pe) && pe.Op == "read" {
			return failf("put", *local, unwrapPath(err))
		}
		return failf("put", dst, err)
	}
	if t.preserve && info != nil {
		if err := fsys.Chtimes(dst.path, time.Time{}, info.ModTime()); err != nil {
			return failf("put", dst, err)
		}
	}
	bar.finish(n)
	return nil
}
