package pipeline

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/smbfs/smbfs/fstest/samba"
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Servers the tests in this package use, started once by TestMain: the main
// preset, the one with 64 KiB read/write/transact limits, and one whose
// share lives on a 4 MiB tmpfs, so writes run out of space mid-window.
var servers struct {
	main, smallio, full *samba.Server
}

// fullDir is the mount point of the small tmpfs behind servers.full.
var fullDir string

// fullSize is the size of that tmpfs.
const fullSize = 4 << 20

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	fullDir, err = os.MkdirTemp("", "smbfs-full-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.Remove(fullDir)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0777", fullSize), "tmpfs", fullDir).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "pipeline tests: mount tmpfs (needs root): %v: %s\n", err, out)
		return 1
	}
	defer exec.Command("umount", "-l", fullDir).Run()

	full := samba.Config{
		Name:   "full",
		Users:  []samba.User{samba.DefaultUser()},
		Shares: []samba.Share{{Name: "full", Path: fullDir, Users: []string{samba.DefaultUserName}}},
	}
	cfgs := []struct {
		dst **samba.Server
		cfg samba.Config
	}{{&servers.main, samba.Main()}, {&servers.smallio, samba.SmallIO()}, {&servers.full, full}}
	var wg sync.WaitGroup
	errs := make([]error, len(cfgs))
	for i, c := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*c.dst, errs[i] = samba.Start(ctx, c.cfg)
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range cfgs {
			if *c.dst != nil {
				(*c.dst).Stop()
			}
		}
	}()
	for i, err := range errs {
		if err != nil {
			fmt.Fprintf(os.Stderr, "pipeline tests: start Samba %q: %v\n", cfgs[i].cfg.Name, err)
			return 1
		}
	}
	return m.Run()
}

// connect opens a session as the default user and a tree on share, and
// returns a Share with cfg. Everything is closed at cleanup.
func connect(t testing.TB, srv *samba.Server, share string, cfg Config) *Share {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := protocol.Dial(ctx, srv.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	u := samba.DefaultUser()
	sess, err := conn.SessionSetup(ctx, protocol.NewNTLMAuthenticator("", u.Name, u.Password))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := sess.TreeConnect(ctx, share)
	if err != nil {
		t.Fatal(err)
	}
	s := NewShare(tree, cfg)
	// Opens take batch oplocks (for durability); breaks must be answered
	// or a conflicting open waits for the server's break timeout.
	conn.SetBreakHandler(func(b wire.OplockBreak) { s.HandleBreak(b) })
	return s
}
