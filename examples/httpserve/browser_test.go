//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The page the browser test opens from the share: an HTML5 media element
// playing a WAV file from the same share, and two helpers the test calls.
const mediaPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>smbfs media test</title>
<style>
body { font-family: "DejaVu Sans", sans-serif; margin: 2em; background: #f7f7f2; }
video { width: 720px; height: 90px; background: #203040; display: block; }
pre { background: #fff; border: 1px solid #ccc; padding: .6em; min-height: 5em; }
</style></head>
<body>
<h1>Served from an SMB share</h1>
<p>This page, the audio track below and each byte range it needs travel
from Samba through smbfs and Go's http.FileServerFS.</p>
<video id="v" controls preload="metadata" src="tone.wav"></video>
<pre id="log"></pre>
<script>
function say(s) { document.getElementById("log").textContent += s + "\n"; }
function state(v) {
  return "readyState " + v.readyState + ", networkState " + v.networkState +
    ", error " + (v.error ? v.error.code + " " + v.error.message : "none") + ", currentTime " + v.currentTime;
}
function within(ms, p, what) {
  const v = document.getElementById("v");
  return Promise.race([p, new Promise((_, fail) => setTimeout(() => fail(new Error(what + " timed out: " + state(v))), ms))]);
}
async function seekTo(t) {
  const v = document.getElementById("v");
  if (v.error) throw new Error("media error: " + state(v));
  if (v.readyState < 1) {
    await within(20000, new Promise((ok, fail) => {
      v.addEventListener("loadedmetadata", ok, {once: true});
      v.addEventListener("error", () => fail(new Error("media error: " + state(v))), {once: true});
    }), "loading the metadata");
  }
  const seeked = new Promise(ok => v.addEventListener("seeked", ok, {once: true}));
  v.currentTime = t;
  await within(20000, seeked, "seeking");
  say("duration " + v.duration.toFixed(2) + " s; seeked to " + v.currentTime.toFixed(2) + " s; readyState " + v.readyState);
  return {duration: v.duration, currentTime: v.currentTime, readyState: v.readyState};
}
async function fetchRange(start, end) {
  const r = await fetch("tone.wav", {headers: {Range: "bytes=" + start + "-" + end}});
  const b = new Uint8Array(await r.arrayBuffer());
  say("fetch Range bytes=" + start + "-" + end + ": " + r.status + ", " + r.headers.get("Content-Range") + ", " + b.length + " bytes");
  return {status: r.status, contentRange: r.headers.get("Content-Range"), bytes: Array.from(b)};
}
</script>
</body></html>
`

// wav returns a 16-bit stereo PCM WAV file (RIFF; the canonical 44-byte
// header) of a rising tone lasting seconds.
func wav(seconds int) []byte {
	const rate, channels, bits = 44100, 2, 16
	n := seconds * rate
	dataLen := n * channels * bits / 8
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+dataLen))
	b.WriteString("WAVEfmt ")
	// The fmt chunk: size 16, PCM (1), channels, sample rate, byte rate,
	// block align, bits per sample.
	for _, v := range []any{uint32(16), uint16(1), uint16(channels), uint32(rate),
		uint32(rate * channels * bits / 8), uint16(channels * bits / 8), uint16(bits)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(dataLen))
	phase := 0.0
	for i := range n {
		freq := 220 + 440*float64(i)/float64(n)
		phase += 2 * math.Pi * freq / rate
		s := int16(8000 * math.Sin(phase))
		binary.Write(&b, binary.LittleEndian, [2]int16{s, s})
	}
	return b.Bytes()
}

func TestBrowser(t *testing.T) {
	tone := wav(30) // 5.3 MB: more than a browser buffers for "metadata"
	s := newSite(t, map[string][]byte{
		"page.html":     []byte(mediaPage),
		"tone.wav":      tone,
		"notes.txt":     []byte("plain text\n"),
		"sub/inner.txt": []byte("inside\n"),
	})
	arts, err := artifactDir("httpserve-browser")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots and the browser's log: %s", arts)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := launchBrowser(t.TempDir(), filepath.Join(arts, "chromium.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	p, err := b.newPage(ctx)
	if err != nil {
		t.Fatalf("new page: %v (see %s)", err, filepath.Join(arts, "chromium.log"))
	}
	shot := func(name string) {
		if err := p.screenshot(ctx, filepath.Join(arts, name)); err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}

	// 1. The directory listing.
	if err := p.navigate(ctx, s.url); err != nil {
		t.Fatal(err)
	}
	var links []string
	if err := p.eval(ctx, `Array.from(document.links).map(a => a.getAttribute("href"))`, &links); err != nil {
		t.Fatal(err)
	}
	slices.Sort(links)
	if want := []string{"notes.txt", "page.html", "sub/", "tone.wav"}; !slices.Equal(links, want) {
		t.Errorf("listing links %q, want %q", links, want)
	}
	shot("1-listing.png")

	// 2. Follow a link, as a person would: click it.
	loaded := b.expect(p.session, "Page.loadEventFired")
	if err := p.eval(ctx, `document.querySelector('a[href="page.html"]').click()`, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := loaded(ctx); err != nil {
		t.Fatal(err)
	}
	var where struct {
		Href, Title string
	}
	if err := p.eval(ctx, `({href: location.href, title: document.title})`, &where); err != nil {
		t.Fatal(err)
	}
	if where.Href != s.url+"page.html" || where.Title != "smbfs media test" {
		t.Errorf("after the click: %+v", where)
	}

	// 3. Seek in the media element near the end.
	var seek struct {
		Duration, CurrentTime float64
		ReadyState            int
	}
	if err := p.eval(ctx, `seekTo(27.5)`, &seek); err != nil {
		t.Fatal(err)
	}
	if math.Abs(seek.Duration-30) > 0.1 || math.Abs(seek.CurrentTime-27.5) > 0.1 || seek.ReadyState < 2 {
		t.Errorf("after seeking: %+v (want duration 30, time 27.5, readyState >= 2)", seek)
	}
	var seekRanges []string
	farRange := false
	for _, r := range s.log() {
		if r.path == "/"+filepath.Base(s.disk)+"/tone.wav" || strings.HasSuffix(r.path, "/tone.wav") {
			seekRanges = append(seekRanges, fmt.Sprintf("%s %d", r.rng, r.status))
			if start, ok := rangeStart(r.rng); ok && start >= 1<<20 && r.status == 206 {
				farRange = true
			}
		}
	}
	// Whether the seek needs a new Range request depends on how much the
	// browser had buffered from its first one (Chromium sometimes reads
	// the whole file at once); the seek itself must work either way, and
	// the byte-exact Range check is step 4.
	t.Logf("media requests for tone.wav: %q (a later range past 1 MiB: %v)", seekRanges, farRange)

	// 4. A Range request from the page's own fetch, compared byte for byte.
	var got struct {
		Status       int
		ContentRange string
		Bytes        []int
	}
	start, end := 1234567, 1234567+63
	if err := p.eval(ctx, fmt.Sprintf(`fetchRange(%d, %d)`, start, end), &got); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("bytes %d-%d/%d", start, end, len(tone))
	if got.Status != 206 || got.ContentRange != want || len(got.Bytes) != end-start+1 {
		t.Fatalf("fetch: status %d, Content-Range %q, %d bytes; want 206, %q, %d", got.Status, got.ContentRange, len(got.Bytes), want, end-start+1)
	}
	for i, v := range got.Bytes {
		if byte(v) != tone[start+i] {
			t.Fatalf("fetched byte %d is %#x, want %#x", start+i, v, tone[start+i])
		}
	}
	shot("2-media-seeked.png")

	// 5. Back to the listing and into the subdirectory.
	if err := p.navigate(ctx, s.url+"sub/"); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := p.eval(ctx, `document.body.innerText`, &text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "inner.txt") {
		t.Errorf("sub/ listing: %q", text)
	}
	shot("3-subdirectory.png")
}

// rangeStart returns the first byte of a "bytes=N-..." header.
func rangeStart(h string) (int, bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return 0, false
	}
	first, _, _ := strings.Cut(spec, "-")
	n, err := strconv.Atoi(first)
	return n, err == nil
}
