package smbfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
	"github.com/smbfs/smbfs/pipeline"
)

// received returns the bytes fsys's connection has received so far: a
// server-side copy moves next to nothing, a client-side one the whole file.
func received(fsys *smbfs.FS) int64 { return fsys.Client().Conn().Stats().BytesReceived }

// sameOnDisk fails unless the file name in the scratch directory dir of
// share on srv holds want, read straight from the share's directory.
func sameOnDisk(t *testing.T, srv *samba.Server, share, dir, name string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(srv.SharePath(share), dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s on disk: %d bytes, not the %d bytes copied", name, len(got), len(want))
	}
}

func TestCopy(t *testing.T) {
	root := dial(t, servers.main, "private", &user)
	fsys, dir := scratchNamed(t, root)
	for _, size := range []int{0, 1, 4095, 1<<20 + 1, 16<<20 + 3, 100 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := randomBytes(size)
			src, dst := fmt.Sprintf("src-%d", size), fmt.Sprintf("dst-%d", size)
			if err := fsys.WriteFile(src, data, 0o666); err != nil {
				t.Fatal(err)
			}
			before := received(fsys)
			start := time.Now()
			if err := fsys.Copy(src, dst); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			moved := received(fsys) - before
			sameOnDisk(t, servers.main, "private", dir, dst, data)
			if fi, err := fsys.Stat(dst); err != nil || fi.Size() != int64(size) {
				t.Fatalf("Stat %s: %v, %v", dst, fi, err)
			}
			// Each request costs a response of a few hundred bytes at
			// most; the data itself must not come back.
			if moved > 64<<10 {
				t.Errorf("copying %d bytes server-side received %d bytes", size, moved)
			}
			t.Logf("%d bytes in %v, %d bytes received", size, elapsed, moved)
		})
	}
}

// TestCopySignedAndEncrypted runs the copy-chunk requests through signing
// and encryption.
func TestCopySignedAndEncrypted(t *testing.T) {
	for _, srv := range []*samba.Server{servers.signing, servers.encrypt} {
		t.Run(srv.Name(), func(t *testing.T) {
			fsys, dir := scratchNamed(t, dial(t, srv, "private", &user))
			data := randomBytes(20<<20 + 1)
			if err := fsys.WriteFile("src", data, 0o666); err != nil {
				t.Fatal(err)
			}
			before := received(fsys)
			if err := fsys.Copy("src", "dst"); err != nil {
				t.Fatal(err)
			}
			if moved := received(fsys) - before; moved > 64<<10 {
				t.Errorf("server-side copy received %d bytes", moved)
			}
			sameOnDisk(t, srv, "private", dir, "dst", data)
		})
	}
}

// TestCopyReplacesAndKeepsSelf checks that Copy replaces a longer
// destination entirely, and that copying a file onto itself keeps it.
func TestCopyReplacesAndKeepsSelf(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	data := randomBytes(3<<20 + 17)
	if err := fsys.WriteFile("src", data, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := fsys.WriteFile("dst", randomBytes(5<<20), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"src", "dst"}, {"src", "src"}} {
		if err := fsys.Copy(c[0], c[1]); err != nil {
			t.Fatalf("Copy %s %s: %v", c[0], c[1], err)
		}
		got, err := fsys.ReadFile(c[1])
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s after Copy %s %s: %d bytes, %v", c[1], c[0], c[1], len(got), err)
		}
	}
}

// TestCopyAdaptsToServerLimits starts from limits four times Samba's (256
// chunks of 1 MiB, 16 MiB per request): the first request is refused with
// Samba's limits, and the copy goes on with them.
func TestCopyAdaptsToServerLimits(t *testing.T) {
	fsys, dir := scratchNamed(t, dial(t, servers.main, "private", &user))
	data := randomBytes(50<<20 + 12345)
	if err := fsys.WriteFile("src", data, 0o666); err != nil {
		t.Fatal(err)
	}
	big := pipeline.CopyLimits{MaxChunks: 1024, MaxChunkSize: 4 << 20, MaxTotal: 64 << 20}
	res, err := fsys.CopyForTest("src", "dst", pipeline.CopyOptions{Limits: big})
	if err != nil {
		t.Fatal(err)
	}
	sameOnDisk(t, servers.main, "private", dir, "dst", data)
	samba := pipeline.CopyLimits{MaxChunks: 256, MaxChunkSize: 1 << 20, MaxTotal: 16 << 20}
	if !res.Adapted || res.Limits != samba || res.ServerSide != int64(len(data)) || res.Fallback != nil {
		t.Fatalf("result %+v; want every byte server-side with the limits adapted to %+v", res, samba)
	}
}

// TestCopyClientSideFallback forces the fallback: the bytes are the same,
// and they crossed the wire.
func TestCopyClientSideFallback(t *testing.T) {
	for _, srv := range []*samba.Server{servers.main, servers.smallio} {
		t.Run(srv.Name(), func(t *testing.T) {
			fsys, dir := scratchNamed(t, dial(t, srv, "private", &user))
			data := randomBytes(20<<20 + 999)
			if err := fsys.WriteFile("src", data, 0o666); err != nil {
				t.Fatal(err)
			}
			before := received(fsys)
			res, err := fsys.CopyForTest("src", "dst", pipeline.CopyOptions{ClientSide: true})
			if err != nil {
				t.Fatal(err)
			}
			sameOnDisk(t, srv, "private", dir, "dst", data)
			if res.ServerSide != 0 || res.Bytes != int64(len(data)) || res.Fallback == nil {
				t.Errorf("result %+v; want a client-side copy of %d bytes", res, len(data))
			}
			if moved := received(fsys) - before; moved < int64(len(data)) {
				t.Errorf("a client-side copy of %d bytes received only %d", len(data), moved)
			}
		})
	}
}

func TestCopyErrors(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	if err := fsys.WriteFile("file", []byte("data"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Mkdir("dir", 0o777); err != nil {
		t.Fatal(err)
	}
	ro := dial(t, servers.main, "ro", nil)
	tests := []struct {
		name     string
		fsys     *smbfs.FS
		src, dst string
		want     error
	}{
		{"missing source", fsys, "missing", "new", fs.ErrNotExist},
		{"missing source directory", fsys, "nodir/file", "new", fs.ErrNotExist},
		{"destination directory missing", fsys, "file", "nodir/new", fs.ErrNotExist},
		{"destination is a directory", fsys, "file", "dir", syscall.EISDIR},
		{"source is a directory", fsys, "dir", "new", syscall.EISDIR},
		{"invalid source name", fsys, "../file", "new", fs.ErrInvalid},
		{"invalid destination name", fsys, "file", "a//b", fs.ErrInvalid},
		{"read-only share", ro, samba.ROFileName, "copy.txt", fs.ErrPermission},
		{"read-only share, onto the source", ro, samba.ROFileName, samba.ROFileName, fs.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fsys.Copy(tt.src, tt.dst)
			var le *os.LinkError
			if !errors.Is(err, tt.want) || !errors.As(err, &le) || le.Old != tt.src || le.New != tt.dst {
				t.Fatalf("Copy(%q, %q) = %v; want an *os.LinkError matching %v", tt.src, tt.dst, err, tt.want)
			}
		})
	}
	if _, err := fsys.Stat("new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed copy left its destination: %v", err)
	}
	if got, err := ro.ReadFile(samba.ROFileName); err != nil || string(got) != samba.ROFileContent {
		t.Errorf("read-only file after failed copies: %q, %v", got, err)
	}
}

// openPair opens src for reading, after reading skip bytes of it, and
// creates dst holding head, its offset after head.
func openPair(t *testing.T, srcFS, dstFS *smbfs.FS, src, dst string, skip int, head string, dstFlag int) (*smbfs.File, *smbfs.File) {
	t.Helper()
	sf, err := srcFS.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sf.Close() })
	if _, err := io.ReadFull(sf, make([]byte, skip)); err != nil {
		t.Fatal(err)
	}
	df, err := dstFS.OpenFile(dst, dstFlag|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := df.(*smbfs.File).WriteString(head); err != nil {
		t.Fatal(err)
	}
	return sf.(*smbfs.File), df.(*smbfs.File)
}

// offset returns f's file offset.
func offset(t *testing.T, f *smbfs.File) int64 {
	t.Helper()
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		t.Fatal(err)
	}
	return off
}

// TestIOCopyBetweenFiles copies between two Files of one share with
// io.Copy (through File.WriteTo), File.ReadFrom and io.CopyN (through
// File.ReadFrom with an io.LimitedReader): the server copies, from the
// source's offset to the destination's, and both offsets advance.
func TestIOCopyBetweenFiles(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	data := randomBytes(33<<20 + 5)
	if err := fsys.WriteFile("src", data, 0o666); err != nil {
		t.Fatal(err)
	}
	const skip, head = 1000, "head:"
	tests := []struct {
		name  string
		flag  int
		limit int64 // -1: to the end
		copy  func(dst, src *smbfs.File, limit int64) (int64, error)
	}{
		{"io.Copy", os.O_RDWR, -1, func(dst, src *smbfs.File, _ int64) (int64, error) { return io.Copy(dst, src) }},
		{"ReadFrom, write-only destination", os.O_WRONLY, -1, func(dst, src *smbfs.File, _ int64) (int64, error) { return dst.ReadFrom(src) }},
		{"io.CopyN", os.O_RDWR, 20<<20 + 1, func(dst, src *smbfs.File, n int64) (int64, error) { return io.CopyN(dst, src, n) }},
		{"io.CopyN past the end", os.O_RDWR, 40 << 20, func(dst, src *smbfs.File, n int64) (int64, error) { return io.CopyN(dst, src, n) }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dstName := fmt.Sprintf("dst%d", i)
			sf, df := openPair(t, fsys, fsys, "src", dstName, skip, head, tt.flag)
			want := data[skip:]
			if tt.limit >= 0 && tt.limit < int64(len(want)) {
				want = want[:tt.limit]
			}
			before := received(fsys)
			n, err := tt.copy(df, sf, tt.limit)
			if tt.limit > int64(len(data)-skip) {
				if err != io.EOF { // io.CopyN's report of a short source
					t.Fatalf("CopyN past the end: %d, %v", n, err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(want)) {
				t.Fatalf("copied %d bytes, want %d", n, len(want))
			}
			if moved := received(fsys) - before; moved > 64<<10 {
				t.Errorf("a server-side copy of %d bytes received %d bytes", n, moved)
			}
			if got := offset(t, sf); got != int64(skip)+n {
				t.Errorf("source offset %d, want %d", got, int64(skip)+n)
			}
			if got := offset(t, df); got != int64(len(head))+n {
				t.Errorf("destination offset %d, want %d", got, int64(len(head))+n)
			}
			// Writing on goes where the copy ended.
			if _, err := df.WriteString(":tail"); err != nil {
				t.Fatal(err)
			}
			if err := df.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := fsys.ReadFile(dstName)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, slices.Concat([]byte(head), want, []byte(":tail"))) {
				t.Fatalf("%s: %d bytes, not head + %d copied + tail", dstName, len(got), len(want))
			}
		})
	}
}

// TestIOCopyAcrossConnections copies between Files that live on different
// connections — another share, another server — where no server can copy:
// the data streams through the client, and offsets advance all the same.
func TestIOCopyAcrossConnections(t *testing.T) {
	srcFS := scratch(t, dial(t, servers.main, "private", &user))
	data := randomBytes(12<<20 + 77)
	if err := srcFS.WriteFile("src", data, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		srv   *samba.Server
		share string
	}{
		{"other share", servers.main, "public"},
		{"other server", servers.smallio, "private"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := &user
			if tt.share == "public" {
				u = nil
			}
			dstFS, dir := scratchNamed(t, dial(t, tt.srv, tt.share, u))
			sf, df := openPair(t, srcFS, dstFS, "src", "dst", 10, "", os.O_RDWR)
			before := received(srcFS)
			n, err := io.Copy(df, sf)
			if err != nil || n != int64(len(data)-10) {
				t.Fatalf("io.Copy: %d, %v", n, err)
			}
			if moved := received(srcFS) - before; moved < n {
				t.Errorf("the source connection received %d bytes of the %d copied through the client", moved, n)
			}
			if got := offset(t, sf); got != int64(len(data)) {
				t.Errorf("source offset %d, want %d", got, len(data))
			}
			if err := df.Close(); err != nil {
				t.Fatal(err)
			}
			sameOnDisk(t, tt.srv, tt.share, dir, "dst", data[10:])
		})
	}
}

// TestIOCopyBadModes checks the errors os gives: copying from a write-only
// File or into a read-only one fails with EBADF and copies nothing.
func TestIOCopyBadModes(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	if err := fsys.WriteFile("a", []byte("aaaa"), 0o666); err != nil {
		t.Fatal(err)
	}
	ro, err := fsys.Open("a")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	wo, err := fsys.OpenFile("b", os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	defer wo.Close()
	if n, err := wo.(*smbfs.File).WriteTo(ro.(*smbfs.File)); n != 0 || !errors.Is(err, syscall.EBADF) {
		t.Errorf("WriteTo from a write-only file: %d, %v", n, err)
	}
	if n, err := ro.(*smbfs.File).ReadFrom(wo.(*smbfs.File)); n != 0 || !errors.Is(err, syscall.EBADF) {
		t.Errorf("ReadFrom into a read-only file: %d, %v", n, err)
	}
}

// BenchmarkCopy compares a server-side Copy of a 100 MiB file with the
// client-side copy of the fallback (READs and WRITEs through the window) on
// the same loopback Samba; each iteration copies onto the same destination
// and ends with FLUSH. docs/benchmarks.md has the figures:
//
//	go test -run '^$' -bench '^BenchmarkCopy$' -benchtime 10x -count 8 .
func BenchmarkCopy(b *testing.B) {
	fsys := scratch(b, dial(b, servers.main, "private", &user))
	const size = 100 << 20
	if err := fsys.WriteFile("src", randomBytes(size), 0o666); err != nil {
		b.Fatal(err)
	}
	for _, bm := range []struct {
		name string
		o    pipeline.CopyOptions
	}{
		{"server-side", pipeline.CopyOptions{}},
		{"client-side", pipeline.CopyOptions{ClientSide: true}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				if _, err := fsys.CopyForTest("src", "dst", bm.o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
