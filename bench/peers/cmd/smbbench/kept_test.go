package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeptTail: a rerun keeps the hand-written analysis under the marker
// and nothing of the old generated tables.
func TestKeptTail(t *testing.T) {
	dir := t.TempDir()
	if got := keptTail(filepath.Join(dir, "missing.md")); got != nil {
		t.Fatalf("missing file: %q", got)
	}
	noMarker := filepath.Join(dir, "plain.md")
	os.WriteFile(noMarker, []byte("# old tables\n"), 0o644)
	if got := keptTail(noMarker); got != nil {
		t.Fatalf("no marker: %q", got)
	}
	withMarker := filepath.Join(dir, "report.md")
	analysis := keptMarker + "\n\n## Analysis\n\nwritten by hand\n"
	os.WriteFile(withMarker, []byte("# old tables\n| a |\n\n"+analysis), 0o644)
	got := string(keptTail(withMarker))
	if got != "\n"+analysis || strings.Contains(got, "old tables") {
		t.Fatalf("kept %q", got)
	}
}
