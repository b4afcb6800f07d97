package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smbfs/smbfs/bench/linkproxy"
	"github.com/smbfs/smbfs/bench/peers"
)

// groupKey is one table: a profile and a kind of session.
type groupKey struct {
	profile string
	sec     peers.Security
}

// cellKey is one cell of a table.
type cellKey struct {
	group    groupKey
	workload string
	step     stepKind
	variant  string
}

// cell gathers the runs of one cell.
type cell struct {
	times       []time.Duration // successful runs
	fails       []string        // errors of failed runs
	pending     bool            // the smbfs API is not there yet
	notMeasured bool            // the variant leaves this step to another
	stats       *linkproxy.Stats
}

// knownSigningFailure is the note for go-smb2's failures on signed
// sessions.
const knownSigningFailure = "go-smb2 v1.1.0 fails with `invalid response error: signing required`: it rejects every " +
	"unsigned response on a signed session, but interim (STATUS_PENDING) responses are unsigned by design " +
	"(MS-SMB2 3.3.4.1.1; a client must not verify them, 3.2.5.1.3), and Samba sends one whenever an aio read or " +
	"write takes more than a moment"

// results are all cells, with the order tables are printed in.
type results struct {
	// signingFailsProxied counts go-smb2's signing failures through a
	// proxy, signingFailsInterim those where the proxy saw an interim
	// response during the failed step.
	signingFailsProxied, signingFailsInterim int
	groups                                   []groupKey
	cells                                    map[cellKey]*cell
	// best is the highest SMB payload rate seen through each proxied
	// profile (bytes of a transfer step over its time), with its cell.
	best map[string]bestRate
}

type bestRate struct {
	bps float64
	at  cellKey
}

func (r *results) cell(k cellKey) *cell {
	c := r.cells[k]
	if c == nil {
		c = &cell{}
		r.cells[k] = c
	}
	return c
}

// group runs one table: every run of every workload of every variant,
// against the server of sec through profile p.
type group struct {
	e      *env
	key    groupKey
	p      linkproxy.Profile
	sec    peers.Security
	proxy  *linkproxy.Proxy
	target peers.Target
	helper *peers.Cloudsoda
	res    *results
	sess   map[string]peers.Session // by variant id; nil: lost
	dead   map[string]string        // why a variant has no session
}

func (e *env) runGroup(ctx context.Context, pl plan, sec peers.Security, res *results) error {
	p := pl.profile
	srv := e.servers[sec]
	g := &group{e: e, key: groupKey{p.Name, sec}, p: p, sec: sec, res: res,
		sess: map[string]peers.Session{}, dead: map[string]string{}}
	res.groups = append(res.groups, g.key)
	addr := srv.Addr()
	if !p.IsDirect() {
		px, err := linkproxy.Start(srv.Addr(), p)
		if err != nil {
			return err
		}
		defer px.Close()
		g.proxy, addr = px, px.Addr()
	}
	g.target = peers.ServerTarget(srv, addr, sec, e.work)
	// The helper sets up and checks each step outside the timed part,
	// directly, not through the proxy.
	helper, err := peers.DialCloudsoda(ctx, peers.ServerTarget(srv, srv.Addr(), sec, e.work), 1)
	if err != nil {
		return fmt.Errorf("helper session: %w", err)
	}
	defer helper.Close()
	g.helper = helper
	for _, v := range e.cfg.variants {
		g.connect(ctx, v)
	}
	defer func() {
		for _, s := range g.sess {
			if s != nil {
				s.Close()
			}
		}
	}()
	for run := range e.cfg.maxRuns(p.Name) {
		start := time.Now()
		// Rotate the order of the variants from run to run, so that none
		// always goes first (cold server caches) or last.
		n := len(e.cfg.variants)
		for _, w := range pl.workloads {
			if run >= e.cfg.runsOf(w, p.Name) {
				continue
			}
			for i := range n {
				v := e.cfg.variants[(i+run)%n]
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := g.runWorkload(ctx, run, w, v); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(e.log, "%s/%s: run %d of %d done in %s\n", p.Name, sec, run+1, e.cfg.maxRuns(p.Name), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// connect dials variant v's session, or records why it cannot.
func (g *group) connect(ctx context.Context, v variant) {
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := v.dial(dctx, g.target, g.e.cfg.parallel)
	if err != nil {
		g.sess[v.id] = nil
		g.dead[v.id] = "connect: " + err.Error()
		fmt.Fprintf(g.e.log, "%s/%s: %s: %v\n", g.p.Name, g.sec, v.id, err)
		return
	}
	g.sess[v.id] = s
	delete(g.dead, v.id)
}

// outcome is what one timed step did.
type outcome int

const (
	measured outcome = iota
	skipped          // ErrNotMeasured or ErrPending: the helper must do it
	failed
)

// measure times one step of variant v and files the result.
func (g *group) measure(ctx context.Context, v variant, w workload, step stepKind, fn func(ctx context.Context, s peers.Session) error) outcome {
	c := g.res.cell(cellKey{g.key, w.id, step, v.id})
	s := g.sess[v.id]
	if s == nil {
		c.fails = append(c.fails, g.dead[v.id])
		return failed
	}
	sctx, cancel := context.WithTimeout(ctx, g.e.cfg.stepTimeout)
	defer cancel()
	var before linkproxy.Stats
	if g.proxy != nil {
		before = g.proxy.Stats()
	}
	start := time.Now()
	err := fn(sctx, s)
	d := time.Since(start)
	if t, ok := s.(interface{ LastStep() time.Duration }); ok && err == nil {
		d = t.LastStep()
	}
	switch {
	case errors.Is(err, peers.ErrPending):
		c.pending = true
		return skipped
	case errors.Is(err, peers.ErrNotMeasured):
		c.notMeasured = true
		return skipped
	case err != nil:
		if sctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("timed out after %s: %w", g.e.cfg.stepTimeout, err)
		}
		msg := err.Error()
		if v.client == "go-smb2" && strings.Contains(msg, "signing required") {
			// Known: go-smb2 v1.1.0 (conn.go, tryVerify) fails on any
			// unsigned response of a signed session, but a server does
			// not sign interim responses (MS-SMB2 3.3.4.1.1) and a client
			// must not verify them (3.2.5.1.3); Samba sends one when an
			// aio read or write takes more than a moment. One note for
			// all of them, with the proxy's evidence.
			msg = knownSigningFailure
			if g.proxy != nil {
				g.res.signingFailsProxied++
				if g.proxy.Stats().Sub(before).Down.Interim > 0 {
					g.res.signingFailsInterim++
				}
			}
		}
		c.fails = append(c.fails, msg)
		g.logf("%s %s %s: FAILED: %v", w.id, step, v.id, err)
		// The session may be unusable: start a fresh one.
		s.Close()
		g.connect(ctx, v)
		return failed
	}
	c.times = append(c.times, d)
	if g.proxy != nil {
		st := g.proxy.Stats().Sub(before)
		c.stats = &st
		if n := w.bytes(step); n > 0 && d > 0 {
			bps := float64(n) * 8 / d.Seconds()
			if b := g.res.best[g.p.Name]; bps > b.bps {
				g.res.best[g.p.Name] = bestRate{bps, cellKey{g.key, w.id, step, v.id}}
			}
		}
	}
	g.logf("%s %s %s: %s", w.id, step, v.id, d.Round(10*time.Microsecond))
	return measured
}

// fail files an error found by a check after a step that seemed to work.
func (g *group) fail(v variant, w workload, step stepKind, err error) {
	c := g.res.cell(cellKey{g.key, w.id, step, v.id})
	if n := len(c.times); n > 0 {
		c.times = c.times[:n-1]
	}
	c.fails = append(c.fails, "check: "+err.Error())
	g.logf("%s %s %s: CHECK FAILED: %v", w.id, step, v.id, err)
}

func (g *group) logf(format string, args ...any) {
	if g.e.cfg.verbose {
		fmt.Fprintf(g.e.log, "%s/%s: "+format+"\n", append([]any{g.p.Name, g.sec}, args...)...)
	}
}

// runWorkload runs the steps of w for variant v once.
func (g *group) runWorkload(ctx context.Context, run int, w workload, v variant) error {
	switch w.kind {
	case "stream":
		return g.runStream(ctx, run, w, v)
	case "list":
		var n int
		if g.measure(ctx, v, w, stepList, func(ctx context.Context, s peers.Session) (err error) {
			n, err = s.List(ctx, listPath(w.count))
			return err
		}) == measured && n != w.count {
			g.fail(v, w, stepList, fmt.Errorf("listed %d entries, want %d", n, w.count))
		}
		return nil
	}
	return g.runFiles(ctx, run, w, v)
}

// runFiles uploads, lists, downloads and deletes a dataset in a fresh
// directory. Steps the variant does not measure are done by the helper,
// untimed, so that the next step finds what it needs.
func (g *group) runFiles(ctx context.Context, run int, w workload, v variant) error {
	ds := g.e.datasets[w.id]
	h := g.helper
	dir := fmt.Sprintf("%s-r%d-%s", w.id, run, v.id)
	if err := h.Mkdir(ctx, dir); err != nil {
		return fmt.Errorf("helper: mkdir %s: %w", dir, err)
	}
	defer h.RemoveAll(ctx, dir)

	out := g.measure(ctx, v, w, stepUpload, func(ctx context.Context, s peers.Session) error {
		return s.Upload(ctx, dir, ds)
	})
	if out != measured {
		// Start over from an empty directory: a failed upload may have
		// left anything behind.
		if err := h.RemoveAll(ctx, dir); err != nil {
			return fmt.Errorf("helper: %w", err)
		}
		if err := h.Mkdir(ctx, dir); err != nil {
			return fmt.Errorf("helper: %w", err)
		}
		if err := h.Upload(ctx, dir, ds); err != nil {
			return fmt.Errorf("helper: upload: %w", err)
		}
	} else if err := checkFiles(ctx, h, dir, ds); err != nil {
		g.fail(v, w, stepUpload, err)
		if err := h.RemoveAll(ctx, dir); err != nil {
			return fmt.Errorf("helper: %w", err)
		}
		if err := h.Mkdir(ctx, dir); err != nil {
			return fmt.Errorf("helper: %w", err)
		}
		if err := h.Upload(ctx, dir, ds); err != nil {
			return fmt.Errorf("helper: upload: %w", err)
		}
	}

	var n int
	if g.measure(ctx, v, w, stepList, func(ctx context.Context, s peers.Session) (err error) {
		n, err = s.List(ctx, dir)
		return err
	}) == measured && n != len(ds.Files) {
		g.fail(v, w, stepList, fmt.Errorf("listed %d entries, want %d", n, len(ds.Files)))
	}

	var got int64
	if g.measure(ctx, v, w, stepDownload, func(ctx context.Context, s peers.Session) (err error) {
		got, err = s.Download(ctx, dir, ds)
		return err
	}) == measured && got != ds.Bytes() {
		g.fail(v, w, stepDownload, fmt.Errorf("read %d bytes, want %d", got, ds.Bytes()))
	}

	if g.measure(ctx, v, w, stepDelete, func(ctx context.Context, s peers.Session) error {
		return s.Delete(ctx, dir, ds)
	}) == measured {
		if sizes, err := h.Sizes(ctx, dir); err != nil || len(sizes) != 0 {
			g.fail(v, w, stepDelete, fmt.Errorf("%d entries left (%v)", len(sizes), err))
		}
	}
	return nil
}

// checkFiles verifies that dir holds exactly the files of ds, by size.
func checkFiles(ctx context.Context, h *peers.Cloudsoda, dir string, ds *peers.Dataset) error {
	sizes, err := h.Sizes(ctx, dir)
	if err != nil {
		return err
	}
	if len(sizes) != len(ds.Files) {
		return fmt.Errorf("%d entries in %s, want %d", len(sizes), dir, len(ds.Files))
	}
	for _, f := range ds.Files {
		if got, ok := sizes[f.Name]; !ok || got != int64(len(f.Data)) {
			return fmt.Errorf("%s: size %d (present %v), want %d", f.Name, got, ok, len(f.Data))
		}
	}
	return nil
}

// runStream downloads the stream file and uploads a new one.
func (g *group) runStream(ctx context.Context, run int, w workload, v variant) error {
	var got int64
	if g.measure(ctx, v, w, stepDownload, func(ctx context.Context, s peers.Session) (err error) {
		got, err = s.StreamDownload(ctx, streamFile(w.size), &peers.Sink{})
		return err
	}) == measured && got != w.size {
		g.fail(v, w, stepDownload, fmt.Errorf("read %d bytes, want %d", got, w.size))
	}
	name := fmt.Sprintf("up-r%d-%s.bin", run, v.id)
	defer g.helper.Remove(ctx, name)
	if g.measure(ctx, v, w, stepUpload, func(ctx context.Context, s peers.Session) error {
		return s.StreamUpload(ctx, name, g.e.streams[w.size])
	}) == measured {
		sizes, err := g.helper.Sizes(ctx, "")
		if err == nil && sizes[name] != w.size {
			err = fmt.Errorf("uploaded %d bytes, want %d", sizes[name], w.size)
		}
		if err != nil {
			g.fail(v, w, stepUpload, err)
		}
	}
	return nil
}
