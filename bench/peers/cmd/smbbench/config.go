package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/smbfs/smbfs/bench/linkproxy"
	"github.com/smbfs/smbfs/bench/peers"
)

// plan is what runs on one profile: one table per session kind, each with
// the same workloads.
type plan struct {
	profile   linkproxy.Profile
	secs      []peers.Security
	workloads []workload
}

// config is what the flags ask for.
type config struct {
	plans    []plan
	variants []variant
	// runs applies to the small-file and listing workloads, bigRuns to the
	// transfers of 10 MiB and more (steadier, and far longer).
	runs, bigRuns int
	// directBigRuns is bigRuns on the direct profile, where a transfer
	// takes a fraction of a second and one hiccup of a machine shared by
	// server, client and peers would decide a single run.
	directBigRuns int
	parallel      int
	stepTimeout   time.Duration
	out           string
	quick, full   bool
	workDir       string
	calPings      int
	calSize       int64
	verbose       bool
	// tmpfs puts each server's share on a RAM file system, so that what
	// is measured is the protocol and not this machine's disk (every
	// client pays a FLUSH, smbfs's fsync, no more than a page copy).
	tmpfs bool
}

// workloadIDs lists what -workloads accepts.
var workloadIDs = []string{"small", "medium", "large", "stream", "list"}

// runsOf returns how many runs workload w gets on the named profile.
func (c *config) runsOf(w workload, profile string) int {
	switch {
	case w.id == "small" || w.id == "list":
		return c.runs
	case profile == "direct":
		return c.directBigRuns
	}
	return c.bigRuns
}

// maxRuns is the largest number of runs of any workload on the profile.
func (c *config) maxRuns(profile string) int {
	if profile == "direct" {
		return max(c.runs, c.directBigRuns)
	}
	return max(c.runs, c.bigRuns)
}

// defaultPlan is what a profile runs when -security and -workloads are not
// given, chosen so that the default run stays under 15 minutes on a
// 2-CPU host: every workload and session kind on direct loopback (where
// signing and encryption cost CPU, not link time); every workload, plain
// and encrypted, on the LAN, with a shorter stream (through the proxy 1 GiB
// costs 9 s per transfer and says no more than 256 MiB; signing there
// changes only CPU load, which direct shows); small files and the listing,
// plain, on the WAN, whose targets are about small files (1 GiB would
// cost 43 s per transfer there).
func defaultPlan(p linkproxy.Profile) (secs []string, workloads []string, stream int64) {
	switch p.Name {
	case "direct":
		return peers.SecurityNames(), workloadIDs, 1 << 30
	case "lan":
		return []string{"plain", "encrypted"}, workloadIDs, 256 << 20
	}
	return []string{"plain"}, []string{"small", "list"}, 256 << 20
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fl := flag.NewFlagSet("smbbench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	profiles := fl.String("profiles", "direct,lan,wan", "link profiles: "+strings.Join(linkproxy.ProfileNames(), ", "))
	secs := fl.String("security", "", "session kinds for every profile: "+strings.Join(peers.SecurityNames(), ", ")+
		" (default: all on direct and lan, plain on wan)")
	wls := fl.String("workloads", "", "workloads for every profile: "+strings.Join(workloadIDs, ", ")+
		" (default: all on direct and lan, small,list on wan)")
	clients := fl.String("clients", "smbfs,go-smb2,cloudsoda,smbclient", "clients (columns): smbfs, go-smb2, cloudsoda, smbclient, or column ids")
	runs := fl.Int("runs", 3, "runs of the small-file and listing workloads; tables show medians")
	bigRuns := fl.Int("big-runs", 1, "runs of the 10 MiB, 50 MiB and stream workloads (default on direct: -runs)")
	parallel := fl.Int("parallel", 16, "goroutines of the ×N columns")
	streamSize := fl.Int64("stream-size", 0, "bytes of the streamed download and upload (default: 1 GiB direct, 256 MiB through a proxy)")
	listEntries := fl.Int("list-entries", 10000, "entries of the listed directory")
	smallN := fl.Int("small", 100, "files of the small workload (100 KiB each)")
	mediumN := fl.Int("medium", 10, "files of the medium workload (10 MiB each)")
	largeN := fl.Int("large", 3, "files of the large workload (50 MiB each)")
	stepTimeout := fl.Duration("step-timeout", 3*time.Minute, "limit of one timed step")
	out := fl.String("o", "", "also write the report (Markdown) to this file")
	quick := fl.Bool("quick", false, "quick mode (~2 min): 1 run; 20×100 KiB, 4×10 MiB, 2×50 MiB, 64 MiB stream, 1000 entries; "+
		"direct with every session kind, lan plain")
	full := fl.Bool("full", false, "everything everywhere: every session kind and workload on every profile, 1 GiB streams, "+
		"-big-runs = -runs (about an hour)")
	workDir := fl.String("workdir", "", "where servers and local files go (default: a new directory under $TMPDIR)")
	calPings := fl.Int("cal-pings", 50, "pings of each proxy calibration")
	calSize := fl.Int64("cal-size", 32<<20, "bytes of each proxy calibration transfer (three each way)")
	verbose := fl.Bool("v", false, "log every step to stderr")
	tmpfs := fl.Bool("tmpfs", os.Geteuid() == 0, "serve the benchmark shares from tmpfs (needs root; default when root), so disk latency (fsync on FLUSH) does not dominate")
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	if fl.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick && *full {
		return nil, fmt.Errorf("-quick and -full exclude each other")
	}

	c := &config{
		runs: *runs, bigRuns: *bigRuns, parallel: *parallel, stepTimeout: *stepTimeout, out: *out,
		quick: *quick, full: *full, workDir: *workDir, calPings: *calPings, calSize: *calSize, verbose: *verbose, tmpfs: *tmpfs,
	}
	small, medium, large, entries := *smallN, *mediumN, *largeN, *listEntries
	// fixed is the stream size every profile uses; 0: per profile.
	fixed := *streamSize
	if c.quick {
		defaults := map[string]func(){
			"runs":         func() { c.runs = 1 },
			"big-runs":     func() { c.bigRuns = 1 },
			"profiles":     func() { *profiles = "direct,lan" },
			"stream-size":  func() { fixed = 64 << 20 },
			"list-entries": func() { entries = 1000 },
			"small":        func() { small = 20 },
			"medium":       func() { medium = 4 },
			"large":        func() { large = 2 },
			"cal-size":     func() { c.calSize = 8 << 20 },
			"cal-pings":    func() { c.calPings = 20 },
		}
		for name, apply := range defaults {
			if !set[name] {
				apply()
			}
		}
	}
	if c.full {
		if !set["big-runs"] {
			c.bigRuns = c.runs
		}
		if !set["stream-size"] {
			fixed = 1 << 30
		}
	}
	c.directBigRuns = c.bigRuns
	if !set["big-runs"] && !c.quick {
		c.directBigRuns = max(c.bigRuns, c.runs)
	}
	if c.runs < 1 || c.bigRuns < 1 || c.parallel < 1 || fixed < 0 || entries < 1 || small < 1 || medium < 1 || large < 1 {
		return nil, fmt.Errorf("-runs, -big-runs, -parallel, -stream-size, -list-entries, -small, -medium and -large must be positive")
	}
	for _, name := range splitList(*profiles) {
		p, err := linkproxy.ParseProfile(name)
		if err != nil {
			return nil, err
		}
		secNames, wlNames, stream := defaultPlan(p)
		switch {
		case set["security"]:
			secNames = splitList(*secs)
		case c.full:
			secNames = peers.SecurityNames()
		case c.quick && !p.IsDirect():
			secNames = []string{"plain"}
		}
		switch {
		case set["workloads"]:
			wlNames = splitList(*wls)
		case c.full:
			wlNames = workloadIDs
		}
		if fixed > 0 {
			stream = fixed
		}
		pl := plan{profile: p}
		for _, n := range secNames {
			s, err := peers.ParseSecurity(n)
			if err != nil {
				return nil, err
			}
			pl.secs = append(pl.secs, s)
		}
		all := map[string]workload{
			"small":  {id: "small", kind: "files", count: small, size: 100 << 10},
			"medium": {id: "medium", kind: "files", count: medium, size: 10 << 20},
			"large":  {id: "large", kind: "files", count: large, size: 50 << 20},
			"stream": {id: "stream", kind: "stream", size: stream},
			"list":   {id: "list", kind: "list", count: entries},
		}
		for _, n := range wlNames {
			w, ok := all[n]
			if !ok {
				return nil, fmt.Errorf("unknown workload %q (have %s)", n, strings.Join(workloadIDs, ", "))
			}
			pl.workloads = append(pl.workloads, w)
		}
		if len(pl.secs) == 0 || len(pl.workloads) == 0 {
			return nil, fmt.Errorf("nothing to run on %s: pick at least one session kind and workload", p.Name)
		}
		c.plans = append(c.plans, pl)
	}
	want := splitList(*clients)
	for _, v := range variants() {
		if slices.Contains(want, v.client) || slices.Contains(want, v.id) {
			c.variants = append(c.variants, v)
		}
	}
	if len(c.plans) == 0 || len(c.variants) == 0 {
		return nil, fmt.Errorf("nothing to run: pick at least one profile and client")
	}
	return c, nil
}

// secs returns every session kind any plan uses, in order.
func (c *config) secs() []peers.Security {
	var out []peers.Security
	for _, s := range []peers.Security{peers.Plain, peers.Signed, peers.Encrypted} {
		for _, p := range c.plans {
			if slices.Contains(p.secs, s) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// plan returns the plan of the profile called name.
func (c *config) plan(name string) plan {
	for _, p := range c.plans {
		if p.profile.Name == name {
			return p
		}
	}
	return plan{profile: linkproxy.Profile{Name: name}}
}
