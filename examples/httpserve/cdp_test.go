//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// browser is a headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: the browser reads NUL-terminated JSON
// commands on its fd 3 and writes replies and events on its fd 4), so the
// test needs neither a websocket client nor a debugging port.
type browser struct {
	cmd  *exec.Cmd
	in   io.WriteCloser // commands, to the browser's fd 3
	wmu  sync.Mutex
	done chan struct{} // closed when the reader stops

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	waiters []*eventWaiter
	readErr error
}

// cdpMessage is a command reply or an event.
type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// eventWaiter is a pending wait for one event.
type eventWaiter struct {
	session, method string
	ch              chan json.RawMessage
}

// chromiumPath finds Debian's Chromium: the real binary, not the wrapper
// script, when it can.
func chromiumPath() (string, error) {
	if p := "/usr/lib/chromium/chromium"; fileExists(p) {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium is not installed (scripts/ensure-test-tools.sh installs it)")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// launchBrowser starts a headless Chromium with a fresh profile in
// profileDir, logging to logPath. Stop it with close.
func launchBrowser(profileDir, logPath string) (*browser, error) {
	path, err := chromiumPath()
	if err != nil {
		return nil, err
	}
	// fd 3: the browser reads commands; fd 4: it writes replies.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--disable-dev-shm-usage",
		"--disable-features=Translate,MediaRouter,OptimizationHints",
		"--mute-audio", "--autoplay-policy=no-user-gesture-required",
		"--hide-scrollbars", "--window-size=1024,720",
		"--user-data-dir="+profileDir,
		"--remote-debugging-pipe",
		"about:blank",
	)
	cmd.ExtraFiles = []*os.File{cmdR, repW}
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so that close can end the renderers and
	// helpers it forks; and SIGKILL if the test process dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	cmdR.Close()
	repW.Close()
	logf.Close()
	if err != nil {
		cmdW.Close()
		repR.Close()
		return nil, err
	}
	b := &browser{cmd: cmd, in: cmdW, done: make(chan struct{}), pending: map[int64]chan cdpMessage{}}
	go b.readLoop(repR)
	return b, nil
}

// readLoop dispatches the browser's messages until its pipe closes.
func (b *browser) readLoop(r io.ReadCloser) {
	defer close(b.done)
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.readErr = fmt.Errorf("browser pipe: %w", err)
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if err := json.Unmarshal(bytes.TrimSuffix(raw, []byte{0}), &m); err != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch := b.pending[m.ID]; ch != nil {
				delete(b.pending, m.ID)
				ch <- m
			}
		} else {
			kept := b.waiters[:0]
			for _, w := range b.waiters {
				if w.method == m.Method && w.session == m.SessionID {
					w.ch <- m.Params
					continue
				}
				kept = append(kept, w)
			}
			b.waiters = kept
		}
		b.mu.Unlock()
	}
}

// call sends a command (to a page session, or the browser when session
// is "") and decodes its result into out (if not nil).
func (b *browser) call(ctx context.Context, session, method string, params any, out any) error {
	if params == nil {
		params = struct{}{}
	}
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return b.readErr
	}
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params, "sessionId": session})
	if err != nil {
		return err
	}
	b.wmu.Lock()
	_, err = b.in.Write(append(msg, 0))
	b.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: the browser went away", method)
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// expect registers a wait for the next event method on session; call the
// returned function (after triggering the event) to wait.
func (b *browser) expect(session, method string) func(ctx context.Context) (json.RawMessage, error) {
	w := &eventWaiter{session: session, method: method, ch: make(chan json.RawMessage, 1)}
	b.mu.Lock()
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	return func(ctx context.Context) (json.RawMessage, error) {
		select {
		case p := <-w.ch:
			return p, nil
		case <-b.done:
			return nil, fmt.Errorf("waiting for %s: the browser went away", method)
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s: %w", method, ctx.Err())
		}
	}
}

// page is a tab attached with a flattened session.
type page struct {
	b       *browser
	session string
}

// newPage opens a tab and enables the Page and Runtime domains.
func (b *browser) newPage(ctx context.Context) (*page, error) {
	var created struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &created); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	p := &page{b: b, session: attached.SessionID}
	for _, m := range []string{"Page.enable", "Runtime.enable"} {
		if err := b.call(ctx, p.session, m, nil, nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// navigate loads url and waits for its load event.
func (p *page) navigate(ctx context.Context, url string) error {
	loaded := p.b.expect(p.session, "Page.loadEventFired")
	var res struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.b.call(ctx, p.session, "Page.navigate", map[string]any{"url": url}, &res); err != nil {
		return err
	}
	if res.ErrorText != "" {
		return fmt.Errorf("navigate %s: %s", url, res.ErrorText)
	}
	_, err := loaded(ctx)
	return err
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its JSON value into out.
func (p *page) eval(ctx context.Context, expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.b.call(ctx, p.session, "Runtime.evaluate", map[string]any{
		"expression": expr, "awaitPromise": true, "returnByValue": true,
	}, &res)
	if err != nil {
		return err
	}
	if e := res.ExceptionDetails; e != nil {
		if e.Exception != nil {
			return fmt.Errorf("javascript: %s", e.Exception.Description)
		}
		return fmt.Errorf("javascript: %s", e.Text)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(res.Result.Value, out)
}

// screenshot saves the page as a PNG.
func (p *page) screenshot(ctx context.Context, file string) error {
	var res struct {
		Data []byte `json:"data"` // base64 in JSON: []byte decodes it
	}
	if err := p.b.call(ctx, p.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &res); err != nil {
		return err
	}
	return os.WriteFile(file, res.Data, 0o644)
}

// close asks the browser to quit, then makes sure its whole process
// group is gone.
func (b *browser) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	cancel()
	b.in.Close()
	exited := make(chan struct{})
	go func() { b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
	}
	// The group id is the browser's pid (Setpgid): this reaches only the
	// processes this test started.
	_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// artifactDir returns the directory for the test's screenshots and logs:
// $SMBFS_ARTIFACTS/name, or name under the system's temporary directory.
// Each run overwrites the files of the last (they have fixed names), so
// the directory never grows, and two runs at once do not trip each other.
func artifactDir(name string) (string, error) {
	base := os.Getenv("SMBFS_ARTIFACTS")
	if base == "" {
		base = filepath.Join(os.TempDir(), "smbfs-artifacts")
	}
	dir := filepath.Join(base, name)
	return dir, os.MkdirAll(dir, 0o755)
}
