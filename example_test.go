package smbfs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"strings"
	"time"

	"github.com/smbfs/smbfs"
)

// The examples run against the private Samba that TestMain starts; in a
// program the URL would be something like "smb://alice@fileserver/share".
func shareURL(share string) string { return servers.main.URL(share, &user) }
func serverURL() string            { return strings.TrimSuffix(servers.main.URL("", &user), "/") }

func ExampleDial() {
	ctx := context.Background()
	fsys, err := smbfs.Dial(ctx, shareURL("private"))
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()

	if err := fsys.WriteFile("example-dial.txt", []byte("hello, share\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	defer fsys.Remove("example-dial.txt")
	data, err := fs.ReadFile(fsys, "example-dial.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(data))
	// Output: hello, share
}

func ExampleConnect() {
	ctx := context.Background()
	client, err := smbfs.Connect(ctx, serverURL())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	shares, err := client.Shares(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range shares {
		if !s.Hidden {
			fmt.Println(s.Name, "-", s.Comment)
		}
	}
	ro, err := client.Mount(ctx, "ro")
	if err != nil {
		log.Fatal(err)
	}
	data, err := fs.ReadFile(ro, "hello.txt")
	fmt.Printf("%q %v\n", data, err)
	// Unordered output:
	// private - writable, smbuser only
	// public - writable, guest ok
	// ro - read only, guest ok
	// secret - encryption required on this share
	// "hello from the read-only share\n" <nil>
}

func ExampleFS_WithContext() {
	fsys, err := smbfs.Dial(context.Background(), shareURL("private"))
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()

	// Operations on the view use ctx: here it has already ended.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = fsys.WithContext(ctx).Stat(".")
	fmt.Println(errors.Is(err, context.Canceled))
	// Output: true
}

func ExampleFS_Batch() {
	fsys, err := smbfs.Dial(context.Background(), shareURL("private"))
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()

	// Every operation of a batch is in flight before the first answer.
	var writes []smbfs.BatchOp
	for i := range 3 {
		writes = append(writes, smbfs.WriteFileOp(fmt.Sprintf("example-batch-%d.txt", i), []byte("data"), 0o644))
	}
	fsys.Batch(writes...)
	results := fsys.Batch(
		smbfs.StatOp("example-batch-1.txt"),
		smbfs.ReadFileOp("example-batch-2.txt"),
		smbfs.ReadFileOp("no-such-file"),
		smbfs.RemoveOp("example-batch-0.txt"),
		smbfs.RemoveOp("example-batch-1.txt"),
		smbfs.RemoveOp("example-batch-2.txt"),
	)
	fmt.Println(results[0].Info.Size())
	fmt.Printf("%s\n", results[1].Data)
	fmt.Println(errors.Is(results[2].Err, fs.ErrNotExist))
	fmt.Println(results[3].Err, results[4].Err, results[5].Err)
	// Output:
	// 4
	// data
	// true
	// <nil> <nil> <nil>
}

func ExampleFS_Upload() {
	fsys, err := smbfs.Dial(context.Background(), shareURL("private"))
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()

	var last smbfs.Progress
	src := bytes.NewReader(make([]byte, 10<<20))
	n, err := fsys.Upload("example-upload.bin", src, smbfs.WithProgress(func(p smbfs.Progress) error {
		last = p
		return nil // a non-nil error would stop the transfer
	}))
	defer fsys.Remove("example-upload.bin")
	fmt.Println(n, err, last.Done == last.Total)
	// Output: 10485760 <nil> true
}

func ExampleFS_Watch() {
	fsys, err := smbfs.Dial(context.Background(), shareURL("private"))
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()
	if err := fsys.Mkdir("example-watch", 0o755); err != nil {
		log.Fatal(err)
	}
	defer fsys.RemoveAll("example-watch")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w, err := fsys.Watch(ctx, "example-watch")
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	time.Sleep(200 * time.Millisecond) // let the server register the watch

	fsys.WriteFile("example-watch/new.txt", nil, 0o644)
	for ev := range w.Events {
		if ev.Has(smbfs.OpCreate) {
			fmt.Println(ev.Op&smbfs.OpCreate, ev.Name)
			break
		}
	}
	// Output: CREATE example-watch/new.txt
}

func ExampleClient_Stats() {
	fsys, err := smbfs.Dial(context.Background(), shareURL("private"))
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()

	fs.ReadDir(fsys, ".")
	st := fsys.Client().Stats()
	fmt.Println(st.Dialect, st.Requests > 0, len(st.Outstanding))
	// Output: 3.1.1 true 0
}

func ExampleFile_ReadFrom() {
	fsys, err := smbfs.Dial(context.Background(), shareURL("private"))
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()

	// io.Copy into a File keeps the pipelined window full (File.ReadFrom);
	// out of one, File.WriteTo does the same with read-ahead.
	f, err := fsys.Create("example-copy.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Remove("example-copy.txt")
	io.Copy(f.(io.Writer), strings.NewReader("copied through the window\n"))
	if err := f.Close(); err != nil { // flushes: the data is on stable storage
		log.Fatal(err)
	}
	r, _ := fsys.Open("example-copy.txt")
	defer r.Close()
	var out strings.Builder
	io.Copy(&out, r)
	fmt.Print(out.String())
	// Output: copied through the window
}
