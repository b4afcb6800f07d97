package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fetch makes one request and returns the response with its body read.
func fetch(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// A file larger than several READ chunks (1 MiB), with an odd size, so
// that ranges cross chunk boundaries and end at the last byte.
const bigSize = 3<<20 + 17

func TestRanges(t *testing.T) {
	data := pattern(bigSize)
	s := newSite(t, map[string][]byte{"big.bin": data})
	url := s.url + "big.bin"
	size := strconv.Itoa(bigSize)

	t.Run("whole file", func(t *testing.T) {
		resp, body := fetch(t, "GET", url, nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, data) {
			t.Fatalf("status %d, %d bytes (want 200, %d identical bytes)", resp.StatusCode, len(body), len(data))
		}
		if resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Content-Length") != size {
			t.Errorf("headers %v", resp.Header)
		}
	})

	single := []struct {
		name, header string
		start, end   int // inclusive
	}{
		{"first bytes", "bytes=0-0", 0, 0},
		{"middle", "bytes=100-199", 100, 199},
		{"across a 1 MiB chunk boundary", "bytes=1048570-1048589", 1048570, 1048589},
		{"across two boundaries", "bytes=1000000-2200000", 1000000, 2200000},
		{"open end", fmt.Sprintf("bytes=%d-", bigSize-10), bigSize - 10, bigSize - 1},
		{"suffix", "bytes=-500", bigSize - 500, bigSize - 1},
		{"suffix longer than the file", "bytes=-99999999", 0, bigSize - 1},
		{"end past the file", fmt.Sprintf("bytes=%d-%d", bigSize-3, bigSize+100), bigSize - 3, bigSize - 1},
	}
	for _, tt := range single {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fetch(t, "GET", url, map[string]string{"Range": tt.header})
			wantRange := fmt.Sprintf("bytes %d-%d/%d", tt.start, tt.end, bigSize)
			if tt.start == 0 && tt.end == bigSize-1 && resp.StatusCode == 200 {
				// A range covering the whole file may be answered whole.
				wantRange = ""
			} else if resp.StatusCode != 206 {
				t.Fatalf("status %d, want 206", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Range"); got != wantRange {
				t.Errorf("Content-Range %q, want %q", got, wantRange)
			}
			if !bytes.Equal(body, data[tt.start:tt.end+1]) {
				t.Errorf("%d bytes differ from bytes %d-%d of the file", len(body), tt.start, tt.end)
			}
		})
	}

	t.Run("multiple ranges", func(t *testing.T) {
		ranges := [][2]int{{0, 9}, {1048575, 1048576}, {2000000, 2100000}, {bigSize - 16, bigSize - 1}}
		var spec []string
		for _, r := range ranges[:3] {
			spec = append(spec, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
		spec = append(spec, "-16") // the last as a suffix range
		resp, body := fetch(t, "GET", url, map[string]string{"Range": "bytes=" + strings.Join(spec, ",")})
		if resp.StatusCode != 206 {
			t.Fatalf("status %d, want 206", resp.StatusCode)
		}
		mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/byteranges" {
			t.Fatalf("Content-Type %q (%v), want multipart/byteranges", resp.Header.Get("Content-Type"), err)
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for i, r := range ranges {
			part, err := mr.NextPart()
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			want := fmt.Sprintf("bytes %d-%d/%d", r[0], r[1], bigSize)
			if got := part.Header.Get("Content-Range"); got != want {
				t.Errorf("part %d: Content-Range %q, want %q", i, got, want)
			}
			got, err := io.ReadAll(part)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data[r[0]:r[1]+1]) {
				t.Errorf("part %d: %d bytes differ from bytes %d-%d", i, len(got), r[0], r[1])
			}
		}
		if _, err := mr.NextPart(); err != io.EOF {
			t.Errorf("after %d parts: %v, want EOF", len(ranges), err)
		}
	})

	t.Run("unsatisfiable", func(t *testing.T) {
		for _, h := range []string{fmt.Sprintf("bytes=%d-", bigSize), "bytes=99999999-100000000"} {
			resp, _ := fetch(t, "GET", url, map[string]string{"Range": h})
			if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
				t.Errorf("%s: status %d, want 416", h, resp.StatusCode)
			}
			if got, want := resp.Header.Get("Content-Range"), "bytes */"+size; got != want {
				t.Errorf("%s: Content-Range %q, want %q", h, got, want)
			}
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		resp, body := fetch(t, "HEAD", url, nil)
		if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != size {
			t.Errorf("status %d, %d body bytes, Content-Length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
		}
		if resp.Header.Get("Last-Modified") == "" {
			t.Error("no Last-Modified")
		}
	})
}

func TestConditionalAndErrors(t *testing.T) {
	s := newSite(t, map[string][]byte{
		"index-less/a.txt": []byte("a\n"),
		"b.txt":            []byte("bee\n"),
		"sub/index.html":   []byte("<title>sub index</title>"),
	})
	// Set a known modification time on the server.
	mtime := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	if err := s.fsys.Chtimes("b.txt", time.Time{}, mtime); err != nil {
		t.Fatal(err)
	}
	// A file the guest may not read: root's, mode 0600, made on the disk.
	if err := os.WriteFile(filepath.Join(s.disk, "forbidden.txt"), []byte("no"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("Last-Modified", func(t *testing.T) {
		resp, _ := fetch(t, "GET", s.url+"b.txt", nil)
		if got := resp.Header.Get("Last-Modified"); got != mtime.Format(http.TimeFormat) {
			t.Errorf("Last-Modified %q, want %q", got, mtime.Format(http.TimeFormat))
		}
	})
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		status int
		body   string // "" : not checked
	}{
		{"not modified", "GET", "b.txt", map[string]string{"If-Modified-Since": mtime.Format(http.TimeFormat)}, 304, ""},
		{"not modified, later date", "GET", "b.txt", map[string]string{"If-Modified-Since": mtime.Add(time.Hour).Format(http.TimeFormat)}, 304, ""},
		{"modified since", "GET", "b.txt", map[string]string{"If-Modified-Since": mtime.Add(-time.Second).Format(http.TimeFormat)}, 200, "bee\n"},
		{"HEAD not modified", "HEAD", "b.txt", map[string]string{"If-Modified-Since": mtime.Format(http.TimeFormat)}, 304, ""},
		{"If-Unmodified-Since fails", "GET", "b.txt", map[string]string{"If-Unmodified-Since": mtime.Add(-time.Hour).Format(http.TimeFormat)}, 412, ""},
		{"missing", "GET", "nope.txt", nil, 404, "404 page not found\n"},
		{"missing directory", "GET", "nodir/x", nil, 404, ""},
		{"forbidden", "GET", "forbidden.txt", nil, 403, "403 Forbidden\n"},
		{"directory without slash", "GET", "sub", nil, 301, ""},
		{"index.html", "GET", "sub/", nil, 200, "<title>sub index</title>"},
		{"listing", "GET", "", nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fetch(t, tt.method, s.url+tt.path, tt.header)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d (body %q)", resp.StatusCode, tt.status, body)
			}
			if tt.body != "" && string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
		})
	}
	t.Run("listing links", func(t *testing.T) {
		_, body := fetch(t, "GET", s.url, nil)
		for _, want := range []string{`<a href="b.txt">b.txt</a>`, `<a href="index-less/">index-less/</a>`, `<a href="sub/">sub/</a>`, `<a href="forbidden.txt">`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("listing lacks %s:\n%s", want, body)
			}
		}
	})
}
