package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/smbfs/smbfs/bench/peers"
)

// family groups variants for the ratio columns.
type family int

const (
	famSmbfs family = iota
	famPeer
)

// variant is one column of the results: a client used one way.
type variant struct {
	id     string // short, for directory names and -clients
	title  string // column header
	client string // what -clients matches: smbfs, go-smb2, cloudsoda, smbclient
	fam    family
	par    bool // fans out over goroutines, or batches
	dial   func(ctx context.Context, t peers.Target, par int) (peers.Session, error)
}

// variants returns every column, in table order.
func variants() []variant {
	smbfsDial := func(style peers.SmbfsStyle, fanout bool) func(context.Context, peers.Target, int) (peers.Session, error) {
		return func(ctx context.Context, t peers.Target, par int) (peers.Session, error) {
			if !fanout {
				par = 1
			}
			return peers.DialSmbfs(ctx, t, style, par)
		}
	}
	return []variant{
		{"smbfs", "smbfs", "smbfs", famSmbfs, false, smbfsDial(peers.Whole, false)},
		{"smbfs-open", "smbfs open", "smbfs", famSmbfs, false, smbfsDial(peers.OpenWrite, false)},
		{"smbfs-copy", "smbfs copy", "smbfs", famSmbfs, false, smbfsDial(peers.Copy, false)},
		{"smbfs-par", "smbfs ×N", "smbfs", famSmbfs, true, smbfsDial(peers.Whole, true)},
		{"smbfs-batch", "smbfs batch", "smbfs", famSmbfs, true, smbfsDial(peers.Batch, false)},
		{"gosmb2", "go-smb2", "go-smb2", famPeer, false, func(ctx context.Context, t peers.Target, _ int) (peers.Session, error) {
			return peers.DialGoSMB2(ctx, t, 1)
		}},
		{"gosmb2-par", "go-smb2 ×N", "go-smb2", famPeer, true, func(ctx context.Context, t peers.Target, par int) (peers.Session, error) {
			return peers.DialGoSMB2(ctx, t, par)
		}},
		{"cloudsoda", "cloudsoda", "cloudsoda", famPeer, false, func(ctx context.Context, t peers.Target, _ int) (peers.Session, error) {
			return peers.DialCloudsoda(ctx, t, 1)
		}},
		{"cloudsoda-par", "cloudsoda ×N", "cloudsoda", famPeer, true, func(ctx context.Context, t peers.Target, par int) (peers.Session, error) {
			return peers.DialCloudsoda(ctx, t, par)
		}},
		{"smbclient", "smbclient", "smbclient", famPeer, false, func(ctx context.Context, t peers.Target, _ int) (peers.Session, error) {
			return peers.StartSmbclient(ctx, t)
		}},
	}
}

// variantNote explains each column, for the report.
var variantNote = map[string]string{
	"smbfs":         "`fsys.WriteFile`, `fs.ReadFile`, `fsys.Remove` in a loop, `fs.ReadDir`",
	"smbfs-open":    "`OpenFile`+one `Write`+`Close` up, `Open`+`io.Copy`+`Close` down (also the streamed download)",
	"smbfs-copy":    "`OpenFile`+`io.Copy` from a plain `io.Reader`+`Close` up (also the streamed upload)",
	"smbfs-par":     "the `smbfs` column's calls from N goroutines on one `FS`",
	"smbfs-batch":   "the batch API and the streaming helpers (hooks in bench/peers/smbfs_hooks.go)",
	"gosmb2":        "github.com/hirochachacha/go-smb2 v1.1.0: `WriteFile`, `ReadFile`, `Remove`, `ReadDir`; `io.Copy` for streams",
	"gosmb2-par":    "the same from N goroutines on one session",
	"cloudsoda":     "github.com/cloudsoda/go-smb2: the same calls as go-smb2",
	"cloudsoda-par": "the same from N goroutines on one session",
	"smbclient":     "Samba's smbclient at its prompt: `mput *`, `ls`, `mget *`, `del *`; `get f /dev/null`, `put`",
}

// stepKind is one timed operation of a workload.
type stepKind int

const (
	stepUpload stepKind = iota
	stepList
	stepDownload
	stepDelete
)

func (s stepKind) String() string {
	return [...]string{"upload", "list", "download", "delete"}[s]
}

// workload is a group of rows.
type workload struct {
	id    string // what -workloads matches
	kind  string // "files", "stream", "list"
	count int    // files (files), entries (list)
	size  int64  // bytes per file (files), stream size (stream)
}

// label names the workload in the table: "100×100 KiB", "1 GiB stream",
// "list 10000".
func (w workload) label() string {
	switch w.kind {
	case "stream":
		return formatBytes(w.size) + " stream"
	case "list":
		return fmt.Sprintf("list %d entries", w.count)
	}
	return fmt.Sprintf("%d×%s", w.count, formatBytes(w.size))
}

// steps returns the workload's rows.
func (w workload) steps() []stepKind {
	switch w.kind {
	case "stream":
		return []stepKind{stepDownload, stepUpload}
	case "list":
		return []stepKind{stepList}
	}
	return []stepKind{stepUpload, stepList, stepDownload, stepDelete}
}

// bytes returns what a step of the workload moves across the link.
func (w workload) bytes(s stepKind) int64 {
	if s != stepUpload && s != stepDownload {
		return 0
	}
	if w.kind == "stream" {
		return w.size
	}
	return int64(w.count) * w.size
}

// files is the number of files a step handles, for per-file counts.
func (w workload) files() int {
	if w.kind == "files" {
		return w.count
	}
	return 1
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// splitList splits a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
