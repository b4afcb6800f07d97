package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"path"
	"syscall"

	"github.com/smbfs/smbfs"
)

func cpCommand() *command {
	return &command{
		name:    "cp",
		args:    "[-r] [-q] SRC... DST",
		summary: "copy files (server-side within a share)",
		help: `
Copy files between smb:// URLs. Within one share the server copies the
data itself (no bytes cross the network) when it supports server-side
copy; otherwise, and between shares or servers, the data streams through
this machine. When DST is an existing directory (or ends in "/"), copies
keep their names. With local sources cp works as put, with a local
destination as get.`,
		minArgs: 2, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			var t transfer
			f.BoolVar(&t.recursive, "r", false, "copy directories recursively")
			f.BoolVar(&t.quiet, "q", false, "no progress bars")
			return func(ctx context.Context, a *app, args []string) error {
				t.a = a
				srcs, dst := args[:len(args)-1], args[len(args)-1]
				local, remoteSrcs := 0, 0
				for _, s := range srcs {
					if isRemote(s) {
						remoteSrcs++
					} else {
						local++
					}
				}
				switch {
				case local > 0 && remoteSrcs > 0:
					return usagef("mixing local and remote sources")
				case local > 0 && !isRemote(dst):
					return usagef("no smb:// URL among the arguments: use cp(1) for local files")
				case local > 0:
					return putCommandRun(ctx, &t, srcs, dst)
				case !isRemote(dst):
					return t.get(ctx, srcs, dst)
				}
				return t.copy(ctx, srcs, dst)
			}
		},
	}
}

// putCommandRun uploads like put does, for cp with local sources.
func putCommandRun(ctx context.Context, t *transfer, srcs []string, dst string) error {
	r, err := parseRemote(dst)
	if err != nil {
		return usagef("%v", err)
	}
	return t.put(ctx, srcs, r)
}

// copy copies remote srcs to the remote dst.
func (t *transfer) copy(ctx context.Context, srcs []string, dstArg string) error {
	dst, err := parseRemote(dstArg)
	if err != nil {
		return usagef("%v", err)
	}
	dfs, err := t.a.sessions.fs(ctx, dst)
	if err != nil {
		return err
	}
	dstIsDir := false
	if fi, err := dfs.Stat(dst.path); err == nil && fi.IsDir() {
		dstIsDir = true
	} else if dst.dirHint {
		if err == nil {
			err = syscall.ENOTDIR
		}
		return failf("cp", dst, err)
	}
	if len(srcs) > 1 && !dstIsDir {
		return failf("cp", dst, syscall.ENOTDIR)
	}
	for _, s := range srcs {
		src, err := parseRemote(s)
		if err != nil {
			return usagef("%v", err)
		}
		target := dst
		if dstIsDir {
			target = dst.at(path.Join(dst.path, src.base()))
		}
		t.a.report(t.copyOne(ctx, src, target, dfs))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// copyOne copies one file or tree.
func (t *transfer) copyOne(ctx context.Context, src, dst *remote, dfs *smbfs.FS) error {
	sfs, err := t.a.sessions.fs(ctx, src)
	if err != nil {
		return err
	}
	info, err := sfs.Stat(src.path)
	if err != nil {
		return failf("cp", src, err)
	}
	if !info.IsDir() {
		return t.copyFile(ctx, sfs, src, info, dfs, dst, dst.base())
	}
	if !t.recursive {
		return failf("cp", src, errors.New("is a directory (use -r)"))
	}
	if src.shareKey() == dst.shareKey() && (dst.path == src.path || len(dst.path) > len(src.path) && dst.path[:len(src.path)+1] == src.path+"/") {
		return failf("cp", src, errors.New("cannot copy a directory into itself"))
	}
	if err := dfs.MkdirAll(dst.path, 0o777); err != nil {
		return failf("cp", dst, err)
	}
	return fs.WalkDir(sfs, src.path, func(name string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		from := src.at(name)
		if err != nil {
			t.a.report(failf("cp", from, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel := relPath(src.path, name)
		to := dst.at(path.Join(dst.path, rel))
		if d.IsDir() {
			if rel != "." {
				if err := dfs.Mkdir(to.path, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
					t.a.report(failf("cp", to, err))
					return fs.SkipDir
				}
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			t.a.report(failf("cp", from, err))
			return nil
		}
		t.a.report(t.copyFile(ctx, sfs, from, info, dfs, to, path.Join(dst.base(), rel)))
		return nil
	})
}

// copyFile copies one file: on the server (FS.Copy: FSCTL_SRV_COPYCHUNK,
// falling back to a pipelined copy when the server cannot) when both ends
// are on the same share, else streamed through this machine.
func (t *transfer) copyFile(ctx context.Context, sfs *smbfs.FS, src *remote, info fs.FileInfo, dfs *smbfs.FS, dst *remote, label string) error {
	if src.shareKey() == dst.shareKey() {
		if err := sfs.WithContext(ctx).Copy(src.path, dst.path); err != nil {
			return failf("cp", src, linkCause(err))
		}
		return nil
	}
	f, err := sfs.Open(src.path)
	if err != nil {
		return failf("cp", src, err)
	}
	defer f.Close()
	bar := t.a.newBar(label, t.quiet)
	opts := append([]smbfs.TransferOption{smbfs.WithSize(info.Size())}, bar.options()...)
	if info.Mode().Perm()&0o200 == 0 {
		opts = append(opts, smbfs.WithPerm(0o444))
	}
	n, err := dfs.Upload(dst.path, f, opts...)
	if err != nil {
		bar.abort()
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Op == "read" {
			return failf("cp", src, err)
		}
		return failf("cp", dst, err)
	}
	bar.finish(n)
	return nil
}
