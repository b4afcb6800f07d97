package smbfs_test

import (
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

func TestStatsCountersMove(t *testing.T) {
	fsys := scratch(t, dial(t, servers.main, "private", &user))
	c := fsys.Client()
	before := c.Stats()
	if before.Dialect != "3.1.1" || before.SigningAlgorithm != "AES-128-GMAC" || before.Cipher != "AES-128-GCM" {
		t.Errorf("negotiated: %q %q %q", before.Dialect, before.SigningAlgorithm, before.Cipher)
	}
	if err := fsys.WriteFile("x", []byte("hello"), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Stat("missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	after := c.Stats()
	if after.Requests-before.Requests != 4+2 || after.Responses-before.Responses != 6 {
		t.Errorf("requests %d -> %d, responses %d -> %d", before.Requests, after.Requests, before.Responses, after.Responses)
	}
	if after.Outcomes.Success-before.Outcomes.Success != 4 || after.Outcomes.Error-before.Outcomes.Error != 2 {
		t.Errorf("outcomes %+v -> %+v", before.Outcomes, after.Outcomes)
	}
	if after.BytesSent <= before.BytesSent || after.BytesReceived <= before.BytesReceived || after.RTT <= 0 {
		t.Errorf("bytes/rtt did not move: %+v", after)
	}

	// A CHANGE_NOTIFY waits (interim STATUS_PENDING) until cancelled: it is
	// listed as outstanding and pending, then counted as cancelled.
	m := fsys.Client()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		f, err := fsys.Open(".")
		if err != nil {
			done <- err
			return
		}
		defer f.Close()
		done <- fsys.NotifyForTest(ctx, f)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := m.Stats()
		found := false
		for _, o := range s.Outstanding {
			found = found || (o.Command == wire.CommandChangeNotify.String() && o.Pending)
		}
		if found {
			if !strings.Contains(s.String(), "CHANGE_NOTIFY") {
				t.Errorf("String() does not list the outstanding request:\n%s", s)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pending CHANGE_NOTIFY listed: %+v", s.Outstanding)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("notify: %v", err)
	}
	final := m.Stats()
	if final.Errors.Cancelled <= after.Errors.Cancelled || final.Outcomes.Interim <= after.Outcomes.Interim {
		t.Errorf("cancel/interim not counted: %+v -> %+v / %+v", after.Errors, final.Errors, final.Outcomes)
	}
	if _, err := json.Marshal(final); err != nil {
		t.Fatal(err)
	}
	// expvar names live as long as the process: one per run of the test.
	name := fmt.Sprintf("smbfs-test-stats-%d", scratchCounter.Add(1))
	if err := m.PublishExpvar(name); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(expvar.Get(name).String(), `"dialect":"3.1.1"`) {
		t.Errorf("expvar: %s", expvar.Get(name))
	}
	if err := m.PublishExpvar(name); err == nil {
		t.Error("publishing a name twice succeeded")
	}
}
