package samba

import (
	"context"
	"os"
	"testing"
	"time"
)

// EnvKeepLogs, when set to anything but "" or "0", makes StartT keep each
// instance's directory (logs, smb.conf, share contents) and print its path.
const EnvKeepLogs = "SMBFS_KEEP_LOGS"

// startTLimit bounds StartT's startup; parallel CI runs are slow, idle
// machines need well under a second.
const startTLimit = 60 * time.Second

// logTailLines is how much of the logs a failed test prints.
const logTailLines = 60

// StartT starts an instance for a test and fails the test if it cannot.
// The instance is stopped when the test and its subtests finish; if the
// test failed, the tail of the instance's logs is printed. With
// SMBFS_KEEP_LOGS set, the directory is kept and its path printed.
//
// A missing Samba installation is a failure, not a skip: CI must not
// silently pass without a server.
func StartT(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), startTLimit)
	defer cancel()
	srv, err := Start(ctx, cfg)
	if err != nil {
		tb.Fatalf("start samba: %v", err)
	}
	stopAtCleanup(tb, srv)
	return srv
}

// stopAtCleanup registers srv's Stop with tb, printing the log tail when
// the test failed and keeping the directory when EnvKeepLogs asks for it.
func stopAtCleanup(tb testing.TB, srv *Server) {
	keep := keepLogs()
	if keep {
		srv.Keep()
	}
	tb.Cleanup(func() {
		err := srv.Stop()
		if err != nil {
			tb.Errorf("stop samba %s: %v", srv.Name(), err)
		}
		if tb.Failed() {
			tb.Logf("samba %s (%s) log tail:\n%s", srv.Name(), srv.Addr(), tail(srv.Logs(), logTailLines))
		}
		if keep {
			tb.Logf("samba %s: kept %s", srv.Name(), srv.Dir())
		}
	})
}

func keepLogs() bool {
	v := os.Getenv(EnvKeepLogs)
	return v != "" && v != "0"
}
