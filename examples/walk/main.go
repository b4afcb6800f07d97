// Command walk prints a directory tree on a share with fs.WalkDir, as it
// would for any io/fs file system, with sizes and a total.
//
//	SMB_PASSWORD=... go run ./examples/walk smb://user@host/share[/dir]
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/smbfs/smbfs"
)

func main() {
	url := os.Getenv("SMBFS_TEST_URL")
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if url == "" {
		fmt.Fprintln(os.Stderr, "usage: walk smb://[user@]host/share[/dir]")
		os.Exit(2)
	}
	if err := run(url); err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
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

	var files, dirs int
	var bytes int64
	err = fs.WalkDir(fsys.WithContext(ctx), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			// Report an unreadable directory and go on with the rest.
			fmt.Fprintln(os.Stderr, "walk:", err)
			return nil
		}
		if name == "." {
			return nil
		}
		indent := strings.Repeat("  ", strings.Count(name, "/"))
		if d.IsDir() {
			dirs++
			fmt.Printf("%s%s/\n", indent, d.Name())
			return nil
		}
		info, err := d.Info() // from the listing: no extra round trip
		if err != nil {
			return err
		}
		files++
		bytes += info.Size()
		fmt.Printf("%s%s (%d bytes)  %s\n", indent, d.Name(), info.Size(), name)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d directories, %d files, %d bytes\n", dirs, files, bytes)
	return nil
}
