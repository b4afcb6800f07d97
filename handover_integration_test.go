package smbfs_test

import (
	"slices"
	"testing"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
)

// TestConnectionHandOver pins what the harness's multichannel default is
// for: every connection of this process carries the same ClientGuid, and a
// Samba with multichannel on hands each new connection to the smbd process
// already serving that GUID (whose hand-over can lose a request under
// load); with it off, as the harness sets it, each connection has its own
// process.
func TestConnectionHandOver(t *testing.T) {
	for _, c := range []struct {
		name      string
		global    [][2]string
		processes int
	}{
		{"harness default", nil, 3},
		{"multichannel on", [][2]string{{"server multi channel support", "yes"}}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := samba.StartT(t, samba.Config{
				Name:   "handover",
				Users:  []samba.User{user},
				Global: c.global,
				Shares: []samba.Share{{Name: "data", Users: []string{user.Name}}},
			})
			var clients []*smbfs.FS
			for range 3 {
				clients = append(clients, dial(t, srv, "data", &user))
			}
			for _, fsys := range clients {
				if _, err := fsys.Stat("."); err != nil {
					t.Fatal(err)
				}
			}
			st, err := srv.Status(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var pids []int
			for _, se := range st.Sessions {
				if se.Username == user.Name && !slices.Contains(pids, se.PID) {
					pids = append(pids, se.PID)
				}
			}
			if len(st.Sessions) != 3 || len(pids) != c.processes {
				t.Errorf("%d sessions served by %d smbd processes %v, want 3 by %d", len(st.Sessions), len(pids), pids, c.processes)
			}
		})
	}
}
