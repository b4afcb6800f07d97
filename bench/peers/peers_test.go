package peers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smbfs/smbfs/fstest/samba"
)

// driverCase builds one variant's session.
type driverCase struct {
	name string
	dial func(ctx context.Context, t Target) (Session, error)
}

func driverCases() []driverCase {
	return []driverCase{
		{"smbfs-whole", func(ctx context.Context, t Target) (Session, error) { return DialSmbfs(ctx, t, Whole, 1) }},
		{"smbfs-whole-x4", func(ctx context.Context, t Target) (Session, error) { return DialSmbfs(ctx, t, Whole, 4) }},
		{"smbfs-open", func(ctx context.Context, t Target) (Session, error) { return DialSmbfs(ctx, t, OpenWrite, 1) }},
		{"smbfs-copy", func(ctx context.Context, t Target) (Session, error) { return DialSmbfs(ctx, t, Copy, 1) }},
		{"smbfs-batch", func(ctx context.Context, t Target) (Session, error) { return DialSmbfs(ctx, t, Batch, 1) }},
		{"go-smb2", func(ctx context.Context, t Target) (Session, error) { return DialGoSMB2(ctx, t, 1) }},
		{"go-smb2-x4", func(ctx context.Context, t Target) (Session, error) { return DialGoSMB2(ctx, t, 4) }},
		{"cloudsoda", func(ctx context.Context, t Target) (Session, error) { return DialCloudsoda(ctx, t, 1) }},
		{"cloudsoda-x4", func(ctx context.Context, t Target) (Session, error) { return DialCloudsoda(ctx, t, 4) }},
		{"smbclient", func(ctx context.Context, t Target) (Session, error) { return StartSmbclient(ctx, t) }},
	}
}

// TestDrivers runs every step of every driver against a real smbd, for
// each kind of session, and checks what reached the server.
func TestDrivers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base, err := os.MkdirTemp("", "smbbench-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	ds, err := NewDataset("mixed", 6, 10_000, 1, base)
	if err != nil {
		t.Fatal(err)
	}
	big, err := NewDataset("big", 1, 3<<20+777, 2, base) // crosses chunk sizes
	if err != nil {
		t.Fatal(err)
	}
	ds.Files = append(ds.Files, File{Name: "big.bin", Data: big.Files[0].Data})
	if err := os.WriteFile(ds.LocalDir+"/big.bin", big.Files[0].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := NewPatternSource(5<<20+123, 3, base+"/stream.bin")
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(src.Open())
	if err != nil {
		t.Fatal(err)
	}

	secs := []Security{Plain, Signed, Encrypted}
	servers := make([]*samba.Server, len(secs))
	var wg sync.WaitGroup
	errs := make([]error, len(secs))
	for i, sec := range secs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = samba.Start(ctx, ServerConfig(sec, base))
		}()
	}
	wg.Wait()
	for i := range secs {
		if servers[i] != nil {
			defer servers[i].Stop()
		}
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, sec := range secs {
		srv := servers[i]
		target := ServerTarget(srv, srv.Addr(), sec, base)
		// The stream source lives on the server too, for downloads.
		if err := os.WriteFile(srv.SharePath(ShareName)+"/stream.bin", want, 0o644); err != nil {
			t.Fatal(err)
		}
		helper, err := DialCloudsoda(ctx, ServerTarget(srv, srv.Addr(), sec, base), 1)
		if err != nil {
			t.Fatal(err)
		}
		defer helper.Close()
		for _, dc := range driverCases() {
			t.Run(sec.String()+"/"+dc.name, func(t *testing.T) {
				testDriver(ctx, t, dc, target, helper, ds, src, want)
			})
		}
	}
}

func testDriver(ctx context.Context, t *testing.T, dc driverCase, target Target, helper *Cloudsoda, ds *Dataset, src Source, want []byte) {
	sess, err := dc.dial(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sess.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	dir := "t-" + dc.name
	if err := helper.Mkdir(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer helper.RemoveAll(ctx, dir)
	measured := 0
	// step runs one step; ErrNotMeasured and ErrPending make the helper do it.
	step := func(name string, err error, fallback func() error) {
		t.Helper()
		switch {
		case errors.Is(err, ErrNotMeasured), errors.Is(err, ErrPending):
			if fallback != nil {
				if ferr := fallback(); ferr != nil {
					t.Fatalf("%s (helper): %v", name, ferr)
				}
			}
		case err != nil && strings.Contains(err.Error(), "signing required") && dc.name[:7] == "go-smb2":
			// go-smb2 v1.1.0 rejects any unsigned response on a signed
			// session, including the unsigned interim (STATUS_PENDING)
			// responses Samba sends when an aio request takes a while.
			t.Skipf("%s: known go-smb2 v1.1.0 limitation: %v", name, err)
		case err != nil:
			t.Fatalf("%s: %v", name, err)
		default:
			measured++
		}
	}

	step("upload", sess.Upload(ctx, dir, ds), func() error { return helper.Upload(ctx, dir, ds) })
	for _, f := range ds.Files {
		got, err := helper.ReadFile(ctx, dir+"/"+f.Name)
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Fatalf("uploaded %s: %d bytes, err %v; want %d bytes equal", f.Name, len(got), err, len(f.Data))
		}
	}
	n, err := sess.List(ctx, dir)
	step("list", err, nil)
	if err == nil && n != len(ds.Files) {
		t.Errorf("list found %d entries, want %d", n, len(ds.Files))
	}
	got, err := sess.Download(ctx, dir, ds)
	step("download", err, nil)
	if err == nil && got != ds.Bytes() {
		t.Errorf("download read %d bytes, want %d", got, ds.Bytes())
	}
	step("delete", sess.Delete(ctx, dir, ds), func() error { return helper.Delete(ctx, dir, ds) })
	if sizes, err := helper.Sizes(ctx, dir); err != nil || len(sizes) != 0 {
		t.Errorf("after delete: %v entries, err %v", sizes, err)
	}

	var sink bytes.Buffer
	dn, err := sess.StreamDownload(ctx, "stream.bin", onlyWriter{&sink})
	step("stream download", err, nil)
	if err == nil {
		if dn != int64(len(want)) {
			t.Errorf("stream download: %d bytes, want %d", dn, len(want))
		}
		if _, isSmbclient := sess.(*Smbclient); !isSmbclient && !bytes.Equal(sink.Bytes(), want) {
			t.Errorf("stream download: content differs")
		}
	}
	up := dir + "/up.bin"
	err = sess.StreamUpload(ctx, up, src)
	step("stream upload", err, nil)
	if err == nil {
		got, err := helper.ReadFile(ctx, up)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("stream upload: %d bytes, err %v; want %d equal bytes", len(got), err, len(want))
		}
	}
	if measured == 0 {
		if _, ok := sess.(*Smbfs); !ok || sess.(*Smbfs).style != Batch {
			t.Errorf("%s measured no step", dc.name)
		}
	}
	t.Logf("%d steps measured", measured)
}

// onlyWriter hides ReadFrom, as Sink does.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }
