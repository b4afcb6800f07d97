package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/smbfs/smbfs/bench/linkproxy"
	"github.com/smbfs/smbfs/bench/peers"
)

// meta describes the run for the report's header.
type meta struct {
	command  string
	started  time.Time
	elapsed  time.Duration
	host     string
	versions string
}

// report renders the results as Markdown.
type report struct {
	e     *env
	res   *results
	w     io.Writer
	notes []string // footnotes, numbered from 1
}

func writeReport(w io.Writer, e *env, res *results, m meta) {
	r := &report{e: e, res: res, w: w}
	r.header(m)
	for _, g := range res.groups {
		r.table(g)
	}
	r.roundTrips()
	r.footnotes()
}

func (r *report) printf(format string, args ...any) { fmt.Fprintf(r.w, format, args...) }

func (r *report) header(m meta) {
	cfg := r.e.cfg
	r.printf("# smbfs benchmarks\n\n")
	r.printf("Produced by `%s` (run from `bench/peers`; `make bench` runs it), started %s, took %s.\n\n",
		m.command, m.started.UTC().Format("2006-01-02 15:04 UTC"), m.elapsed.Round(time.Second))
	r.printf("Host: %s. %s\n\n", m.host, m.versions)
	r.printf("To reproduce: `make bench` (root and Samba needed; `BENCHFLAGS=-quick` for a ~2 min run, `-full` for " +
		"everything on every profile), or `go run ./cmd/smbbench -h` in `bench/peers` for the flags that pick profiles, " +
		"session kinds, workloads, clients and run counts. The numbers change as the engine changes; rerun before quoting them.\n\n")
	r.printf("Every number is the median, in seconds, of %d run(s) of one step (%d for the transfers of 10 MiB files and "+
		"more through a proxy, %d on direct) against a private smbd on 127.0.0.1 "+
		"(`smb2 max credits = 8192`; the signed server has `server signing = mandatory`, the encrypted one "+
		"`server smb encrypt = required`)%s. Sessions are connected before the clock starts. "+
		"**floor** is the line-rate floor of the profile: bytes ÷ cap. "+
		"**best peer** is the fastest peer cell of the row; **seq ×** is the best peer working sequentially "+
		"(go-smb2, cloudsoda, smbclient) divided by the best sequential smbfs column (above 1: smbfs is faster); "+
		"**par ×** is the best peer of any kind divided by the best of smbfs ×N and smbfs batch; "+
		"**%% line** is floor ÷ the best smbfs time.\n\n", cfg.runs, cfg.bigRuns, cfg.directBigRuns, shareNote(cfg))
	if len(r.e.cals) > 0 {
		r.printf("## Link profiles, as measured\n\n")
		r.printf("The proxy (`bench/linkproxy`) holds every chunk for the one-way delay and paces each direction to the cap "+
			"with a token bucket in virtual time; Go timers fire no sooner than ~1.08 ms here, so the real round trip is "+
			"measured (one-byte ping, %d samples) and so is the rate of a %s bulk transfer each way through it (median of three).\n\n",
			cfg.calPings, formatBytes(cfg.calSize))
		r.printf("| profile | cap | one-way delay | RTT median (min–max) | bulk up | bulk down | best SMB transfer through it |\n")
		r.printf("|---|---|---|---|---|---|---|\n")
		for _, c := range r.e.cals {
			best := "—"
			if b, ok := r.res.best[c.Profile.Name]; ok {
				best = fmt.Sprintf("%s (%.0f %%): %s, %s %s, %s", linkproxy.FormatRate(b.bps), 100*b.bps/float64(c.Profile.Rate),
					r.variantTitle(b.at.variant), r.workloadLabel(b.at.group.profile, b.at.workload), b.at.step, b.at.group.sec)
			}
			r.printf("| %s | %s | %s | %s (%s–%s) | %s (%.1f %%) | %s (%.1f %%) | %s |\n", c.Profile.Name,
				linkproxy.FormatRate(float64(c.Profile.Rate)), c.Profile.Delay,
				fmtDur(c.RTT), fmtDur(c.RTTMin), fmtDur(c.RTTMax),
				linkproxy.FormatRate(c.Up), 100*c.UpShare(), linkproxy.FormatRate(c.Down), 100*c.DownShare(), best)
		}
		r.printf("\n")
	}
	r.printf("## Columns\n\n")
	for _, v := range cfg.variants {
		note := strings.ReplaceAll(variantNote[v.id], "N goroutines", fmt.Sprintf("%d goroutines", cfg.parallel))
		r.printf("- **%s**: %s.\n", r.variantTitle(v.id), note)
	}
	r.printf("\n— : the column does not measure this step (another column does it the same way); " +
		"pending: the smbfs API the column stands for has not landed; fail: see the notes at the end.\n\n")
}

func (r *report) variantTitle(id string) string {
	for _, v := range variants() {
		if v.id == id {
			return strings.ReplaceAll(v.title, "×N", fmt.Sprintf("×%d", r.e.cfg.parallel))
		}
	}
	return id
}

func (r *report) workloadLabel(profile, id string) string {
	for _, w := range r.e.cfg.plan(profile).workloads {
		if w.id == id {
			return w.label()
		}
	}
	return id
}

func (r *report) profile(name string) linkproxy.Profile { return r.e.cfg.plan(name).profile }

// table prints one profile × security table.
func (r *report) table(g groupKey) {
	cfg := r.e.cfg
	p := r.profile(g.profile)
	r.printf("## %s — %s\n\n", p, g.sec)
	r.printf("| workload | step | floor |")
	for _, v := range cfg.variants {
		r.printf(" %s |", r.variantTitle(v.id))
	}
	r.printf(" best peer | seq × | par × | %% line |\n|---|---|---|")
	for range cfg.variants {
		r.printf("---|")
	}
	r.printf("---|---|---|---|\n")
	for _, w := range cfg.plan(g.profile).workloads {
		for _, s := range w.steps() {
			floor := time.Duration(0)
			if n := w.bytes(s); n > 0 {
				floor = p.Floor(n)
			}
			r.printf("| %s | %s | %s |", w.label(), s, secsOrDash(floor))
			best := map[string]time.Duration{}
			for _, v := range cfg.variants {
				c := r.res.cells[cellKey{g, w.id, s, v.id}]
				r.printf(" %s |", r.cellText(c))
				if d, ok := median(c); ok {
					best[v.id] = d
				}
			}
			peerSeq, _ := r.bestOf(best, func(v variant) bool { return v.fam == famPeer && !v.par })
			peerAll, peerAllID := r.bestOf(best, func(v variant) bool { return v.fam == famPeer })
			oursSeq, _ := r.bestOf(best, func(v variant) bool { return v.fam == famSmbfs && !v.par })
			oursPar, _ := r.bestOf(best, func(v variant) bool { return v.fam == famSmbfs && v.par })
			oursAll, _ := r.bestOf(best, func(v variant) bool { return v.fam == famSmbfs })
			bestPeer := "—"
			if peerAllID != "" {
				bestPeer = fmtSecs(peerAll) + " " + r.variantTitle(peerAllID)
			}
			line := "—"
			if floor > 0 && oursAll > 0 {
				line = fmt.Sprintf("%.0f %%", 100*floor.Seconds()/oursAll.Seconds())
			}
			r.printf(" %s | %s | %s | %s |\n", bestPeer, ratio(peerSeq, oursSeq), ratio(peerAll, oursPar), line)
		}
	}
	r.printf("\n")
}

// bestOf returns the smallest time among the variants pick accepts.
func (r *report) bestOf(times map[string]time.Duration, pick func(variant) bool) (time.Duration, string) {
	var best time.Duration
	var id string
	for _, v := range r.e.cfg.variants {
		if d, ok := times[v.id]; ok && pick(v) && (id == "" || d < best) {
			best, id = d, v.id
		}
	}
	return best, id
}

func ratio(peer, ours time.Duration) string {
	if peer <= 0 || ours <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", peer.Seconds()/ours.Seconds())
}

// cellText is a cell's median, or why there is none.
func (r *report) cellText(c *cell) string {
	if c == nil {
		return "—"
	}
	d, ok := median(c)
	switch {
	case ok && len(c.fails) > 0:
		return fmt.Sprintf("%s [%d/%d failed%s]", fmtSecs(d), len(c.fails), len(c.fails)+len(c.times), r.note(c.fails[0]))
	case ok:
		return fmtSecs(d)
	case len(c.fails) > 0:
		return "fail" + r.note(c.fails[0])
	case c.pending:
		return "pending"
	}
	return "—"
}

// note files a footnote (once per distinct text) and returns its marker.
func (r *report) note(text string) string {
	if len(text) > 400 && text != knownSigningFailure {
		text = text[:400] + "…"
	}
	i := slices.Index(r.notes, text)
	if i < 0 {
		r.notes = append(r.notes, text)
		i = len(r.notes) - 1
	}
	return fmt.Sprintf(" ⁽%d⁾", i+1)
}

func median(c *cell) (time.Duration, bool) {
	if c == nil || len(c.times) == 0 {
		return 0, false
	}
	s := slices.Clone(c.times)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// fmtSecs formats seconds with three significant digits.
func fmtSecs(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s >= 100:
		return fmt.Sprintf("%.0f", s)
	case s >= 10:
		return fmt.Sprintf("%.1f", s)
	case s >= 1:
		return fmt.Sprintf("%.2f", s)
	case s >= 0.1:
		return fmt.Sprintf("%.3f", s)
	case s >= 0.01:
		return fmt.Sprintf("%.4f", s)
	}
	return fmt.Sprintf("%.5f", s)
}

func secsOrDash(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return fmtSecs(d)
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// roundTrips prints what the proxy counted for the first proxied group:
// round trips the client waited for and requests it sent, per file.
func (r *report) roundTrips() {
	var g groupKey
	found := false
	for _, k := range r.res.groups {
		if r.profile(k.profile).IsDirect() || (found && k.profile != g.profile) {
			continue
		}
		if !found || (k.sec == peers.Plain && g.sec != peers.Plain) {
			g, found = k, true
		}
	}
	if !found {
		return
	}
	cfg := r.e.cfg
	r.printf("## Round trips and requests (%s, %s)\n\n", g.profile, g.sec)
	r.printf("Counted by the proxy in the last successful run: it parses the Direct TCP framing and the SMB2 header chain " +
		"of every frame. **rt** counts the requests the client sent while it had nothing outstanding — the round trips it " +
		"waited for; **req** counts SMB2 requests (each part of a compound counts; for an encrypted session, frames). " +
		"For file sets both are per file. smbclient's counts include the untimed `cd` before each step (1–2 round trips).\n\n")
	r.printf("| workload | step |")
	for _, v := range cfg.variants {
		r.printf(" %s rt / req |", r.variantTitle(v.id))
	}
	r.printf("\n|---|---|")
	for range cfg.variants {
		r.printf("---|")
	}
	r.printf("\n")
	for _, w := range cfg.plan(g.profile).workloads {
		for _, s := range w.steps() {
			r.printf("| %s | %s |", w.label(), s)
			for _, v := range cfg.variants {
				c := r.res.cells[cellKey{g, w.id, s, v.id}]
				if c == nil || c.stats == nil {
					r.printf(" — |")
					continue
				}
				st := c.stats
				req := st.Up.Messages
				if req == 0 {
					req = st.Up.Frames
				}
				per := float64(w.files())
				r.printf(" %s / %s |", fmtCount(float64(st.RoundTrips)/per), fmtCount(float64(req)/per))
			}
			r.printf("\n")
		}
	}
	r.printf("\n")
	r.commandMix(g)
}

// commandMix prints the SMB2 requests per file of the first file set, by
// command, for every column.
func (r *report) commandMix(g groupKey) {
	var w workload
	for _, x := range r.e.cfg.plan(g.profile).workloads {
		if x.kind == "files" {
			w = x
			break
		}
	}
	if w.kind == "" || g.sec == peers.Encrypted {
		return
	}
	r.printf("Requests per file by command, %s (%s, %s):\n\n", w.label(), g.profile, g.sec)
	r.printf("| column | upload | list | download | delete |\n|---|---|---|---|---|\n")
	for _, v := range r.e.cfg.variants {
		r.printf("| %s |", r.variantTitle(v.id))
		for _, s := range w.steps() {
			c := r.res.cells[cellKey{g, w.id, s, v.id}]
			if c == nil || c.stats == nil {
				r.printf(" — |")
				continue
			}
			var parts []string
			for code, n := range c.stats.Up.Commands {
				if n > 0 {
					parts = append(parts, fmt.Sprintf("%s %s", linkproxy.CommandName(code), fmtCount(float64(n)/float64(w.files()))))
				}
			}
			r.printf(" %s |", strings.Join(parts, ", "))
		}
		r.printf("\n")
	}
	r.printf("\n")
}

func fmtCount(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	if x >= 10 {
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func (r *report) footnotes() {
	if len(r.notes) == 0 {
		return
	}
	r.printf("## Notes\n\n")
	for i, n := range r.notes {
		if n == knownSigningFailure && r.res.signingFailsProxied > 0 {
			n += fmt.Sprintf(" (through the proxy, %d of %d such failed steps carried an interim response)",
				r.res.signingFailsInterim, r.res.signingFailsProxied)
		}
		r.printf("%d. %s.\n", i+1, strings.TrimSuffix(strings.ReplaceAll(n, "\n", " "), "."))
	}
	r.printf("\n")
}

// shareNote says where the shares live.
func shareNote(cfg *config) string {
	if cfg.tmpfs {
		return ", its share on tmpfs so that the disk does not dominate (smbfs flushes what it writes, which on disk costs an fsync per file; the peers do not flush)"
	}
	return ", its share on the local disk"
}
