package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
)

// srv is the private smbd every test here uses (started by TestMain).
var srv *samba.Server

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var err error
	srv, err = samba.Start(ctx, samba.Main())
	if err != nil {
		fmt.Fprintf(os.Stderr, "httpserve tests: cannot start Samba: %v\n(run scripts/ensure-samba.sh, as root)\n", err)
		return 1
	}
	defer srv.Stop()
	return m.Run()
}

var scratchCounter atomic.Int64

// site is a directory on the public share served over HTTP by Handler.
type site struct {
	fsys *smbfs.FS // the directory, as the guest sees it
	disk string    // the directory on the server's disk
	url  string    // the HTTP server's base URL, ending in "/"

	mu       sync.Mutex
	requests []request // every request served, in order
}

// request is one request the site served.
type request struct {
	method, path, rng string
	status            int
}

// log returns the requests served so far.
func (s *site) log() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

// record wraps h to note each request in s.requests.
func (s *site) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		s.mu.Lock()
		s.requests = append(s.requests, request{r.Method, r.URL.Path, r.Header.Get("Range"), sw.status})
		s.mu.Unlock()
	})
}

// statusWriter notes the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// newSite makes a fresh directory on the public share, fills it with
// files, and serves it with Handler on a local HTTP server.
func newSite(t *testing.T, files map[string][]byte) *site {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	root, err := smbfs.Dial(ctx, srv.URL("public", nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	name := fmt.Sprintf("http%d-%s", scratchCounter.Add(1), strings.ReplaceAll(t.Name(), "/", "_"))
	if err := root.Mkdir(name, 0o777); err != nil {
		t.Fatal(err)
	}
	disk := filepath.Join(srv.SharePath("public"), name)
	t.Cleanup(func() { os.RemoveAll(disk) })
	sub, err := root.Sub(name)
	if err != nil {
		t.Fatal(err)
	}
	fsys := sub.(*smbfs.FS)
	for p, data := range files {
		if dir := filepath.Dir(p); dir != "." {
			if err := fsys.MkdirAll(filepath.ToSlash(dir), 0o777); err != nil {
				t.Fatal(err)
			}
		}
		if err := fsys.WriteFile(p, data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	s := &site{fsys: fsys, disk: disk}
	hs := httptest.NewServer(s.record(Handler(fsys)))
	t.Cleanup(hs.Close)
	s.url = hs.URL + "/"
	return s
}

// pattern returns n bytes that differ at every offset a test might
// confuse with another (a position-dependent pattern, not random).
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*131 + i>>8*7 + i>>16*3)
	}
	return b
}
