package smbfs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
	"github.com/smbfs/smbfs/protocol/wire"
)

// populate writes the tree TestFS checks: nested and empty directories, an
// empty file, a multi-MiB file and non-ASCII names. It returns the files.
func populate(t *testing.T, fsys *smbfs.FS) []string {
	t.Helper()
	files := map[string][]byte{
		"a.txt":                   []byte("alpha\n"),
		"empty.txt":               nil,
		"dir/b.txt":               []byte("bravo\n"),
		"dir/sub/c.txt":           []byte("charlie\n"),
		"dir/sub/deeper/d.bin":    randomBytes(1000),
		"big.bin":                 randomBytes(3<<20 + 12345),
		"ünïcödé/日本語.txt":         []byte("こんにちは\n"),
		"emoji-😀/crème brûlée.md": []byte("# dessert\n"),
	}
	for _, d := range []string{"dir/sub/deeper", "emptydir", "dir/emptysub", "ünïcödé", "emoji-😀"} {
		if err := fsys.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for name, data := range files {
		if err := fsys.WriteFile(name, data, 0o666); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return append(names, "emptydir", "dir/emptysub")
}

func TestTestFS(t *testing.T) {
	cases := []struct {
		name  string
		srv   func() *samba.Server
		share string
		user  *samba.User
	}{
		{"guest", func() *samba.Server { return servers.main }, "public", nil},
		{"user-signing-mandatory", func() *samba.Server { return servers.signing }, "private", &user},
		{"user-encrypted", func() *samba.Server { return servers.encrypt }, "private", &user},
		{"small-max-io", func() *samba.Server { return servers.smallio }, "private", &user},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fsys := scratch(t, dial(t, c.srv(), c.share, c.user))
			expected := populate(t, fsys)
			if err := fstest.TestFS(fsys, expected...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// sizes are the boundary sizes every variant must round-trip exactly.
var sizes = []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 8<<20 + 1}

func TestRoundTripSizes(t *testing.T) {
	variants := []struct {
		name  string
		srv   func() *samba.Server
		share string
		user  *samba.User
	}{
		{"guest", func() *samba.Server { return servers.main }, "public", nil},
		{"user", func() *samba.Server { return servers.main }, "private", &user},
		{"share-encrypted", func() *samba.Server { return servers.main }, "secret", &user},
		{"signing-mandatory", func() *samba.Server { return servers.signing }, "private", &user},
		{"encrypt-required", func() *samba.Server { return servers.encrypt }, "private", &user},
		{"small-max-io", func() *samba.Server { return servers.smallio }, "public", nil},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			fsys := scratch(t, dial(t, v.srv(), v.share, v.user))
			for _, n := range sizes {
				data := randomBytes(n)
				name := "f" + strings.Repeat("x", n%7)
				// WriteFile / ReadFile.
				if err := fsys.WriteFile(name, data, 0o666); err != nil {
					t.Fatalf("WriteFile %d: %v", n, err)
				}
				got, err := fsys.ReadFile(name)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("ReadFile %d bytes: got %d bytes, equal=%v, err %v", n, len(got), bytes.Equal(got, data), err)
				}
				// Create + io.Copy in, Open + io.Copy out (32 KiB at a time).
				f, err := fsys.Create(name + ".copy")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(f.(io.Writer), bytes.NewReader(data)); err != nil {
					t.Fatalf("copy in %d: %v", n, err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				r, err := fsys.Open(name + ".copy")
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				if _, err := io.Copy(&out, r); err != nil {
					t.Fatalf("copy out %d: %v", n, err)
				}
				r.Close()
				if !bytes.Equal(out.Bytes(), data) {
					t.Fatalf("streamed %d bytes: got %d, mismatch", n, out.Len())
				}
				// One big ReadAt through the window.
				if n > 0 {
					f, _ := fsys.Open(name)
					buf := make([]byte, n)
					m, err := f.(io.ReaderAt).ReadAt(buf, 0)
					f.Close()
					if m != n || (err != nil && err != io.EOF) || !bytes.Equal(buf, data) {
						t.Fatalf("ReadAt %d: %d, %v", n, m, err)
					}
				}
			}
		})
	}
}

func TestWrongPasswordIsPermissionError(t *testing.T) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bad := samba.User{Name: user.Name, Password: "not-the-password"}
	_, err := smbfs.Dial(ctx, servers.main.URL("private", &bad))
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("wrong password: %v; want an error matching fs.ErrPermission", err)
	}
	var st wire.Status
	if !errors.As(err, &st) || st != wire.StatusLogonFailure {
		t.Errorf("NTSTATUS not reachable or unexpected: %v", st)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestUnknownShareIsNotExist(t *testing.T) {
	ctx := context.Background()
	_, err := smbfs.Dial(ctx, servers.main.URL("no-such-share", &user))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("unknown share: %v", err)
	}
}

func TestSMB1OnlyServer(t *testing.T) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := smbfs.Dial(ctx, servers.smb1.URL("public", nil))
	if err == nil {
		t.Fatal("an SMB1-only server accepted the connection")
	}
	if !errors.Is(err, smbfs.ErrNotSMB2) || !strings.Contains(err.Error(), "does not speak SMB 2/3") {
		t.Fatalf("SMB1-only server: %v; want ErrNotSMB2", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestSixtyFourGoroutinesOneConnection(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := path.Join("g", string(rune('a'+i%26))+strings.Repeat("_", i/26), "file.bin")
			data := randomBytes(1000 + i*4099)
			if err := fsys.MkdirAll(path.Dir(name), 0o777); err != nil {
				errs <- err
				return
			}
			for round := range 3 {
				if err := fsys.WriteFile(name, data, 0o666); err != nil {
					errs <- err
					return
				}
				got, err := fsys.ReadFile(name)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, data) {
					errs <- errors.New(name + ": wrong bytes")
					return
				}
				data[round]++
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestReadOnlyShare(t *testing.T) {
	fsys := dial(t, servers.main, "ro", nil)
	got, err := fsys.ReadFile(samba.ROFileName)
	if err != nil || string(got) != samba.ROFileContent {
		t.Fatalf("ReadFile: %q, %v", got, err)
	}
	if err := fsys.WriteFile("new.txt", []byte("x"), 0o666); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("write on a read-only share: %v; want fs.ErrPermission", err)
	}
	if err := fsys.Remove(samba.ROFileName); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("remove on a read-only share: %v; want fs.ErrPermission", err)
	}
	if err := fsys.Mkdir("d", 0o777); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("mkdir on a read-only share: %v; want fs.ErrPermission", err)
	}
}

func TestEncryption(t *testing.T) {
	t.Run("share-flag", func(t *testing.T) {
		fsys := dial(t, servers.main, "secret", &user)
		if !fsys.Encrypted() {
			t.Fatal("the share requires encryption but the tree is not encrypted")
		}
		if fsys.Client().Session().Encrypted() {
			t.Error("a share's flag must not encrypt the whole session")
		}
	})
	t.Run("server-required", func(t *testing.T) {
		fsys := dial(t, servers.encrypt, "private", &user)
		if !fsys.Client().Session().Encrypted() {
			t.Fatal("the server requires encryption but the session is not encrypted")
		}
	})
	// 3.0 and 3.0.2 encrypt with AES-128-CCM; 3.1.1 negotiates GCM.
	for _, d := range []smbfs.Dialect{smbfs.SMB30, smbfs.SMB302, smbfs.SMB311} {
		t.Run("dialect-"+d.String(), func(t *testing.T) {
			fsys := scratch(t, dial(t, servers.encrypt, "private", &user, smbfs.WithDialects(d, d)))
			data := randomBytes(3<<20 + 7)
			if err := fsys.WriteFile("x", data, 0o666); err != nil {
				t.Fatal(err)
			}
			got, err := fsys.ReadFile("x")
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back: %v", err)
			}
		})
	}
	t.Run("guest-refused", func(t *testing.T) {
		_, err := smbfs.Dial(context.Background(), servers.main.URL("secret", nil))
		if err == nil {
			t.Fatal("a guest mounted a share that requires encryption")
		}
	})
	t.Run("smb2-refused", func(t *testing.T) {
		_, err := smbfs.Dial(context.Background(), servers.encrypt.URL("private", &user), smbfs.WithDialects(smbfs.SMB202, smbfs.SMB21))
		if err == nil {
			t.Fatal("an SMB 2.1 session got into an encryption-required server")
		}
	})
}

func TestSigningMandatory(t *testing.T) {
	fsys := dial(t, servers.signing, "private", &user)
	if !fsys.Client().Session().Signing() {
		t.Fatal("the server requires signing but the session does not sign")
	}
	for _, d := range []smbfs.Dialect{smbfs.SMB202, smbfs.SMB21, smbfs.SMB30, smbfs.SMB302, smbfs.SMB311} {
		t.Run(d.String(), func(t *testing.T) {
			fsys := scratch(t, dial(t, servers.signing, "private", &user, smbfs.WithDialects(d, d)))
			data := randomBytes(200 << 10)
			if err := fsys.WriteFile("x", data, 0o666); err != nil {
				t.Fatal(err)
			}
			got, err := fsys.ReadFile("x")
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back: %v", err)
			}
		})
	}
	// Guests get in unsigned (Samba admits them even here).
	g := scratch(t, dial(t, servers.signing, "public", nil))
	if err := g.WriteFile("g", []byte("guest"), 0o666); err != nil {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	_, err := fsys.Stat("missing")
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "stat" || pe.Path != "missing" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat missing: %#v", err)
	}
	var st wire.Status
	if !errors.As(err, &st) || st != wire.StatusObjectNameNotFound {
		t.Errorf("NTSTATUS: %v", st)
	}
	if err := fsys.Mkdir("d", 0o777); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Mkdir("d", 0o777); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Mkdir twice: %v", err)
	}
	if err := fsys.WriteFile("d/f", []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Remove("d"); !errors.Is(err, syscall.ENOTEMPTY) {
		t.Errorf("Remove non-empty dir: %v; want ENOTEMPTY", err)
	}
	if _, err := fsys.Stat("d/f/g"); !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("Stat through a file: %v", err)
	}
	if _, err := fsys.ReadFile("d"); err == nil {
		t.Errorf("ReadFile of a directory succeeded")
	}
	if err := fsys.Chown("d", 0, 0); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Chown: %v", err)
	}
	for _, bad := range []string{"/abs", "a/../b", "a//b", "trailing/", "", "./x", "x/."} {
		if _, err := fsys.Stat(bad); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Stat(%q): %v; want fs.ErrInvalid", bad, err)
		}
		if err := fsys.WriteFile(bad, nil, 0o666); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("WriteFile(%q): %v; want fs.ErrInvalid", bad, err)
		}
	}
	f, err := fsys.Open("d/f")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Close: %v; want fs.ErrClosed", err)
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Read after Close: %v; want fs.ErrClosed", err)
	}
}

func TestFileOperations(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	// O_EXCL
	f, err := fsys.OpenFile("x", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	file := f.(*smbfs.File)
	if _, err := file.WriteString("hello world"); err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.OpenFile("x", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666); !errors.Is(err, fs.ErrExist) {
		t.Errorf("O_EXCL on existing: %v", err)
	}
	// Seek + Read share the offset; ReadAt does not move it.
	if pos, err := file.Seek(6, io.SeekStart); err != nil || pos != 6 {
		t.Fatal(pos, err)
	}
	buf := make([]byte, 5)
	if n, err := file.Read(buf); n != 5 || string(buf) != "world" || err != nil {
		t.Fatalf("Read after Seek: %d %q %v", n, buf, err)
	}
	if n, err := file.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("Read at EOF: %d %v", n, err)
	}
	if n, err := file.ReadAt(buf, 0); n != 5 || string(buf) != "hello" || err != nil {
		t.Fatalf("ReadAt: %d %q %v", n, buf, err)
	}
	if n, err := file.ReadAt(buf, 8); n != 3 || err != io.EOF {
		t.Fatalf("short ReadAt: %d %v", n, err)
	}
	if pos, err := file.Seek(-5, io.SeekEnd); err != nil || pos != 6 {
		t.Fatal(pos, err)
	}
	if _, err := file.Seek(-100, io.SeekCurrent); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("negative seek: %v", err)
	}
	if _, err := file.WriteAt([]byte("HELLO"), 0); err != nil {
		t.Fatal(err)
	}
	if err := file.Truncate(5); err != nil {
		t.Fatal(err)
	}
	if fi, err := file.Stat(); err != nil || fi.Size() != 5 || fi.Name() != "x" {
		t.Fatalf("Stat: %v %v", fi, err)
	}
	if err := file.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := fsys.ReadFile("x"); string(got) != "HELLO" {
		t.Fatalf("content %q", got)
	}
	// O_APPEND
	a, err := fsys.OpenFile("x", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	a.(*smbfs.File).WriteString(", again")
	if _, err := a.(*smbfs.File).WriteAt([]byte("no"), 0); err == nil {
		t.Error("WriteAt on O_APPEND file succeeded")
	}
	a.Close()
	if got, _ := fsys.ReadFile("x"); string(got) != "HELLO, again" {
		t.Fatalf("after append: %q", got)
	}
	// O_TRUNC
	tr, err := fsys.OpenFile("x", os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if fi, _ := fsys.Stat("x"); fi.Size() != 0 {
		t.Fatalf("O_TRUNC left %d bytes", fi.Size())
	}
	// Write on a read-only open, read on a write-only open.
	ro, _ := fsys.Open("x")
	if _, err := ro.(*smbfs.File).Write([]byte("x")); err == nil {
		t.Error("Write on O_RDONLY succeeded")
	}
	ro.Close()
	// Opening a missing file without O_CREATE.
	if _, err := fsys.OpenFile("nope", os.O_RDWR, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open missing: %v", err)
	}
}

func TestRenameChmodChtimesTruncate(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(fsys.WriteFile("a", []byte("A"), 0o666))
	must(fsys.WriteFile("b", []byte("B"), 0o666))
	must(fsys.Rename("a", "b")) // replaces, like os.Rename
	if got, _ := fsys.ReadFile("b"); string(got) != "A" {
		t.Fatalf("after rename: %q", got)
	}
	if _, err := fsys.Stat("a"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("old name still there: %v", err)
	}
	err := fsys.Rename("missing", "c")
	var le *os.LinkError
	if !errors.As(err, &le) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rename missing: %#v", err)
	}
	must(fsys.MkdirAll("d1/d2", 0o777))
	must(fsys.Rename("b", "d1/d2/b"))
	must(fsys.Rename("d1", "e1"))
	if got, _ := fsys.ReadFile("e1/d2/b"); string(got) != "A" {
		t.Fatalf("after directory rename: %q", got)
	}

	must(fsys.Chmod("e1/d2/b", 0o444))
	if fi, _ := fsys.Stat("e1/d2/b"); fi.Mode().Perm()&0o200 != 0 {
		t.Errorf("Chmod 0444 left mode %v", fi.Mode())
	}
	must(fsys.Chmod("e1/d2/b", 0o644))
	if fi, _ := fsys.Stat("e1/d2/b"); fi.Mode().Perm()&0o200 == 0 {
		t.Errorf("Chmod 0644 left mode %v", fi.Mode())
	}

	when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	must(fsys.Chtimes("e1/d2/b", time.Time{}, when))
	if fi, _ := fsys.Stat("e1/d2/b"); !fi.ModTime().Equal(when) {
		t.Errorf("Chtimes: mtime %v, want %v", fi.ModTime(), when)
	}

	must(fsys.Truncate("e1/d2/b", 1000))
	if fi, _ := fsys.Stat("e1/d2/b"); fi.Size() != 1000 {
		t.Errorf("Truncate: size %d", fi.Size())
	}
	must(fsys.RemoveAll("e1"))
	if _, err := fsys.Stat("e1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveAll left e1: %v", err)
	}
	must(fsys.RemoveAll("never-existed"))
}

func TestFileReadDirCursor(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		if err := fsys.WriteFile(n, nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	f, err := fsys.Open(".")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := f.(*smbfs.File)
	first, err := d.ReadDir(2)
	if err != nil || len(first) != 2 || first[0].Name() != "a" || first[1].Name() != "b" {
		t.Fatalf("ReadDir(2): %v %v", first, err)
	}
	names, err := d.Readdirnames(2)
	if err != nil || strings.Join(names, ",") != "c,d" {
		t.Fatalf("Readdirnames(2): %v %v", names, err)
	}
	infos, err := d.Readdir(-1)
	if err != nil || len(infos) != 1 || infos[0].Name() != "e" {
		t.Fatalf("Readdir(-1): %v %v", infos, err)
	}
	if rest, err := d.ReadDir(1); len(rest) != 0 || err != io.EOF {
		t.Fatalf("ReadDir at end: %v %v", rest, err)
	}
}

func TestNameMappingOnDisk(t *testing.T) {
	srv := servers.main
	fsys := dial(t, srv, "public", nil)
	dir, dirName := scratchNamed(t, fsys)
	names := []string{"12:30.log", "what?.txt", `back\slash`, "pipe|star*", "quote\"<>", "trail ", "trail.", "tab\tname"}
	for _, n := range names {
		if err := dir.WriteFile(n, []byte(n), 0o666); err != nil {
			t.Fatalf("WriteFile(%q): %v", n, err)
		}
	}
	// The bytes Samba stores are the UTF-8 of the private-use characters.
	entries, err := os.ReadDir(path.Join(srv.SharePath("public"), dirName))
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, e := range entries {
		onDisk[e.Name()] = true
	}
	for _, want := range []string{"12\uf02230.log", "what\uf025.txt", "back\uf026slash", "pipe\uf027star\uf021", "quote\uf020\uf023\uf024", "trail\uf028", "trail\uf029", "tab\uf009name"} {
		if !onDisk[want] {
			t.Errorf("on disk: no %q (% X); have %q", want, []byte(want), entries)
		}
	}
	// Listed back under their Go names, and each opens.
	listed, err := dir.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range listed {
		got[e.Name()] = true
		data, err := dir.ReadFile(e.Name())
		if err != nil || string(data) != e.Name() {
			t.Errorf("ReadFile(%q) = %q, %v", e.Name(), data, err)
		}
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("not listed: %q", n)
		}
	}
	// "a:b" is a name, never the alternate data stream b of file a.
	if err := dir.WriteFile("ads", []byte("main"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := dir.WriteFile("ads:stream", []byte("other"), 0o666); err != nil {
		t.Fatal(err)
	}
	if data, _ := dir.ReadFile("ads"); string(data) != "main" {
		t.Errorf("writing ads:stream touched ads: %q", data)
	}
	// With mapping off those names are invalid and nothing is sent.
	off := dial(t, srv, "public", nil, smbfs.WithNameMapping(false))
	if err := off.WriteFile("x:y", nil, 0o666); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("mapping off: %v; want fs.ErrInvalid", err)
	}
}

func TestContextCancellation(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fsys.WithContext(ctx).Stat("."); !errors.Is(err, context.Canceled) {
		t.Errorf("Stat with cancelled context: %v", err)
	}
	// The connection is still fine afterwards.
	if _, err := fsys.Stat("."); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	data := randomBytes(32 << 20)
	err := fsys.WithContext(ctx).WriteFile("big", data, 0o666)
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("WriteFile past its deadline: %v", err)
	}
	if err := fsys.WriteFile("small", []byte("ok"), 0o666); err != nil {
		t.Fatalf("connection unusable after a cancelled write: %v", err)
	}
}
