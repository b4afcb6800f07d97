package main

import (
	"flag"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/smbfs/smbfs"
)

func TestParseRemote(t *testing.T) {
	tests := []struct {
		in                          string
		host, port, domain, user    string
		password                    string
		share, path, display, query string
		dirHint                     bool
	}{
		{in: "smb://host/share", host: "host", port: "445", share: "share", path: ".", display: "smb://host/share"},
		{in: "smb://alice@host:1445/share/a/b.txt", host: "host", port: "1445", user: "alice", share: "share", path: "a/b.txt", display: "smb://alice@host:1445/share/a/b.txt"},
		{in: "smb://CORP;alice@fs/docs/dir/", host: "fs", port: "445", domain: "CORP", user: "alice", share: "docs", path: "dir", dirHint: true, display: "smb://CORP;alice@fs/docs/dir"},
		{in: "smb://alice:s3cret@host/s", host: "host", port: "445", user: "alice", password: "s3cret", share: "s", path: ".", display: "smb://alice@host/s"},
		{in: "smb://host/s/my%20file%3F.txt", host: "host", port: "445", share: "s", path: "my file?.txt", display: "smb://host/s/my file?.txt"},
		{in: "smb://host/s//x//y/", host: "host", port: "445", share: "s", path: "x/y", dirHint: true, display: "smb://host/s/x/y"},
		{in: "smb://host", host: "host", port: "445", path: ".", display: "smb://host"},
		{in: "SMB://[::1]:99/s/p", host: "::1", port: "99", share: "s", path: "p", display: "smb://[::1]:99/s/p"},
		{in: "smb://u@h/s?auth=krb5", host: "h", port: "445", user: "u", share: "s", path: ".", query: "auth=krb5", display: "smb://u@h/s?auth=krb5"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := parseRemote(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{r.host, r.port, r.domain, r.user, r.password, r.share, r.path, r.String(), r.query}
			want := []string{tt.host, tt.port, tt.domain, tt.user, tt.password, tt.share, tt.path, tt.display, tt.query}
			if !slices.Equal(got, want) || r.dirHint != tt.dirHint {
				t.Errorf("got %q dirHint %v\nwant %q dirHint %v", got, r.dirHint, want, tt.dirHint)
			}
			if strings.Contains(r.connectURL(), "s3cret") {
				t.Errorf("connectURL %q carries the password", r.connectURL())
			}
		})
	}
}

func TestParseRemoteErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://host/s", "not a smb:// URL"},
		{"smb:///share", "no host"},
		{"smb://host:99999/s", "bad port"},
		{"smb://host/s/a/../b", `".." is not allowed`},
		{"smb://host/s/x#frag", "fragment"},
		{"smb://u:pw@host:bad port/s", "bad URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseRemote(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), ":pw@") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		l, r, q bool
		n       int
	}{
		{args: []string{"-l", "a"}, pos: []string{"a"}, l: true},
		{args: []string{"a", "-l", "b", "-R"}, pos: []string{"a", "b"}, l: true, r: true},
		{args: []string{"-lR", "a"}, pos: []string{"a"}, l: true, r: true},
		{args: []string{"-lRq", "a", "-n", "3"}, pos: []string{"a"}, l: true, r: true, q: true, n: 3},
		{args: []string{"a", "--", "-l", "-R"}, pos: []string{"a", "-l", "-R"}},
		{args: []string{"-", "b"}, pos: []string{"-", "b"}},
		{args: []string{"--n=5", "x"}, pos: []string{"x"}, n: 5},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := flag.NewFlagSet("x", flag.ContinueOnError)
			l, r, q := f.Bool("l", false, ""), f.Bool("R", false, ""), f.Bool("q", false, "")
			n := f.Int("n", 0, "")
			pos, err := parseInterspersed(f, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.pos) || *l != tt.l || *r != tt.r || *q != tt.q || *n != tt.n {
				t.Errorf("got %q l=%v R=%v q=%v n=%d", pos, *l, *r, *q, *n)
			}
		})
	}
	// A bundle with a letter that is not a boolean flag is not expanded,
	// so the flag package reports it.
	f := flag.NewFlagSet("x", flag.ContinueOnError)
	f.SetOutput(nopWriter{})
	f.Bool("l", false, "")
	if _, err := parseInterspersed(f, []string{"-lz", "a"}); err == nil {
		t.Error("-lz with no -z flag: no error")
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "0", want: 0}, {in: "512", want: 512}, {in: "4k", want: 4096}, {in: "64MiB", want: 64 << 20},
		{in: "1G", want: 1 << 30}, {in: "100MB", want: 100e6}, {in: "1.5GiB", want: 3 << 29}, {in: "2 kb", want: 2000},
		{in: "", bad: true}, {in: "MiB", bad: true}, {in: "-1", bad: true}, {in: "12XB", bad: true}, {in: "1e30", bad: true},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if tt.bad != (err != nil) || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, bad %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestFormat(t *testing.T) {
	bytes := []struct {
		n    float64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.00 KiB"}, {12.5 * 1024, "12.5 KiB"}, {300 << 20, "300 MiB"}, {3 << 30, "3.00 GiB"}}
	for _, tt := range bytes {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%v) = %q, want %q", tt.n, got, tt.want)
		}
	}
	clocks := []struct {
		d    time.Duration
		want string
	}{{0, "0:00"}, {59 * time.Second, "0:59"}, {61*time.Second + 600*time.Millisecond, "1:02"}, {3723 * time.Second, "1:02:03"}, {-time.Second, "0:00"}}
	for _, tt := range clocks {
		if got := formatClock(tt.d); got != tt.want {
			t.Errorf("formatClock(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	trunc := []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abcdef", 4, "…def"}, {"abcdef", 1, "…"}, {"abcdef", 0, ""}, {"äöüß", 3, "…üß"}}
	for _, tt := range trunc {
		if got := truncateLeft(tt.s, tt.n); got != tt.want {
			t.Errorf("truncateLeft(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	mib := int64(1 << 20)
	tests := []struct {
		name  string
		label string
		width int
		p     smbfs.Progress
		final bool
		want  []string // substrings
	}{
		{"half", "report.pdf", 100, smbfs.Progress{Done: 50 * mib, Total: 100 * mib, Rate: 10 * float64(mib)}, false,
			[]string{"report.pdf  [", ">", "]   50%", "50.0 MiB / 100 MiB", "10.0 MiB/s", "ETA 0:05"}},
		{"no rate yet", "a", 80, smbfs.Progress{Done: 0, Total: mib}, false, []string{"0%", "ETA --:--"}},
		{"unknown size", "stdin", 80, smbfs.Progress{Done: 5 * mib, Total: -1, Rate: float64(mib), Elapsed: 5 * time.Second}, false,
			[]string{"stdin", "5.00 MiB", "1.00 MiB/s", "0:05"}},
		{"final", "big.iso", 80, smbfs.Progress{Done: 300 * mib, Total: 300 * mib, Rate: 100 * float64(mib), Elapsed: 3 * time.Second}, true,
			[]string{"big.iso", "100%", "300 MiB", "100 MiB/s", "0:03"}},
		{"long label narrow", strings.Repeat("d/", 60) + "file.bin", 60, smbfs.Progress{Done: mib, Total: 2 * mib, Rate: 1}, false,
			[]string{"…", "file.bin", "50%"}},
		{"tiny terminal", "file.bin", 20, smbfs.Progress{Done: mib, Total: 2 * mib, Rate: 1}, false, []string{"50%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &progressBar{label: tt.label, width: func() int { return tt.width }}
			line := b.line(tt.p, tt.final)
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("line %q lacks %q", line, w)
				}
			}
			if n := utf8.RuneCountInString(line); n > tt.width-1 && tt.width >= 60 {
				t.Errorf("line is %d columns, terminal %d: %q", n, tt.width, line)
			}
		})
	}
}

func TestBar(t *testing.T) {
	tests := []struct {
		pct, w int
		want   string
	}{{0, 7, "[>    ]"}, {50, 12, "[=====>    ]"}, {100, 7, "[=====]"}, {150, 7, "[=====]"}}
	for _, tt := range tests {
		if got := bar(tt.pct, tt.w); got != tt.want {
			t.Errorf("bar(%d, %d) = %q, want %q", tt.pct, tt.w, got, tt.want)
		}
	}
}
