// Command demo walks through smbfs against a share: it dials, lists, writes,
// reads back, stats, walks the tree with fs.WalkDir and serves the share
// with http.FileServerFS long enough to fetch a file over HTTP — printing
// each step.
//
//	go run ./examples/demo smb://[user[:password]@]host[:port]/share
//
// `make demo` runs it against a private Samba started for the occasion
// (the URL then comes from $SMBFS_TEST_URL).
package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
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
		fmt.Fprintln(os.Stderr, "usage: demo smb://[user[:password]@]host[:port]/share")
		os.Exit(2)
	}
	if err := run(url); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// step prints a numbered heading.
func step(n int, what string) { fmt.Printf("\n%d. %s\n", n, what) }

func run(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	step(1, "Dial "+url)
	start := time.Now()
	fsys, err := smbfs.Dial(ctx, url)
	if err != nil {
		return err
	}
	defer fsys.Close()
	conn := fsys.Client().Conn()
	fmt.Printf("   connected in %v: SMB %v, max read %d KiB, signing %v, encryption %v\n",
		time.Since(start).Round(time.Millisecond), conn.Dialect(), conn.MaxReadSize()>>10,
		fsys.Client().Session().Signing(), fsys.Encrypted())

	step(2, "List the share (fs.ReadDir)")
	if err := list(fsys, "."); err != nil {
		return err
	}

	step(3, "Write demo/hello.txt and a 4 MiB file (WriteFile)")
	if err := fsys.MkdirAll("demo/nested", 0o755); err != nil {
		return err
	}
	hello := []byte("Hello from smbfs at " + time.Now().Format(time.RFC3339) + "\n")
	if err := fsys.WriteFile("demo/hello.txt", hello, 0o644); err != nil {
		return err
	}
	big := make([]byte, 4<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	start = time.Now()
	if err := fsys.WriteFile("demo/nested/big.bin", big, 0o644); err != nil {
		return err
	}
	fmt.Printf("   wrote %d + %d bytes (4 MiB in %v)\n", len(hello), len(big), time.Since(start).Round(time.Millisecond))

	step(4, "Read demo/hello.txt back (fs.ReadFile)")
	got, err := fs.ReadFile(fsys, "demo/hello.txt")
	if err != nil {
		return err
	}
	fmt.Printf("   %q (identical: %v)\n", strings.TrimSpace(string(got)), string(got) == string(hello))

	step(5, "Stat demo/nested/big.bin (fs.Stat)")
	fi, err := fs.Stat(fsys, "demo/nested/big.bin")
	if err != nil {
		return err
	}
	fmt.Printf("   %s  %d bytes  mode %v  modified %s\n", fi.Name(), fi.Size(), fi.Mode(), fi.ModTime().Format(time.RFC3339))

	step(6, "Walk the tree (fs.WalkDir)")
	err = fs.WalkDir(fsys, "demo", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		kind := "file"
		if d.IsDir() {
			kind = "dir "
		}
		fmt.Printf("   %s %s\n", kind, p)
		return nil
	})
	if err != nil {
		return err
	}

	step(7, "Serve the share with http.FileServerFS and fetch a file over HTTP")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.FileServerFS(fsys), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	u := "http://" + ln.Addr().String() + "/demo/hello.txt"
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	fmt.Printf("   GET %s -> %s, %d bytes: %q\n", u, resp.Status, len(body), strings.TrimSpace(string(body)))
	u = "http://" + ln.Addr().String() + "/demo/nested/big.bin"
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Range", "bytes=1000-1009")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("   GET %s (Range: bytes=1000-1009) -> %s, bytes % x (expected % x)\n", u, resp.Status, body, big[1000:1010])

	step(8, "Clean up (RemoveAll)")
	if err := fsys.RemoveAll("demo"); err != nil {
		return err
	}
	fmt.Println("   removed demo/")
	fmt.Println("\nDone.")
	return nil
}

// list prints the entries of dir.
func list(fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Println("   (empty)")
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return err
		}
		fmt.Printf("   %v %8d  %s\n", info.Mode(), info.Size(), e.Name())
	}
	return nil
}
