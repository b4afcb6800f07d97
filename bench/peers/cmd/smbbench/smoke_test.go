package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs/bench/peers"
)

// TestSmoke runs the whole command with tiny workloads: servers, proxy,
// every client, every step, the report. It needs root and Samba.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts smbd instances and runs every client")
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{
			name: "lan plain",
			args: []string{"-profiles", "lan", "-security", "plain"},
			want: []string{"## Link profiles, as measured", "## lan (1 Gbit/s, 1ms each way) — plain",
				"## Round trips and requests (lan, plain)", "Requests per file by command"},
		},
		{
			name: "direct all sessions",
			args: []string{"-profiles", "direct", "-security", "plain,signed,encrypted"},
			want: []string{"## direct (loopback, no proxy) — plain", "— signed", "— encrypted"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			md := filepath.Join(t.TempDir(), "bench.md")
			args := append([]string{"-quick", "-small", "3", "-medium", "1", "-large", "1",
				"-workloads", "small,medium,stream,list", "-stream-size", "3145728", "-list-entries", "25",
				"-cal-pings", "5", "-cal-size", "1048576", "-o", md}, tc.args...)
			var stdout, stderr bytes.Buffer
			if code := run(ctx, args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\nstderr:\n%s", code, stderr.String())
			}
			out := stdout.String()
			file, err := os.ReadFile(md)
			if err != nil {
				t.Fatal(err)
			}
			if string(file) != out {
				t.Error("the report file differs from standard output")
			}
			for _, w := range append(tc.want, "| 3×100 KiB | upload |", "| 1×10 MiB | download |", "| 3 MiB stream | upload |",
				"| list 25 entries | list |", "go run ./cmd/smbbench -quick") {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q", w)
				}
			}
			// Every failure is a known peer limitation; smbfs never fails.
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "| ") && strings.Contains(line, "fail") {
					cells := strings.Split(line, "|")
					for i, v := range variants() {
						if c := cells[4+i]; strings.Contains(c, "fail") && v.client == "smbfs" {
							t.Errorf("smbfs failed: %s", line)
						}
					}
				}
			}
			if t.Failed() {
				t.Logf("report:\n%s\nstderr:\n%s", out, stderr.String())
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(*config) bool
	}{
		{"defaults", nil, false, func(c *config) bool {
			d, l, w := c.plans[0], c.plans[1], c.plans[2]
			return c.runs == 3 && c.bigRuns == 1 && len(c.plans) == 3 && len(c.variants) == 10 &&
				len(d.secs) == 3 && len(d.workloads) == 5 && d.workloads[0].count == 100 && d.workloads[3].size == 1<<30 &&
				len(l.secs) == 2 && l.workloads[3].size == 256<<20 &&
				len(w.secs) == 1 && len(w.workloads) == 2 && len(c.secs()) == 3
		}},
		{"quick", []string{"-quick"}, false, func(c *config) bool {
			return c.runs == 1 && len(c.plans) == 2 && len(c.plans[0].secs) == 3 && len(c.plans[1].secs) == 1 &&
				c.plans[0].workloads[0].count == 20 && c.plans[1].workloads[3].size == 64<<20
		}},
		{"full", []string{"-full", "-runs", "2"}, false, func(c *config) bool {
			w := c.plans[2]
			return c.bigRuns == 2 && len(w.secs) == 3 && len(w.workloads) == 5 && w.workloads[3].size == 1<<30
		}},
		{"explicit security and workloads apply everywhere", []string{"-security", "encrypted", "-workloads", "small"}, false,
			func(c *config) bool {
				for _, p := range c.plans {
					if len(p.secs) != 1 || p.secs[0] != peers.Encrypted || len(p.workloads) != 1 {
						return false
					}
				}
				return len(c.secs()) == 1
			}},
		{"quick keeps explicit runs", []string{"-quick", "-runs", "2"}, false, func(c *config) bool { return c.runs == 2 }},
		{"clients by family and id", []string{"-clients", "smbfs,smbclient,gosmb2-par"}, false, func(c *config) bool {
			return len(c.variants) == 7
		}},
		{"quick and full", []string{"-quick", "-full"}, true, nil},
		{"bad profile", []string{"-profiles", "moon"}, true, nil},
		{"bad security", []string{"-security", "rot13"}, true, nil},
		{"bad workload", []string{"-workloads", "huge"}, true, nil},
		{"no clients", []string{"-clients", "nobody"}, true, nil},
		{"zero runs", []string{"-runs", "0"}, true, nil},
		{"stray argument", []string{"extra"}, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			c, err := parseFlags(tc.args, &stderr)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && !tc.check(c) {
				t.Errorf("config %+v", c)
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	secs := []struct {
		d    time.Duration
		want string
	}{
		{123 * time.Second, "123"}, {12345 * time.Millisecond, "12.3"}, {1234 * time.Millisecond, "1.23"},
		{123456 * time.Microsecond, "0.123"}, {12345 * time.Microsecond, "0.0123"}, {1234 * time.Microsecond, "0.00123"},
	}
	for _, tc := range secs {
		if got := fmtSecs(tc.d); got != tc.want {
			t.Errorf("fmtSecs(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := ratio(3*time.Second, time.Second); got != "3.00" {
		t.Errorf("ratio = %q", got)
	}
	if got := ratio(0, time.Second); got != "—" {
		t.Errorf("ratio without a peer = %q", got)
	}
	for _, tc := range []struct {
		times []time.Duration
		want  time.Duration
	}{{[]time.Duration{3, 1, 2}, 2}, {[]time.Duration{4, 1, 3, 2}, 2}, {[]time.Duration{5}, 5}} {
		if got, ok := median(&cell{times: tc.times}); !ok || got != tc.want {
			t.Errorf("median(%v) = %v", tc.times, got)
		}
	}
	if _, ok := median(&cell{}); ok {
		t.Error("median of no runs")
	}
	for _, tc := range []struct {
		n    int64
		want string
	}{{1 << 30, "1 GiB"}, {50 << 20, "50 MiB"}, {100 << 10, "100 KiB"}, {1000, "1000 B"}} {
		if got := formatBytes(tc.n); got != tc.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
