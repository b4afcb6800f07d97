package smbfs_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
)

// user is the account every preset knows.
var user = samba.DefaultUser()

// dial mounts share on srv, as user (nil: guest), and closes it at cleanup.
func dial(t testing.TB, srv *samba.Server, share string, u *samba.User, opts ...smbfs.Option) *smbfs.FS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fsys, err := smbfs.Dial(ctx, srv.URL(share, u), opts...)
	if err != nil {
		t.Fatalf("Dial %s/%s: %v", srv.Name(), share, err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

// scratchCounter makes scratch directory names unique within the run.
var scratchCounter atomic.Int64

// scratch returns a fresh directory on fsys for one test, as a sub-FS, and
// removes it at cleanup.
func scratch(t testing.TB, fsys *smbfs.FS) *smbfs.FS {
	t.Helper()
	sub, _ := scratchNamed(t, fsys)
	return sub
}

// scratchNamed is scratch that also returns the directory's name on fsys.
func scratchNamed(t testing.TB, fsys *smbfs.FS) (*smbfs.FS, string) {
	t.Helper()
	name := fmt.Sprintf("t%d-%s", scratchCounter.Add(1), strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if len(name) > 60 {
		name = name[:60]
	}
	if err := fsys.Mkdir(name, 0o777); err != nil {
		t.Fatalf("mkdir scratch %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := fsys.RemoveAll(name); err != nil {
			t.Errorf("cleanup %s: %v", name, err)
		}
	})
	sub, err := fsys.Sub(name)
	if err != nil {
		t.Fatal(err)
	}
	return sub.(*smbfs.FS), name
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// tailLines returns the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
