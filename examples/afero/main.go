// Command afero uses a share through afero.Fs (github.com/spf13/afero),
// so code written against afero — its helpers, its tests' habits — runs on
// SMB unchanged: here afero.WriteFile, afero.ReadFile, afero.Walk,
// afero.TempDir and Readdirnames.
//
//	SMB_PASSWORD=... go run ./examples/afero smb://user@host/share/dir
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/afero"

	"github.com/smbfs/smbfs"
)

func main() {
	url := os.Getenv("SMBFS_TEST_URL")
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if url == "" {
		fmt.Fprintln(os.Stderr, "usage: afero smb://[user@]host/share[/dir]")
		os.Exit(2)
	}
	if err := run(url); err != nil {
		fmt.Fprintln(os.Stderr, "afero:", err)
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
	fsys, err := smbfs.Dial(ctx, url, opts...)
	if err != nil {
		return err
	}
	defer fsys.Close()

	var afs afero.Fs = fsys.WithContext(ctx).Afero()
	fmt.Println("afero backend:", afs.Name())

	// A fresh directory at the top of the share ("" would mean the
	// local system's temporary directory, which the share does not have).
	dir, err := afero.TempDir(afs, ".", "afero-example-")
	if err != nil {
		return err
	}
	defer afs.RemoveAll(dir)
	fmt.Println("temp dir made")

	if err := afs.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		return err
	}
	for _, name := range []string{"one.txt", "a/two.txt", "a/b/three.txt"} {
		if err := afero.WriteFile(afs, filepath.Join(dir, name), []byte("content of "+name+"\n"), 0o644); err != nil {
			return err
		}
	}
	data, err := afero.ReadFile(afs, filepath.Join(dir, "a/b/three.txt"))
	if err != nil {
		return err
	}
	fmt.Printf("read back: %q\n", data)

	err = afero.Walk(afs, dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Printf("walk: %-14s dir=%-5v size=%d\n", rel, info.IsDir(), info.Size())
		return nil
	})
	if err != nil {
		return err
	}

	f, err := afs.Open(filepath.Join(dir, "a"))
	if err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	fmt.Println("readdirnames a:", names)

	// Errors are *os.PathError matching the usual sentinels.
	_, err = afs.Stat(filepath.Join(dir, "missing"))
	var pe *os.PathError
	fmt.Println("missing is os.ErrNotExist:", errors.Is(err, os.ErrNotExist), "and an *os.PathError:", errors.As(err, &pe))

	if err := afs.RemoveAll(dir); err != nil {
		return err
	}
	_, err = afs.Stat(dir)
	fmt.Println("removed:", errors.Is(err, os.ErrNotExist))
	return nil
}
