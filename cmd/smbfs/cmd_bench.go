package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	mrand "math/rand/v2"
	"path"
	"slices"
	"time"

	"github.com/smbfs/smbfs"
)

func benchCommand() *command {
	return &command{
		name:    "bench",
		args:    "[-size SIZE] [-n RUNS] [-files N] URL",
		summary: "measure upload, download and small-file rates",
		help: `
A quick throughput test in a scratch directory under URL (removed
afterwards): upload a SIZE file of random data and download it again,
RUNS times, checking every byte (CRC-32C), then write, stat, read and
remove N small files through the batch API. Prints each run and the
best rates. For the full benchmark against other clients, see
docs/benchmarks.md.`,
		minArgs: 1, maxArgs: 1,
		setup: func(f *flag.FlagSet) runner {
			sizeFlag := f.String("size", "64MiB", "bytes per file transfer (e.g. 16MiB, 1GiB)")
			runs := f.Int("n", 3, "number of runs")
			files := f.Int("files", 100, "number of small (16 KiB) files (0: skip)")
			return func(ctx context.Context, a *app, args []string) error {
				size, err := parseSize(*sizeFlag)
				if err != nil {
					return usagef("-size: %v", err)
				}
				if *runs < 1 || *files < 0 {
					return usagef("-n must be at least 1 and -files at least 0")
				}
				r, err := parseRemote(args[0])
				if err != nil {
					return usagef("%v", err)
				}
				fsys, err := a.sessions.fs(ctx, r)
				if err != nil {
					return err
				}
				b := bencher{a: a, fsys: fsys, r: r, size: size}
				return b.run(ctx, *runs, *files)
			}
		},
	}
}

// bencher runs the bench command.
type bencher struct {
	a    *app
	fsys *smbfs.FS
	r    *remote
	size int64
	dir  string // scratch directory, relative to the share
}

func (b *bencher) run(ctx context.Context, runs, files int) error {
	var tag [4]byte
	rand.Read(tag[:])
	b.dir = path.Join(b.r.path, fmt.Sprintf(".smbfs-bench-%x", tag))
	if err := b.fsys.Mkdir(b.dir, 0o777); err != nil {
		return failf("bench", b.r.at(b.dir), err)
	}
	defer func() {
		// Clean up even after Ctrl-C.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := b.fsys.WithContext(cctx).RemoveAll(b.dir); err != nil {
			b.a.report(failf("bench: clean up", b.r.at(b.dir), err))
		}
	}()
	conn := b.fsys.Client().Conn()
	fmt.Fprintf(b.a.stdout, "smbfs bench %s: SMB %v, %s file, %d run(s)\n", b.r, conn.Dialect(), formatBytes(float64(b.size)), runs)
	var up, down []float64
	name := path.Join(b.dir, "big.bin")
	for i := range runs {
		seed := uint64(time.Now().UnixNano())
		crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
		src := io.TeeReader(io.LimitReader(newRandReader(seed), b.size), crc)
		start := time.Now()
		if _, err := b.fsys.Upload(name, src, smbfs.WithSize(b.size)); err != nil {
			return failf("bench: upload", b.r.at(name), err)
		}
		upT := time.Since(start)
		want := crc.Sum32()
		crc.Reset()
		start = time.Now()
		n, err := b.fsys.Download(name, crc)
		if err != nil {
			return failf("bench: download", b.r.at(name), err)
		}
		downT := time.Since(start)
		if n != b.size || crc.Sum32() != want {
			return failf("bench", b.r.at(name), fmt.Errorf("downloaded data differs from what was uploaded (%d of %d bytes, CRC %08x, want %08x)", n, b.size, crc.Sum32(), want))
		}
		up = append(up, float64(b.size)/upT.Seconds())
		down = append(down, float64(b.size)/downT.Seconds())
		fmt.Fprintf(b.a.stdout, "run %d: upload %s/s (%v), download %s/s (%v), verified\n", i+1,
			formatBytes(up[i]), upT.Round(time.Millisecond), formatBytes(down[i]), downT.Round(time.Millisecond))
	}
	fmt.Fprintf(b.a.stdout, "best: upload %s/s, download %s/s\n", formatBytes(slices.Max(up)), formatBytes(slices.Max(down)))
	if files > 0 {
		return b.smallFiles(files)
	}
	return nil
}

// smallFiles writes, stats, reads and removes n 16 KiB files, each step
// one batch, and prints the rates.
func (b *bencher) smallFiles(n int) error {
	const fileSize = 16 << 10
	data := make([]byte, fileSize)
	rand.Read(data)
	names := make([]string, n)
	for i := range names {
		names[i] = path.Join(b.dir, fmt.Sprintf("small-%05d.bin", i))
	}
	steps := []struct {
		label string
		op    func(string) smbfs.BatchOp
	}{
		{"write", func(s string) smbfs.BatchOp { return smbfs.WriteFileOp(s, data, 0o666) }},
		{"stat", smbfs.StatOp},
		{"read", smbfs.ReadFileOp},
		{"remove", smbfs.RemoveOp},
	}
	fmt.Fprintf(b.a.stdout, "%d files of %s, one batch per step:", n, formatBytes(fileSize))
	for _, s := range steps {
		ops := make([]smbfs.BatchOp, n)
		for i, name := range names {
			ops[i] = s.op(name)
		}
		start := time.Now()
		res := b.fsys.Batch(ops...)
		el := time.Since(start)
		for i, r := range res {
			if r.Err != nil {
				fmt.Fprintln(b.a.stdout)
				return failf("bench: "+s.label, b.r.at(names[i]), r.Err)
			}
			if s.label == "read" && len(r.Data) != fileSize {
				fmt.Fprintln(b.a.stdout)
				return failf("bench: read", b.r.at(names[i]), fmt.Errorf("read %d bytes, want %d", len(r.Data), fileSize))
			}
		}
		fmt.Fprintf(b.a.stdout, " %s %.0f/s", s.label, float64(n)/el.Seconds())
	}
	fmt.Fprintln(b.a.stdout)
	return nil
}

// randReader yields a fast pseudo-random stream (ChaCha8): incompressible
// data without the cost of crypto/rand.
type randReader struct{ r *mrand.ChaCha8 }

func newRandReader(seed uint64) *randReader {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return &randReader{r: mrand.NewChaCha8(s)}
}

func (r *randReader) Read(p []byte) (int, error) { return r.r.Read(p) }
