package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol/wire"
)

func mvCommand() *command {
	return &command{
		name:    "mv",
		args:    "SRC... DST",
		summary: "move or rename within a share",
		help: `
Rename SRC to DST, replacing an existing file at DST. When DST is an
existing directory (or ends in "/"), each SRC moves into it keeping its
name. Every URL must be on the same share: SMB renames within a share
only (copy and remove to move across shares).`,
		minArgs: 2, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				srcs, dstArg := args[:len(args)-1], args[len(args)-1]
				all := make([]*remote, len(args))
				for i, s := range args {
					if !isRemote(s) {
						return usagef("%s is not a smb:// URL (mv works within a share)", s)
					}
					r, err := parseRemote(s)
					if err != nil {
						return usagef("%v", err)
					}
					all[i] = r
				}
				dst := all[len(all)-1]
				for _, r := range all[:len(srcs)] {
					if r.shareKey() != dst.shareKey() {
						return failf("mv", r, fmt.Errorf("%w: %s is on another share or server than %s (use cp and rm)", syscall.EXDEV, r, dstArg))
					}
				}
				fsys, err := a.sessions.fs(ctx, dst)
				if err != nil {
					return err
				}
				dstIsDir := false
				if fi, err := fsys.Stat(dst.path); err == nil && fi.IsDir() {
					dstIsDir = true
				} else if dst.dirHint {
					if err == nil {
						err = syscall.ENOTDIR
					}
					return failf("mv", dst, err)
				}
				if len(srcs) > 1 && !dstIsDir {
					return failf("mv", dst, syscall.ENOTDIR)
				}
				for _, src := range all[:len(srcs)] {
					to := dst.path
					if dstIsDir {
						to = path.Join(dst.path, src.base())
					}
					if src.path == "." {
						a.report(failf("mv", src, errors.New("cannot move the root of a share")))
						continue
					}
					if err := fsys.Rename(src.path, to); err != nil {
						a.report(failf("mv", src, linkCause(err)))
					}
				}
				return nil
			}
		},
	}
}

// linkCause is the reason inside an *os.LinkError (or the error itself).
func linkCause(err error) error {
	var le interface{ Unwrap() error }
	if errors.As(err, &le) {
		if inner := le.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func rmCommand() *command {
	return &command{
		name:    "rm",
		args:    "[-r] [-f] URL...",
		summary: "remove files (and with -r directories)",
		help: `
Remove each file. An empty directory needs -d or -r; -r removes a
directory and everything in it. -f ignores missing files. The root of a
share is never removed.`,
		minArgs: 1, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			recursive := f.Bool("r", false, "remove directories and their contents")
			f.BoolVar(recursive, "R", false, "same as -r")
			emptyDir := f.Bool("d", false, "remove empty directories")
			force := f.Bool("f", false, "ignore missing files")
			return func(ctx context.Context, a *app, args []string) error {
				return a.eachTarget(ctx, args, "rm", func(_ int, r *remote, fsys *smbfs.FS) error {
					if r.path == "." {
						return errors.New("refusing to remove the root of a share")
					}
					info, err := fsys.Stat(r.path)
					switch {
					case err != nil && *force && errors.Is(err, fs.ErrNotExist):
						return nil
					case err != nil:
						return err
					case info.IsDir() && *recursive:
						return fsys.RemoveAll(r.path)
					case info.IsDir() && !*emptyDir:
						return errors.New("is a directory (use -r, or -d for an empty one)")
					}
					return fsys.Remove(r.path)
				})
			}
		},
	}
}

func mkdirCommand() *command {
	return &command{
		name:    "mkdir",
		args:    "[-p] URL...",
		summary: "make directories",
		help: `
Create each directory. -p creates missing parents too and does not mind
a directory that exists already.`,
		minArgs: 1, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			parents := f.Bool("p", false, "make parent directories as needed; no error if existing")
			return func(ctx context.Context, a *app, args []string) error {
				return a.eachTarget(ctx, args, "mkdir", func(_ int, r *remote, fsys *smbfs.FS) error {
					if *parents {
						return fsys.MkdirAll(r.path, 0o777)
					}
					return fsys.Mkdir(r.path, 0o777)
				})
			}
		},
	}
}

func statCommand() *command {
	return &command{
		name:    "stat",
		args:    "URL...",
		summary: "show a file's size, times and attributes",
		help: `
Print what the server reports about each file: type, size and
allocation, mode, SMB attributes and the four timestamps.`,
		minArgs: 1, maxArgs: -1,
		setup: func(f *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				return a.eachTarget(ctx, args, "stat", func(i int, r *remote, fsys *smbfs.FS) error {
					info, err := fsys.Stat(r.path)
					if err != nil {
						return err
					}
					if i > 0 {
						fmt.Fprintln(a.stdout)
					}
					printStat(a, r, info)
					return nil
				})
			}
		},
	}
}

// printStat prints one file's details.
func printStat(a *app, r *remote, info fs.FileInfo) {
	kind := "regular file"
	if info.IsDir() {
		kind = "directory"
	}
	row := func(k, v string) { fmt.Fprintf(a.stdout, "%10s: %s\n", k, v) }
	row("File", r.String())
	row("Type", kind)
	row("Size", fmt.Sprintf("%d (%s)", info.Size(), formatBytes(float64(info.Size()))))
	row("Mode", info.Mode().String())
	attr, ok := info.Sys().(*pipeline.Attr)
	if !ok {
		row("Modified", stamp(info.ModTime()))
		return
	}
	row("Allocated", fmt.Sprint(attr.Allocation))
	row("Attributes", attributeNames(attr.Attributes))
	row("Modified", stamp(attr.Modified))
	row("Accessed", stamp(attr.Accessed))
	row("Changed", stamp(attr.Changed))
	row("Created", stamp(attr.Created))
}

// stamp formats a time, or "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05.000000000 -0700")
}

// attributeNames spells FILE_ATTRIBUTE_* bits (MS-FSCC 2.6).
func attributeNames(bits uint32) string {
	names := []struct {
		bit  wire.FileAttributes
		name string
	}{
		{wire.FileAttributeReadonly, "READONLY"}, {wire.FileAttributeHidden, "HIDDEN"},
		{wire.FileAttributeSystem, "SYSTEM"}, {wire.FileAttributeDirectory, "DIRECTORY"},
		{wire.FileAttributeArchive, "ARCHIVE"}, {wire.FileAttributeNormal, "NORMAL"},
		{wire.FileAttributeTemporary, "TEMPORARY"}, {wire.FileAttributeSparseFile, "SPARSE_FILE"},
		{wire.FileAttributeReparsePoint, "REPARSE_POINT"}, {wire.FileAttributeCompressed, "COMPRESSED"},
		{wire.FileAttributeOffline, "OFFLINE"}, {wire.FileAttributeNotContentIndexed, "NOT_CONTENT_INDEXED"},
		{wire.FileAttributeEncrypted, "ENCRYPTED"}, {wire.FileAttributeIntegrityStream, "INTEGRITY_STREAM"},
		{wire.FileAttributeNoScrubData, "NO_SCRUB_DATA"},
	}
	var parts []string
	for _, n := range names {
		if bits&uint32(n.bit) != 0 {
			parts = append(parts, n.name)
			bits &^= uint32(n.bit)
		}
	}
	if bits != 0 {
		parts = append(parts, fmt.Sprintf("%#x", bits))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
