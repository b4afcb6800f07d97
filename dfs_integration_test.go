package smbfs_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
)

// dfsEnv is a standalone DFS namespace on two private smbd instances:
//
//	main: "host msdfs = yes"; share dfsroot ("msdfs root = yes") holding
//	      the links below; shares target (with sub/) and other
//	fs2:  share remote, reached only through the host map ("fs2")
//
// Links in dfsroot (msdfs: symlinks, made after smbd started):
//
//	link      → 127.0.0.1\target
//	sublink   → 127.0.0.1\target\sub       (a directory inside a share)
//	remote    → fs2\remote                 (another server)
//	failover  → dead\remote,fs2\remote     (dead: a closed port)
//	nosuch    → 127.0.0.1\nosuch,127.0.0.1\other  (a missing share first)
//	unreachable → dead\remote,dead2\remote
type dfsEnv struct {
	main, fs2 *samba.Server
	hosts     map[string]string
	dead      string // address nothing listens on
}

// dfsLinks are the links of dfsEnv, by name.
var dfsLinks = map[string]string{
	"link":        `127.0.0.1\target`,
	"sublink":     `127.0.0.1\target\sub`,
	"remote":      `fs2\remote`,
	"failover":    `dead\remote,fs2\remote`,
	"nosuch":      `127.0.0.1\nosuch,127.0.0.1\other`,
	"unreachable": `dead\remote,dead2\remote`,
}

func startDFS(t *testing.T) *dfsEnv {
	t.Helper()
	u := samba.DefaultUser()
	var env dfsEnv
	var wg sync.WaitGroup
	wg.Go(func() {
		env.main = samba.StartT(t, samba.Config{Name: "dfs", Users: []samba.User{u},
			Global: [][2]string{{"host msdfs", "yes"}},
			Shares: []samba.Share{
				{Name: "dfsroot", Users: []string{u.Name}, Params: [][2]string{{"msdfs root", "yes"}},
					Files: map[string]string{"plain.txt": "in the root"}},
				{Name: "target", Users: []string{u.Name}, Files: map[string]string{"hello.txt": "in target", "sub/deep.txt": "deep in target"}},
				{Name: "other", Users: []string{u.Name}, Files: map[string]string{"hello.txt": "in other"}},
			}})
	})
	wg.Go(func() {
		env.fs2 = samba.StartT(t, samba.Config{Name: "fs2", Users: []samba.User{u},
			Shares: []samba.Share{{Name: "remote", Users: []string{u.Name}, Files: map[string]string{"hello.txt": "on fs2"}}}})
	})
	wg.Wait()
	// A port nothing listens on: bound, then closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env.dead = l.Addr().String()
	l.Close()
	env.hosts = map[string]string{"fs2": env.fs2.Addr(), "dead": env.dead, "DEAD2": env.dead}
	root := env.main.SharePath("dfsroot")
	for name, target := range dfsLinks {
		if err := os.Symlink("msdfs:"+target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return &env
}

// dial mounts dfsroot with the host map, as the default user.
func (e *dfsEnv) dial(t *testing.T, opts ...smbfs.Option) *smbfs.FS {
	t.Helper()
	u := samba.DefaultUser()
	return dial(t, e.main, "dfsroot", &u, append([]smbfs.Option{smbfs.WithHostMap(e.hosts)}, opts...)...)
}

// onDisk returns the content of a file in a share's directory on disk.
func onDisk(t *testing.T, srv *samba.Server, share, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(srv.SharePath(share), filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("on disk %s/%s: %v", share, name, err)
	}
	return string(b)
}

// sub returns fsys.Sub(dir) as an *smbfs.FS.
func sub(t *testing.T, fsys *smbfs.FS, dir string) *smbfs.FS {
	t.Helper()
	s, err := fsys.Sub(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*smbfs.FS)
}

func TestDFS(t *testing.T) {
	env := startDFS(t)
	fsys := env.dial(t)

	t.Run("ReadFile through links", func(t *testing.T) {
		for _, tt := range []struct{ name, want string }{
			{"plain.txt", "in the root"},
			{"link/hello.txt", "in target"},
			{"link/sub/deep.txt", "deep in target"},
			{"sublink/deep.txt", "deep in target"},
			{"remote/hello.txt", "on fs2"},
			{"failover/hello.txt", "on fs2"},
			{"nosuch/hello.txt", "in other"},
		} {
			got, err := fsys.ReadFile(tt.name)
			if err != nil || string(got) != tt.want {
				t.Errorf("ReadFile(%s) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
		}
	})

	// The same operations on a share of the same smbd and on another
	// server: the files must land in the target's directory on disk.
	for _, tt := range []struct {
		link  string
		srv   func() *samba.Server
		share string
	}{
		{"link", func() *samba.Server { return env.main }, "target"},
		{"remote", func() *samba.Server { return env.fs2 }, "remote"},
		{"failover", func() *samba.Server { return env.fs2 }, "remote"},
	} {
		t.Run("operations via "+tt.link, func(t *testing.T) {
			_, name := scratchNamed(t, sub(t, fsys, tt.link))
			srv := tt.srv()
			testOperations(t, fsys, path.Join(tt.link, name), func(rel string) string { return onDisk(t, srv, tt.share, path.Join(name, rel)) })
		})
	}

	t.Run("ReadDir shows links as directories", func(t *testing.T) {
		entries, err := fsys.ReadDir(".")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if _, isLink := dfsLinks[e.Name()]; isLink && (!e.IsDir() || e.Type() != fs.ModeDir) {
				t.Errorf("link %s: IsDir %v, type %v", e.Name(), e.IsDir(), e.Type())
			}
		}
		fi, err := fsys.Stat("remote")
		if err != nil || !fi.IsDir() || fi.Name() != "remote" {
			t.Errorf("Stat(remote) = %v, %v; want a directory named remote", fi, err)
		}
		list, err := fsys.ReadDir("sublink")
		if err != nil || len(list) != 1 || list[0].Name() != "deep.txt" {
			t.Errorf("ReadDir(sublink) = %v, %v", list, err)
		}
	})

	t.Run("WalkDir crosses links", func(t *testing.T) {
		var seen []string
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil && p == "unreachable":
				return fs.SkipDir // its targets are down: reported, skipped
			case err != nil:
				return err
			}
			if !d.IsDir() {
				seen = append(seen, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"plain.txt", "link/hello.txt", "link/sub/deep.txt", "sublink/deep.txt", "remote/hello.txt", "failover/hello.txt", "nosuch/hello.txt"} {
			if !slices.Contains(seen, want) {
				t.Errorf("WalkDir did not reach %s (saw %v)", want, seen)
			}
		}
	})

	t.Run("every target unreachable", func(t *testing.T) {
		_, err := fsys.Stat("unreachable/x")
		var de *smbfs.DFSError
		if !errors.As(err, &de) {
			t.Fatalf("Stat = %v, want a *smbfs.DFSError", err)
		}
		if want := []string{`\dead\remote`, `\dead2\remote`}; !slices.Equal(de.Targets, want) || len(de.Errs) != 2 {
			t.Fatalf("targets %v (%d errors), want %v", de.Targets, len(de.Errs), want)
		}
		for i, e := range de.Errs {
			if !errors.Is(e, syscall.ECONNREFUSED) {
				t.Errorf("target %s: %v, want connection refused", de.Targets[i], e)
			}
		}
		if msg := err.Error(); !strings.Contains(msg, `\dead\remote`) || !strings.Contains(msg, `\dead2\remote`) || !strings.Contains(msg, env.dead) {
			t.Errorf("message does not name every target and address: %s", msg)
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != "unreachable/x" {
			t.Errorf("not a *fs.PathError for the name: %#v", err)
		}
	})

	t.Run("rename and copy across targets", func(t *testing.T) {
		_, rootName := scratchNamed(t, fsys)
		inLink, linkName := scratchNamed(t, sub(t, fsys, "link"))
		_, remoteName := scratchNamed(t, sub(t, fsys, "remote"))
		if err := fsys.WriteFile(path.Join(rootName, "a"), []byte("a"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := inLink.WriteFile("b", []byte("bb"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ from, to string }{
			{path.Join(rootName, "a"), path.Join("link", linkName, "a")},
			{path.Join("link", linkName, "b"), path.Join("remote", remoteName, "b")},
		} {
			err := fsys.Rename(tt.from, tt.to)
			var le *os.LinkError
			if !errors.As(err, &le) || !errors.Is(err, syscall.EXDEV) {
				t.Errorf("Rename(%s, %s) = %v, want an *os.LinkError matching EXDEV", tt.from, tt.to, err)
			}
		}
		// Within one target it works, and so does a copy across.
		if err := fsys.Rename(path.Join("link", linkName, "b"), path.Join("LINK", linkName, "c")); err != nil {
			t.Fatalf("rename within a link: %v", err)
		}
		if got := onDisk(t, env.main, "target", path.Join(linkName, "c")); got != "bb" {
			t.Errorf("renamed file holds %q", got)
		}
		if err := fsys.Copy(path.Join("link", linkName, "c"), path.Join("remote", remoteName, "copied")); err != nil {
			t.Fatalf("Copy across servers: %v", err)
		}
		if got := onDisk(t, env.fs2, "remote", path.Join(remoteName, "copied")); got != "bb" {
			t.Errorf("copied file holds %q", got)
		}
		if err := fsys.Copy(path.Join(rootName, "a"), path.Join("link", linkName, "a-copy")); err != nil {
			t.Fatalf("Copy from the root into a link: %v", err)
		}
		if got := onDisk(t, env.main, "target", path.Join(linkName, "a-copy")); got != "a" {
			t.Errorf("copied file holds %q", got)
		}
	})

	t.Run("links themselves are not removed", func(t *testing.T) {
		for _, err := range []error{fsys.Remove("link"), fsys.RemoveAll("link"), fsys.Rename("link", "renamed")} {
			if !errors.Is(err, fs.ErrPermission) {
				t.Errorf("got %v, want fs.ErrPermission", err)
			}
		}
		if got := onDisk(t, env.main, "target", "hello.txt"); got != "in target" {
			t.Errorf("target share's file after RemoveAll(link): %q", got)
		}
		if _, err := os.Lstat(filepath.Join(env.main.SharePath("dfsroot"), "link")); err != nil {
			t.Errorf("the link is gone: %v", err)
		}
	})

	t.Run("Batch through links", func(t *testing.T) {
		_, name := scratchNamed(t, sub(t, fsys, "remote"))
		res := fsys.Batch(
			smbfs.ReadFileOp("plain.txt"),
			smbfs.ReadFileOp("link/hello.txt"),
			smbfs.WriteFileOp(path.Join("remote", name, "w"), []byte("batch"), 0o644),
			smbfs.StatOp("sublink/deep.txt"),
			smbfs.ReadDirOp("nosuch"),
			smbfs.RenameOp("link/hello.txt", "remote/hello.txt"),
		)
		for i, r := range res[:5] {
			if r.Err != nil {
				t.Errorf("op %d: %v", i, r.Err)
			}
		}
		if string(res[0].Data) != "in the root" || string(res[1].Data) != "in target" || res[3].Info == nil || len(res[4].Entries) != 1 {
			t.Errorf("results: %q %q %v %v", res[0].Data, res[1].Data, res[3].Info, res[4].Entries)
		}
		if got := onDisk(t, env.fs2, "remote", path.Join(name, "w")); got != "batch" {
			t.Errorf("batch write landed as %q", got)
		}
		if !errors.Is(res[5].Err, syscall.EXDEV) {
			t.Errorf("batch rename across targets: %v", res[5].Err)
		}
		// The same again: now every link is cached and each group is
		// one pipelined batch on its share.
		again := fsys.Batch(smbfs.ReadFileOp("link/hello.txt"), smbfs.ReadFileOp("remote/hello.txt"))
		if again[0].Err != nil || again[1].Err != nil || string(again[1].Data) != "on fs2" {
			t.Errorf("second batch: %v %v %q", again[0].Err, again[1].Err, again[1].Data)
		}
	})

	t.Run("Sub and DiskUsage inside a link", func(t *testing.T) {
		s := sub(t, fsys, "remote")
		if b, err := s.ReadFile("hello.txt"); err != nil || string(b) != "on fs2" {
			t.Errorf("Sub(remote).ReadFile = %q, %v", b, err)
		}
		if u, err := s.DiskUsage(); err != nil || u.Total == 0 {
			t.Errorf("DiskUsage = %+v, %v", u, err)
		}
	})

	t.Run("Watch through a link", func(t *testing.T) {
		dir, name := scratchNamed(t, sub(t, fsys, "remote"))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		w, err := fsys.Watch(ctx, path.Join("remote", name))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := dir.WriteFile("new.txt", []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					t.Fatal("watcher ended")
				}
				if ev.Name == path.Join("remote", name, "new.txt") && ev.Op&smbfs.OpCreate != 0 {
					return
				}
			case err := <-w.Errors:
				t.Fatalf("watch error: %v", err)
			case <-ctx.Done():
				t.Fatal("no CREATE event through the link")
			}
		}
	})
}

// testOperations exercises the FS methods on dir (a path through a link),
// checking the results on the server's disk with disk(name in dir).
func testOperations(t *testing.T, fsys *smbfs.FS, dir string, disk func(rel string) string) {
	t.Helper()
	p := func(name string) string { return path.Join(dir, name) }
	if err := fsys.WriteFile(p("w.txt"), []byte("written"), 0o644); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	if got := disk("w.txt"); got != "written" {
		t.Errorf("on disk: %q", got)
	}
	if b, err := fsys.ReadFile(p("w.txt")); err != nil || string(b) != "written" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	if fi, err := fsys.Stat(p("w.txt")); err != nil || fi.Size() != 7 || fi.Name() != "w.txt" {
		t.Errorf("Stat = %v, %v", fi, err)
	}
	// Names SMB forbids go through the same mapping as everywhere.
	if err := fsys.WriteFile(p("12:30?.log"), []byte("mapped"), 0o644); err != nil {
		t.Errorf("WriteFile of a mapped name: %v", err)
	}
	if err := fsys.Mkdir(p("d"), 0o777); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	if err := fsys.MkdirAll(p("d/e/f"), 0o777); err != nil {
		t.Fatalf("MkdirAll: %v", err)
	}
	f, err := fsys.OpenFile(p("d/e/f/file"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	if _, err := io.WriteString(f.(io.Writer), "via a handle"); err != nil {
		t.Errorf("Write: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if got := disk("d/e/f/file"); got != "via a handle" {
		t.Errorf("on disk: %q", got)
	}
	if err := fsys.Truncate(p("d/e/f/file"), 3); err != nil {
		t.Errorf("Truncate: %v", err)
	}
	if err := fsys.Chmod(p("w.txt"), 0o444); err != nil {
		t.Errorf("Chmod: %v", err)
	}
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := fsys.Chtimes(p("w.txt"), time.Time{}, mtime); err != nil {
		t.Errorf("Chtimes: %v", err)
	}
	if fi, err := fsys.Stat(p("w.txt")); err != nil || !fi.ModTime().Equal(mtime) || fi.Mode().Perm()&0o200 != 0 {
		t.Errorf("after Chmod and Chtimes: %v %v, %v", fi.ModTime(), fi.Mode(), err)
	}
	if err := fsys.Rename(p("w.txt"), p("d/moved.txt")); err != nil {
		t.Errorf("Rename: %v", err)
	}
	names, err := fsys.ReadDir(p("."))
	var got []string
	for _, e := range names {
		got = append(got, e.Name())
	}
	if err != nil || !slices.Equal(got, []string{"12:30?.log", "d"}) {
		t.Errorf("ReadDir = %v, %v", got, err)
	}
	if err := fsys.Remove(p("d/moved.txt")); err != nil {
		t.Errorf("Remove of a read-only file: %v", err)
	}
	if err := fsys.Remove(p("d")); !errors.Is(err, syscall.ENOTEMPTY) {
		t.Errorf("Remove of a non-empty directory: %v", err)
	}
	if err := fsys.RemoveAll(p("d")); err != nil {
		t.Errorf("RemoveAll: %v", err)
	}
	if _, err := fsys.Stat(p("d")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after RemoveAll: %v", err)
	}
}

// TestDFSCache checks what the client remembers of referrals: one referral
// serves every spelling of a link's name, and is asked again once its TTL
// (600 s from Samba) has run out.
func TestDFSCache(t *testing.T) {
	env := startDFS(t)
	u := samba.DefaultUser()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := smbfs.Connect(ctx, env.main.URL("", &u), smbfs.WithHostMap(env.hosts))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	now := time.Now()
	var clockMu sync.Mutex
	smbfs.SetDFSClockForTest(c, func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		return now
	})
	advance := func(d time.Duration) {
		clockMu.Lock()
		now = now.Add(d)
		clockMu.Unlock()
	}
	fsys, err := c.Mount(ctx, "dfsroot")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		t.Helper()
		b, err := fsys.ReadFile(name)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", name, err)
		}
		return string(b)
	}
	if got := read("link/hello.txt"); got != "in target" {
		t.Fatalf("first read %q", got)
	}
	if n := smbfs.DFSReferralsForTest(c); n != 1 {
		t.Fatalf("%d referrals after the first read, want 1", n)
	}
	// Other spellings of the link, deeper names: no new referral.
	for _, name := range []string{"LINK/hello.txt", "Link/HELLO.TXT", "link/sub/deep.txt", "lInK/sub"} {
		if _, err := fsys.Stat(name); err != nil {
			t.Errorf("Stat(%s): %v", name, err)
		}
	}
	if n := smbfs.DFSReferralsForTest(c); n != 1 {
		t.Errorf("%d referrals after other spellings, want 1 (case-insensitive prefix match)", n)
	}
	// Point the link elsewhere on the server: until the TTL runs out the
	// client keeps going to the cached target, then it asks again.
	linkPath := filepath.Join(env.main.SharePath("dfsroot"), "link")
	if err := os.Remove(linkPath); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(`msdfs:127.0.0.1\other`, linkPath); err != nil {
		t.Fatal(err)
	}
	advance(599 * time.Second)
	if got := read("link/hello.txt"); got != "in target" {
		t.Errorf("before the TTL ran out: %q, want the cached target's file", got)
	}
	advance(2 * time.Second)
	if got := read("link/hello.txt"); got != "in other" {
		t.Errorf("after the TTL ran out: %q, want the new target's file", got)
	}
	if n := smbfs.DFSReferralsForTest(c); n != 2 {
		t.Errorf("%d referrals, want 2", n)
	}

	// A failed-over target is remembered: the dead first target is not
	// dialed again for later names.
	if got := read("failover/hello.txt"); got != "on fs2" {
		t.Fatalf("failover read %q", got)
	}
	conns := smbfs.DFSConnectionsForTest(c)
	if len(conns) != 1 {
		t.Fatalf("%d target connections, want 1 (fs2)", len(conns))
	}
	start := time.Now()
	for range 5 {
		read("failover/hello.txt")
	}
	if n := smbfs.DFSReferralsForTest(c); n != 3 {
		t.Errorf("%d referrals, want 3", n)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("5 reads through the failed-over link took %v", d)
	}

	// Client.Close closes the target connections too.
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for _, conn := range conns {
		if conn.Err() == nil {
			t.Error("a DFS target connection is still open after Client.Close")
		}
	}
}

// TestDFSWithoutHostMap: a referral naming a host that cannot be reached as
// named fails with an error naming the host, not a hang or a panic; the
// names outside links keep working.
func TestDFSWithoutHostMap(t *testing.T) {
	env := startDFS(t)
	u := samba.DefaultUser()
	fsys := dial(t, env.main, "dfsroot", &u, smbfs.WithHandshakeTimeout(5*time.Second),
		smbfs.WithDialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasPrefix(addr, "fs2:") || strings.HasPrefix(addr, "dead") {
				return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}))
	_, err := fsys.Stat("remote/hello.txt")
	var de *smbfs.DFSError
	if !errors.As(err, &de) || len(de.Targets) != 1 || de.Targets[0] != `\fs2\remote` {
		t.Fatalf("Stat(remote/hello.txt) = %v, want a *smbfs.DFSError for \\fs2\\remote", err)
	}
	if b, err := fsys.ReadFile("link/hello.txt"); err != nil || string(b) != "in target" {
		t.Errorf("same-server link: %q, %v", b, err)
	}
}
