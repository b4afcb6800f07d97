//go:build linkbench

package smbfs_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/bench/linkproxy"
)

// BenchmarkMetadataConnections asks whether a pool of extra connections
// pays for metadata-heavy parallel work: 16 goroutines list 32
// directories of 300 files each, then stat every file, through one
// connection or spread over 2 or 4 (with multichannel off, as the harness
// sets it, Samba runs one smbd process per connection, so more connections
// means more server CPUs), directly and
// through the emulated LAN. It needs the linkbench build tag:
//
//	go test -tags linkbench -run '^$' -bench BenchmarkMetadataConnections -benchtime 5x -count 3 .
func BenchmarkMetadataConnections(b *testing.B) {
	const dirs, files, workers = 32, 300, 16
	setup := dial(b, servers.main, "private", &user)
	root, name := scratchNamed(b, setup)
	var paths []string
	for d := range dirs {
		dir := fmt.Sprintf("d%02d", d)
		if err := root.Mkdir(dir, 0o777); err != nil {
			b.Fatal(err)
		}
		ops := make([]smbfs.BatchOp, files)
		for f := range files {
			p := fmt.Sprintf("%s/f%03d", dir, f)
			ops[f] = smbfs.WriteFileOp(p, nil, 0o666)
			paths = append(paths, p)
		}
		for _, r := range root.Batch(ops...) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	for _, profile := range []string{"direct", "lan"} {
		addr := servers.main.Addr()
		if profile == "lan" {
			px, err := linkproxy.Start(addr, linkproxy.LAN())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { px.Close() })
			addr = px.Addr()
		}
		for _, nconn := range []int{1, 2, 4} {
			fss := make([]*smbfs.FS, nconn)
			for i := range fss {
				u, _ := url.Parse(servers.main.URL("private", &user))
				u.Host = addr
				fsys, err := smbfs.Dial(context.Background(), u.String())
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { fsys.Close() })
				sub, err := fsys.Sub(name)
				if err != nil {
					b.Fatal(err)
				}
				fss[i] = sub.(*smbfs.FS)
			}
			b.Run(fmt.Sprintf("%s/list+stat/conns=%d", profile, nconn), func(b *testing.B) {
				for b.Loop() {
					work := make(chan int)
					var wg sync.WaitGroup
					var mu sync.Mutex
					var firstErr error
					for w := range workers {
						wg.Add(1)
						go func() {
							defer wg.Done()
							fsys := fss[w%nconn]
							for d := range work {
								dir := fmt.Sprintf("d%02d", d)
								ents, err := fsys.ReadDir(dir)
								if err == nil && len(ents) != files {
									err = fmt.Errorf("%s: %d entries", dir, len(ents))
								}
								for _, p := range paths[d*files : (d+1)*files] {
									if err != nil {
										break
									}
									_, err = fsys.Stat(p)
								}
								if err != nil {
									mu.Lock()
									firstErr = err
									mu.Unlock()
								}
							}
						}()
					}
					for d := range dirs {
						work <- d
					}
					close(work)
					wg.Wait()
					if firstErr != nil {
						b.Fatal(firstErr)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(dirs*files), "µs/file")
			})
		}
	}
}
