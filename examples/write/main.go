// Command write creates, appends to, streams into, renames and removes
// files on a share with the os-style methods of *smbfs.FS, checking each
// result as it goes.
//
//	SMB_PASSWORD=... go run ./examples/write smb://user@host/share/dir
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"time"

	"github.com/smbfs/smbfs"
)

func main() {
	url := os.Getenv("SMBFS_TEST_URL")
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if url == "" {
		fmt.Fprintln(os.Stderr, "usage: write smb://[user@]host/share[/dir]")
		os.Exit(2)
	}
	if err := run(url); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
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
	// Every call below uses ctx: cancelling it cancels them on the server.
	fsys = fsys.WithContext(ctx)

	dir := fmt.Sprintf("write-example-%d", os.Getpid())
	if err := fsys.MkdirAll(path.Join(dir, "logs"), 0o755); err != nil {
		return err
	}
	defer fsys.RemoveAll(dir)
	fmt.Println("made", dir+"/logs")

	// WriteFile: one round trip, on stable storage when it returns.
	log := path.Join(dir, "logs", "12:30.log") // ':' is mapped, not an error
	if err := fsys.WriteFile(log, []byte("first line\n"), 0o644); err != nil {
		return err
	}
	// OpenFile with O_APPEND, as with os.
	f, err := fsys.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.(*smbfs.File).WriteString("second line\n"); err != nil {
		return err
	}
	if err := f.Close(); err != nil { // write errors surface here at the latest
		return err
	}
	got, err := fsys.ReadFile(log)
	if err != nil {
		return err
	}
	fmt.Printf("appended: %q\n", got)

	// Create + io.Copy streams through the pipelined write window.
	data := make([]byte, 8<<20)
	rng := rand.NewChaCha8([32]byte{1})
	rng.Read(data)
	out, err := fsys.Create(path.Join(dir, "data.bin"))
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := io.Copy(out.(*smbfs.File), bytes.NewReader(data)); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	fmt.Printf("streamed %d MiB in %v\n", len(data)>>20, time.Since(start).Round(time.Millisecond))

	// Rename replaces an existing target, like os.Rename.
	if err := fsys.Rename(path.Join(dir, "data.bin"), path.Join(dir, "final.bin")); err != nil {
		return err
	}
	back, err := fsys.ReadFile(path.Join(dir, "final.bin"))
	if err != nil {
		return err
	}
	fmt.Printf("renamed to final.bin; read back %d bytes, sha256 match: %v\n", len(back), sha256.Sum256(back) == sha256.Sum256(data))

	// Errors are *fs.PathError matching the io/fs sentinels.
	_, err = fsys.Stat(path.Join(dir, "data.bin"))
	fmt.Println("old name gone:", errors.Is(err, fs.ErrNotExist))
	err = fsys.Mkdir(dir, 0o755)
	fmt.Println("mkdir existing is fs.ErrExist:", errors.Is(err, fs.ErrExist))

	if err := fsys.RemoveAll(dir); err != nil {
		return err
	}
	fmt.Println("removed", dir)
	return nil
}
