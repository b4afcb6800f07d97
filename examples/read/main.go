// Command read dials a share, lists its top directory and prints a file:
// the smallest useful smbfs program.
//
//	SMB_PASSWORD=... go run ./examples/read smb://user@host/share [file]
//
// Without a file name it prints the first regular file it lists.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/smbfs/smbfs"
)

func main() {
	url, name := os.Getenv("SMBFS_TEST_URL"), ""
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if len(os.Args) > 2 {
		name = os.Args[2]
	}
	if url == "" {
		fmt.Fprintln(os.Stderr, "usage: read smb://[user@]host/share[/dir] [file]")
		os.Exit(2)
	}
	if err := run(url, name); err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		os.Exit(1)
	}
}

func run(url, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Dial connects, logs in and mounts the share in one step; the
	// password stays out of the URL.
	var opts []smbfs.Option
	if pw, ok := os.LookupEnv("SMB_PASSWORD"); ok {
		opts = append(opts, smbfs.WithPassword(pw))
	}
	fsys, err := smbfs.Dial(ctx, url, opts...)
	if err != nil {
		return err
	}
	defer fsys.Close()
	fmt.Printf("connected: SMB %v\n", fsys.Client().Conn().Dialect())

	// From here on it is plain io/fs.
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return err
		}
		fmt.Printf("%s %8d %s\n", info.Mode(), info.Size(), e.Name())
		if name == "" && info.Mode().IsRegular() {
			name = e.Name()
		}
	}
	if name == "" {
		fmt.Println("(no file to read)")
		return nil
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	fmt.Printf("--- %s (%d bytes)\n%s", name, len(data), data)
	return nil
}
