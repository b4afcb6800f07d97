// Command hackpadfs uses a share through hackpadfs
// (github.com/hack-pad/hackpadfs): *smbfs.FS satisfies its interfaces as
// it is, so the package's helpers — MkdirAll, WriteFullFile, ReadFile,
// Rename, Chmod, WalkDir, RemoveAll — work on SMB directly.
//
//	SMB_PASSWORD=... go run ./examples/hackpadfs smb://user@host/share/dir
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hack-pad/hackpadfs"

	"github.com/smbfs/smbfs"
)

func main() {
	url := os.Getenv("SMBFS_TEST_URL")
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if url == "" {
		fmt.Fprintln(os.Stderr, "usage: hackpadfs smb://[user@]host/share[/dir]")
		os.Exit(2)
	}
	if err := run(url); err != nil {
		fmt.Fprintln(os.Stderr, "hackpadfs:", err)
		os.Exit(1)
	}
}

func run(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var opts []smbfs.Option
	if pw, ok := os.LookupEnv("SMB_PASSWORD"); ok {
		opts = append(opts, smbfs.WithPassword(pw))
	}
	share, err := smbfs.Dial(ctx, url, opts...)
	if err != nil {
		return err
	}
	defer share.Close()

	var fsys hackpadfs.FS = share.WithContext(ctx)
	dir := fmt.Sprintf("hackpadfs-example-%d", os.Getpid())
	if err := hackpadfs.MkdirAll(fsys, dir+"/x/y", 0o755); err != nil {
		return err
	}
	defer hackpadfs.RemoveAll(fsys, dir)

	if err := hackpadfs.WriteFullFile(fsys, dir+"/x/y/note.txt", []byte("written through hackpadfs\n"), 0o644); err != nil {
		return err
	}
	if err := hackpadfs.Rename(fsys, dir+"/x/y/note.txt", dir+"/x/note.txt"); err != nil {
		return err
	}
	data, err := hackpadfs.ReadFile(fsys, dir+"/x/note.txt")
	if err != nil {
		return err
	}
	fmt.Printf("read back: %q\n", data)

	// SMB keeps only a read-only attribute: the owner-write bit.
	if err := hackpadfs.Chmod(fsys, dir+"/x/note.txt", 0o444); err != nil {
		return err
	}
	info, err := hackpadfs.Stat(fsys, dir+"/x/note.txt")
	if err != nil {
		return err
	}
	fmt.Println("after chmod 0444:", info.Mode())
	if err := hackpadfs.Chmod(fsys, dir+"/x/note.txt", 0o644); err != nil {
		return err
	}

	err = hackpadfs.WalkDir(fsys, dir, func(p string, d hackpadfs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fmt.Printf("walk: %s dir=%v\n", p, d.IsDir())
		return nil
	})
	if err != nil {
		return err
	}

	_, err = hackpadfs.Stat(fsys, dir+"/missing")
	fmt.Println("missing is hackpadfs.ErrNotExist:", errors.Is(err, hackpadfs.ErrNotExist))

	if err := hackpadfs.RemoveAll(fsys, dir); err != nil {
		return err
	}
	_, err = hackpadfs.Stat(fsys, dir)
	fmt.Println("removed:", errors.Is(err, hackpadfs.ErrNotExist))
	return nil
}
