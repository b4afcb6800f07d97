// Command stream uploads a large generated stream to a share and downloads
// it back with smbfs's streaming helpers, printing progress, the rate and
// the process's peak memory: however large the file, smbfs moves it through
// a bounded window.
//
//	go run ./examples/stream -size 1GiB smb://user:password@host/share
//
// The data is generated on the fly (ChaCha8), so neither side ever holds
// the whole file; the download is checked against the upload by SHA-256.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smbfs/smbfs"
)

func main() {
	sizeFlag := flag.String("size", "256MiB", "bytes to upload and download (suffixes KiB, MiB, GiB)")
	name := flag.String("name", "stream-example.bin", "file name on the share")
	quiet := flag.Bool("q", false, "no progress lines")
	phase := flag.String("phase", "both", "up (upload and keep the file), down (download a file an earlier -phase up left) or both")
	flag.Parse()
	url := flag.Arg(0)
	if url == "" {
		url = os.Getenv("SMBFS_TEST_USER_URL")
	}
	size, err := parseSize(*sizeFlag)
	if url == "" || err != nil {
		fmt.Fprintln(os.Stderr, "usage: stream [-size 1GiB] [-name f] smb://user:password@host/share", err)
		os.Exit(2)
	}
	if err := run(url, *name, size, *quiet, *phase); err != nil {
		fmt.Fprintln(os.Stderr, "stream:", err)
		os.Exit(1)
	}
}

func run(url, name string, size int64, quiet bool, phase string) error {
	ctx := context.Background()
	fsys, err := smbfs.Dial(ctx, url)
	if err != nil {
		return err
	}
	defer fsys.Close()

	progress := smbfs.WithProgress(func(p smbfs.Progress) error {
		if !quiet {
			fmt.Printf("  %6.1f%%  %s of %s  %s/s\n", 100*float64(p.Done)/float64(max(p.Total, 1)),
				human(p.Done), human(p.Total), human(int64(p.Rate)))
		}
		return nil
	})
	interval := smbfs.WithProgressInterval(time.Second)
	// The data: a deterministic pseudo-random stream, generated on the fly.
	source := func() io.Reader { return io.LimitReader(rand.NewChaCha8([32]byte{1}), size) }

	want := sha256.New()
	if phase == "up" || phase == "both" {
		start := time.Now()
		fmt.Printf("upload %s\n", human(size))
		n, err := fsys.Upload(name, io.TeeReader(source(), want), smbfs.WithSize(size), progress, interval)
		if err != nil {
			return err
		}
		d := time.Since(start)
		fmt.Printf("uploaded %d bytes in %v (%s/s)\n", n, d.Round(time.Millisecond), human(int64(float64(n)/d.Seconds())))
		if n != size {
			return fmt.Errorf("uploaded %d bytes of %d", n, size)
		}
	}
	if phase == "down" || phase == "both" {
		if phase == "down" {
			io.Copy(want, source())
		}
		defer fsys.Remove(name)
		got := sha256.New()
		start := time.Now()
		fmt.Printf("download %s\n", human(size))
		m, err := fsys.Download(name, got, progress, interval)
		if err != nil {
			return err
		}
		d := time.Since(start)
		same := string(want.Sum(nil)) == string(got.Sum(nil))
		fmt.Printf("downloaded %d bytes in %v (%s/s), identical: %v\n", m, d.Round(time.Millisecond), human(int64(float64(m)/d.Seconds())), same)
		if !same || m != size {
			return fmt.Errorf("downloaded %d bytes of %d, identical %v", m, size, same)
		}
	}
	fmt.Printf("peak RSS %d KiB\n", peakRSSKiB())
	return nil
}

// peakRSSKiB returns VmHWM from /proc/self/status (Linux), or -1.
func peakRSSKiB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return -1
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if v, ok := strings.CutSuffix(s, suffix); ok {
			s, mult = v, m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}

func human(n int64) string {
	switch {
	case n < 0:
		return "?"
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
