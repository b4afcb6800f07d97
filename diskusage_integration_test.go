package smbfs_test

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
)

// TestDiskUsage compares DiskUsage with statfs(2) of the share's directory
// on the server. Other tests write concurrently and Samba reports in its
// own allocation units, so the numbers must agree within a tolerance.
func TestDiskUsage(t *testing.T) {
	const tolerance = 256 << 20 // bytes: concurrent tests write a few MiB at a time
	cases := []struct {
		name   string
		srv    *samba.Server
		share  string
		user   *samba.User
		subdir bool // measure from a subdirectory (a Sub of the share)
	}{
		{"guest share root", servers.main, "public", nil, false},
		{"user share subdirectory", servers.main, "private", &user, true},
		{"encrypted share", servers.encrypt, "private", &user, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := dial(t, c.srv, c.share, c.user)
			if c.subdir {
				fsys = scratch(t, fsys)
			}
			got, err := fsys.DiskUsage()
			if err != nil {
				t.Fatal(err)
			}
			var st syscall.Statfs_t
			if err := syscall.Statfs(c.srv.SharePath(c.share), &st); err != nil {
				t.Fatal(err)
			}
			bs := uint64(st.Bsize)
			want := smbfs.DiskUsage{Total: st.Blocks * bs, Free: st.Bfree * bs, Available: st.Bavail * bs}
			t.Logf("DiskUsage %+v; statfs %+v", got, want)
			near := func(what string, got, want uint64) {
				d := int64(got - want)
				if d < -tolerance || d > tolerance {
					t.Errorf("%s = %d, statfs says %d (off by %d)", what, got, want, d)
				}
			}
			near("Total", got.Total, want.Total)
			near("Available", got.Available, want.Available)
			// Samba reports the space a non-root user may use for both
			// the caller's and the volume's free space, so Free lies
			// between statfs's available and free counts.
			if got.Free+tolerance < want.Available || got.Free > want.Free+tolerance {
				t.Errorf("Free = %d, want between %d and %d", got.Free, want.Available, want.Free)
			}
			if got.Available > got.Free || got.Free > got.Total {
				t.Errorf("inconsistent %+v: want Available <= Free <= Total", got)
			}
		})
	}
}

// TestDiskUsageErrors checks DiskUsage on a closed FS.
func TestDiskUsageErrors(t *testing.T) {
	fsys := dial(t, servers.main, "public", nil)
	fsys.Close()
	_, err := fsys.DiskUsage()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "diskusage" {
		t.Errorf("DiskUsage on a closed FS: %v, want a *fs.PathError for diskusage", err)
	}
}
