package addc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A DC whose test binary died (a timeout, SIGKILL) leaves its directory
// behind, and possibly processes that ignored the parent-death signal and
// with them the network namespace and the veth pair. Every DC directory
// holds an owner file naming the test process (pid and start time, which
// together survive pid reuse), the namespace and the host interface;
// removeStale clears what belongs to owners that no longer run.

// ownerRecord is the content of the owner file.
type ownerRecord struct {
	pid    int
	start  uint64
	netns  string
	hostIf string
}

// writeOwner records this process as the DC's owner, with the namespace and
// interface when they exist.
func writeOwner(l layout, r ownerRecord) error {
	r.pid = os.Getpid()
	r.start = startTime(r.pid)
	s := fmt.Sprintf("pid %d\nstart %d\nnetns %s\nhostif %s\n", r.pid, r.start, r.netns, r.hostIf)
	return os.WriteFile(l.owner(), []byte(s), 0o644)
}

// parseOwner reads an owner file's content; unknown or missing lines leave
// fields empty.
func parseOwner(s string) ownerRecord {
	var r ownerRecord
	for _, line := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(line, " ")
		v = strings.TrimSpace(v)
		switch k {
		case "pid":
			r.pid, _ = strconv.Atoi(v)
		case "start":
			r.start, _ = strconv.ParseUint(v, 10, 64)
		case "netns":
			r.netns = v
		case "hostif":
			r.hostIf = v
		}
	}
	return r
}

// alive reports whether the owner still runs.
func (r ownerRecord) alive() bool {
	return r.pid > 0 && r.start != 0 && startTime(r.pid) == r.start
}

// removeStale removes the DCs of dead owners. It is best effort: a failure
// to clean up after another run must not fail this one.
func removeStale(ctx context.Context, ipPath string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		data, err := os.ReadFile(layout{root: dir}.owner())
		if err != nil {
			// No owner file: either being created right now by another
			// run (the file is its first write) or not ours; leave it.
			continue
		}
		r := parseOwner(string(data))
		if r.alive() {
			continue
		}
		if r.netns != "" {
			_ = killNetns(r.netns, filepath.Base(dir))
		}
		if r.hostIf != "" && strings.HasPrefix(r.hostIf, linkPrefix) {
			_ = deleteVeth(ctx, ipPath, r.hostIf)
		}
		_ = os.RemoveAll(dir)
	}
}
