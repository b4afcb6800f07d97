package smbfs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
)

func TestBatch(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	var ops []smbfs.BatchOp
	want := map[string][]byte{}
	for i := range 50 {
		name := fmt.Sprintf("f%02d", i)
		want[name] = randomBytes(i * 3000)
		ops = append(ops, smbfs.WriteFileOp(name, want[name], 0o666))
	}
	ops = append(ops, smbfs.MkdirOp("dir", 0o777), smbfs.WriteFileOp("bad/../x", nil, 0o666))
	before := fsys.Client().Conn().Stats()
	res := fsys.Batch(ops...)
	for i, r := range res[:51] {
		if r.Err != nil {
			t.Fatalf("op %d: %v", i, r.Err)
		}
	}
	if !errors.Is(res[51].Err, fs.ErrInvalid) {
		t.Fatalf("invalid name in a batch: %v", res[51].Err)
	}
	after := fsys.Client().Conn().Stats()
	// 49 writes of CREATE+WRITE+FLUSH+CLOSE, one empty file without the
	// WRITE, and one mkdir of CREATE+CLOSE: nothing else.
	if got, want := after.Requests-before.Requests, int64(49*4+3+2); got != want {
		t.Errorf("batch sent %d messages; want %d", got, want)
	}

	ops = ops[:0]
	for i := range 50 {
		ops = append(ops, smbfs.ReadFileOp(fmt.Sprintf("f%02d", i)))
	}
	ops = append(ops, smbfs.StatOp("f10"), smbfs.ReadDirOp("."), smbfs.ReadFileOp("missing"),
		smbfs.RenameOp("f01", "dir/f01"), smbfs.RemoveOp("f02"), smbfs.RemoveOp("dir"))
	res = fsys.Batch(ops...)
	for i := range 50 {
		name := fmt.Sprintf("f%02d", i)
		if res[i].Err != nil || !bytes.Equal(res[i].Data, want[name]) {
			t.Fatalf("ReadFileOp %s: %d bytes, %v", name, len(res[i].Data), res[i].Err)
		}
	}
	if fi := res[50].Info; res[50].Err != nil || fi.Size() != 30000 || fi.Name() != "f10" {
		t.Errorf("StatOp: %v %v", fi, res[50].Err)
	}
	if n := len(res[51].Entries); res[51].Err != nil || n != 51 {
		t.Errorf("ReadDirOp: %d entries, %v", n, res[51].Err)
	}
	if !errors.Is(res[52].Err, fs.ErrNotExist) {
		t.Errorf("ReadFileOp missing: %v", res[52].Err)
	}
	if res[53].Err != nil || res[54].Err != nil {
		t.Errorf("rename %v, remove %v", res[53].Err, res[54].Err)
	}
	// "dir" was not empty, or the rename into it had not happened yet:
	// either way the failure is reported and the others are unaffected.
	if res[55].Err != nil && !errors.Is(res[55].Err, syscall.ENOTEMPTY) {
		t.Errorf("remove dir: %v", res[55].Err)
	}
}

func TestDownloadUploadProgressAndCancel(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	data := randomBytes(20<<20 + 3)
	var reports []smbfs.Progress
	n, err := fsys.Upload("big", bytes.NewReader(data), smbfs.WithProgressInterval(time.Nanosecond),
		smbfs.WithProgress(func(p smbfs.Progress) error { reports = append(reports, p); return nil }))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Upload: %d, %v", n, err)
	}
	last := reports[len(reports)-1]
	if len(reports) < 3 || last.Done != int64(len(data)) || last.Total != int64(len(data)) || last.Rate <= 0 {
		t.Errorf("progress reports: %d, last %+v", len(reports), last)
	}
	var out bytes.Buffer
	if n, err := fsys.Download("big", &out); err != nil || n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("Download: %d, %v", n, err)
	}

	// The progress function stops a transfer.
	stop := errors.New("enough")
	n, err = fsys.Download("big", io.Discard, smbfs.WithProgressInterval(time.Nanosecond),
		smbfs.WithProgress(func(p smbfs.Progress) error {
			if p.Done > 4<<20 {
				return stop
			}
			return nil
		}))
	if !errors.Is(err, stop) || n >= int64(len(data)) {
		t.Errorf("stopped download: %d, %v", n, err)
	}
	// So does the context.
	ctx, cancel := context.WithCancel(context.Background())
	src := io.MultiReader(bytes.NewReader(data[:8<<20]), readerFunc(func(p []byte) (int, error) {
		cancel()
		return 0, io.EOF
	}))
	_, err = fsys.WithContext(ctx).Upload("cancelled", src)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled upload: %v", err)
	}
	// The connection is fine afterwards.
	if _, err := fsys.Stat("big"); err != nil {
		t.Fatal(err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// TestStreamOneGiBBoundedMemory builds examples/stream without the race
// detector (which multiplies memory) and streams 1 GiB up, then down, each
// in a process of its own: each process's peak RSS must stay under 64 MiB.
func TestStreamOneGiBBoundedMemory(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "stream")
	if out, err := exec.Command("go", "build", "-o", bin, "./examples/stream").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, phase := range []string{"up", "down"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		out, err := exec.CommandContext(ctx, bin, "-q", "-phase", phase, "-size", "1GiB", "-name", "stream-1gib.bin", servers.main.URL("private", &user)).CombinedOutput()
		cancel()
		t.Logf("%s: %s", phase, out)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`peak RSS (\d+) KiB`).FindSubmatch(out)
		if m == nil {
			t.Fatal("no peak RSS in the output")
		}
		if kib, _ := strconv.Atoi(string(m[1])); kib >= 64<<10 {
			t.Fatalf("%s: peak RSS %d KiB; want under 64 MiB", phase, kib)
		}
	}
}
