package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"

	"github.com/smbfs/smbfs/bench/linkproxy"
	"github.com/smbfs/smbfs/bench/peers"
	"github.com/smbfs/smbfs/fstest/samba"
)

// Names of the server-side fixtures every benchmark share holds.
const listDir = "listdir" // the directory of the listing workload

// streamFile names the file of a streamed download of size bytes.
func streamFile(size int64) string { return fmt.Sprintf("stream-%d.bin", size) }

// env is everything the runs share: the servers, the local data and the
// proxies' calibrations.
type env struct {
	mu       sync.Mutex
	mounts   []string // tmpfs mount points, unmounted by close
	cfg      *config
	log      io.Writer
	work     string
	ownsWork bool
	servers  map[peers.Security]*samba.Server
	datasets map[string]*peers.Dataset // by workload id
	streams  map[int64]peers.Source    // by size
	cals     []linkproxy.Calibration
}

// setup starts one smbd per session kind, makes the data and places the
// fixtures on every share, then calibrates the proxied profiles.
func setup(ctx context.Context, cfg *config, log io.Writer) (*env, error) {
	e := &env{cfg: cfg, log: log, work: cfg.workDir, servers: map[peers.Security]*samba.Server{},
		datasets: map[string]*peers.Dataset{}, streams: map[int64]peers.Source{}}
	if e.work == "" {
		dir, err := os.MkdirTemp("", "smbbench-")
		if err != nil {
			return nil, err
		}
		e.work, e.ownsWork = dir, true
	}
	// smbd enters the share directories as the test user: every directory
	// above them must be searchable by others.
	if err := os.Chmod(e.work, 0o755); err != nil {
		e.close()
		return nil, err
	}
	if err := e.startServers(ctx); err != nil {
		e.close()
		return nil, err
	}
	if err := e.makeData(); err != nil {
		e.close()
		return nil, err
	}
	for _, pl := range cfg.plans {
		p := pl.profile
		if p.IsDirect() {
			continue
		}
		fmt.Fprintf(log, "calibrating %s ...\n", p)
		cal, err := linkproxy.Calibrate(ctx, p, cfg.calPings, cfg.calSize)
		if err != nil {
			e.close()
			return nil, err
		}
		fmt.Fprintf(log, "  %s\n", cal)
		e.cals = append(e.cals, cal)
	}
	return e, nil
}

func (e *env) startServers(ctx context.Context) error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	for _, sec := range e.cfg.secs() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := peers.ServerConfig(sec, e.work)
			if e.cfg.tmpfs {
				dir, err := e.mountTmpfs("share-" + sec.String())
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				cfg.Shares[0].Path = dir
			}
			srv, err := samba.Start(ctx, cfg)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("starting the %s server: %w", sec, err))
				return
			}
			e.servers[sec] = srv
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// makeData generates the datasets (in memory and, for smbclient, on local
// disk), the stream file, and places the fixtures on every share.
func (e *env) makeData() error {
	local := filepath.Join(e.work, "local")
	if err := os.MkdirAll(local, 0o755); err != nil {
		return err
	}
	var entries []int
	for _, pl := range e.cfg.plans {
		for _, w := range pl.workloads {
			switch w.kind {
			case "files":
				if e.datasets[w.id] != nil {
					continue
				}
				seed := uint64(len(e.datasets) + 1)
				ds, err := peers.NewDataset(w.label(), w.count, int(w.size), seed, local)
				if err != nil {
					return err
				}
				e.datasets[w.id] = ds
			case "stream":
				if _, ok := e.streams[w.size]; ok {
					continue
				}
				src, err := peers.NewPatternSource(w.size, 99, filepath.Join(local, streamFile(w.size)))
				if err != nil {
					return err
				}
				e.streams[w.size] = src
			case "list":
				if !slices.Contains(entries, w.count) {
					entries = append(entries, w.count)
				}
			}
		}
	}
	for _, srv := range e.servers {
		share := srv.SharePath(peers.ShareName)
		for size, src := range e.streams {
			dst := filepath.Join(share, streamFile(size))
			// A hard link when the share is on the same file system (it
			// is, under the work directory): 1 GiB costs nothing.
			if err := os.Link(src.LocalPath, dst); err != nil {
				if err := copyFile(src.LocalPath, dst); err != nil {
					return err
				}
			}
		}
		for _, n := range entries {
			dir := filepath.Join(share, listPath(n))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for i := range n {
				f, err := os.Create(filepath.Join(dir, fmt.Sprintf("entry-%05d.txt", i)))
				if err != nil {
					return err
				}
				f.Close()
			}
		}
	}
	return nil
}

// listPath names the directory of a listing workload of n entries.
func listPath(n int) string { return fmt.Sprintf("%s/%d", listDir, n) }

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// mountTmpfs mounts a RAM file system for a share under the work directory.
func (e *env) mountTmpfs(name string) (string, error) {
	dir := filepath.Join(e.work, name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8g,mode=0777", "tmpfs", dir).CombinedOutput(); err != nil {
		return "", fmt.Errorf("mount tmpfs on %s (needs root; or run with -tmpfs=false): %v: %s", dir, err, out)
	}
	e.mu.Lock()
	e.mounts = append(e.mounts, dir)
	e.mu.Unlock()
	return dir, nil
}

// close stops the servers and removes what setup made.
func (e *env) close() {
	for _, srv := range e.servers {
		srv.Stop()
	}
	for _, dir := range e.mounts {
		exec.Command("umount", "-l", dir).Run()
	}
	if e.ownsWork {
		os.RemoveAll(e.work)
	}
}
