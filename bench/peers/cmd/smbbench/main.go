// Command smbbench measures smbfs against its peers — go-smb2 v1.1.0,
// cloudsoda/go-smb2 and Samba's smbclient — on workloads of small and
// large files, streams and big directories, over direct loopback and
// through link-emulating proxies (bench/linkproxy), with plain, signed and
// encrypted sessions, and prints Markdown tables of the medians, with the
// proxy's measured round trip and rate, line-rate floors, ratios against
// the best peer, and the round trips and requests the proxy counted.
//
// It needs root and Samba (scripts/ensure-samba.sh): it starts its own
// private smbd instances (fstest/samba) and stops them when done.
//
// Usage (from bench/peers; `make bench` runs it with -o ../../docs/benchmarks.md):
//
//	go run ./cmd/smbbench [-quick | -full] [-profiles direct,lan,wan]
//	    [-security plain,signed,encrypted] [-workloads small,medium,large,stream,list]
//	    [-clients smbfs,go-smb2,cloudsoda,smbclient] [-runs 3] [-big-runs 1]
//	    [-o report.md] [-v]
//
// Without -security and -workloads each profile runs its default plan
// (see defaultPlan); the default run takes about 12 minutes on a 2-CPU
// host, -quick about 2. Run with -h for every flag.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "smbbench:", err)
		return 2
	}
	started := time.Now()
	loadBefore := loadAverage()
	e, err := setup(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "smbbench:", err)
		return 1
	}
	defer e.close()
	res := &results{cells: map[cellKey]*cell{}, best: map[string]bestRate{}}
	for _, pl := range cfg.plans {
		for _, sec := range pl.secs {
			if err := e.runGroup(ctx, pl, sec, res); err != nil {
				fmt.Fprintf(stderr, "smbbench: %s/%s: %v\n", pl.profile.Name, sec, err)
				return 1
			}
		}
	}
	var buf bytes.Buffer
	writeReport(&buf, e, res, meta{
		command:  strings.TrimSpace("go run ./cmd/smbbench " + strings.Join(args, " ")),
		started:  started,
		elapsed:  time.Since(started),
		host:     hostInfo() + fmt.Sprintf("; load average %s at the start, %s at the end", loadBefore, loadAverage()),
		versions: versions(),
	})
	stdout.Write(buf.Bytes())
	if cfg.out != "" {
		out := append(buf.Bytes(), keptTail(cfg.out)...)
		if err := os.WriteFile(cfg.out, out, 0o644); err != nil {
			fmt.Fprintln(stderr, "smbbench:", err)
			return 1
		}
		fmt.Fprintf(stderr, "smbbench: wrote %s\n", cfg.out)
	}
	return 0
}

// keptMarker starts the part of a report file that a rerun keeps: the
// analysis written by hand under the generated tables.
const keptMarker = "<!-- smbbench keeps everything below this line -->"

// keptTail returns the kept part of the report file at path (from the
// marker on, after a blank line), or nothing.
func keptTail(path string) []byte {
	old, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	i := bytes.Index(old, []byte(keptMarker))
	if i < 0 {
		return nil
	}
	return append([]byte("\n"), old[i:]...)
}

// hostInfo describes the machine: CPUs, kernel, Go.
func hostInfo() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	kernel := "?"
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(data))
	}
	return fmt.Sprintf("%d × %s, Linux %s, %s", runtime.NumCPU(), cpu, kernel, runtime.Version())
}

// loadAverage returns the 1-minute load average: other work on the host
// (tests of other sessions) skews results, and the report says so.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(data)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// versions names what was measured: Samba, the peers and smbfs's commit.
func versions() string {
	var parts []string
	if out, err := exec.Command("smbd", "--version").Output(); err == nil {
		parts = append(parts, "Samba "+strings.TrimPrefix(strings.TrimSpace(string(out)), "Version "))
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/hirochachacha/go-smb2", "github.com/cloudsoda/go-smb2":
				parts = append(parts, d.Path+" "+d.Version)
			}
		}
	}
	if out, err := exec.Command("git", "-C", "../..", "rev-parse", "--short", "HEAD").Output(); err == nil {
		rev := strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "-C", "../..", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
			rev += " with uncommitted changes"
		}
		parts = append(parts, "smbfs at "+rev)
	}
	return strings.Join(parts, "; ") + "."
}
