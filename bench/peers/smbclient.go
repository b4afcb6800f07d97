package peers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Smbclient drives one interactive smbclient process through a
// pseudo-terminal: one connection for the whole benchmark, as a person at
// the prompt would use it. Each step sends one command (mput, ls, mget,
// del, get, put) and times it from the moment the command is written to
// the moment the next prompt appears; the cd and lcd that set a step up
// are not timed (see LastStep).
type Smbclient struct {
	cmd     *exec.Cmd
	pty     *os.File
	scratch string
	done    chan struct{} // closed when the process has exited
	waitErr error

	mu      sync.Mutex
	changed chan struct{} // signalled on new output
	out     outputState

	last time.Duration
}

// outputState is what the reader gathered since the last command was sent.
type outputState struct {
	tail     []byte   // the last bytes of output, for the prompt check
	afterEOL bool     // a newline followed the command's echo
	prompt   bool     // the next prompt has appeared
	errs     []string // lines reporting an error
	entries  int      // lines of an ls listing (not . or ..)
	sizes    []int64  // sizes reported by "getting file ... of size N"
	line     []byte   // the current partial line
}

// promptRE matches smbclient's prompt at the end of its output:
// "smb: \dir\> ".
var promptRE = regexp.MustCompile(`smb: \\[^\r\n]*> $`)

// lsLineRE matches one entry of an ls listing: name, attributes, size and
// a date such as "Tue Nov 24 04:51:42 2026".
var lsLineRE = regexp.MustCompile(`^  (.*?)\s+[A-Z]*\s+\d+\s+\w{3} \w{3}\s+\d+ \d\d:\d\d:\d\d \d{4}\s*$`)

// gotSizeRE matches get's report: "getting file \x of size 123 as ...".
var gotSizeRE = regexp.MustCompile(`^getting file .* of size (\d+) as `)

// StartSmbclient starts smbclient against t in a pseudo-terminal and waits
// for its first prompt. It asks for t.Security with --client-protection.
func StartSmbclient(ctx context.Context, t Target) (*Smbclient, error) {
	path, err := exec.LookPath("smbclient")
	if err != nil {
		return nil, fmt.Errorf("smbclient: %w", err)
	}
	host, port, err := net.SplitHostPort(t.Addr)
	if err != nil {
		return nil, fmt.Errorf("smbclient: %w", err)
	}
	protection := map[Security]string{Plain: "off", Signed: "sign", Encrypted: "encrypt"}[t.Security]
	args := []string{"//" + host + "/" + t.Share, "-p", port, "-U", t.User, "--client-protection=" + protection}
	if t.ClientConf != "" {
		args = append([]string{"-s", t.ClientConf}, args...)
	}
	scratch, err := os.MkdirTemp(t.ScratchDir, "smbclient-")
	if err != nil {
		return nil, fmt.Errorf("smbclient: %w", err)
	}
	master, slave, err := openPTY()
	if err != nil {
		os.RemoveAll(scratch)
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "PASSWD="+t.Password, "TERM=dumb", "HOME="+scratch)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = terminalAttr()
	cmd.Dir = scratch
	if err := cmd.Start(); err != nil {
		master.Close()
		slave.Close()
		os.RemoveAll(scratch)
		return nil, fmt.Errorf("smbclient: %w", err)
	}
	slave.Close()
	s := &Smbclient{cmd: cmd, pty: master, scratch: scratch, done: make(chan struct{}), changed: make(chan struct{}, 1)}
	s.out.afterEOL = true
	go s.readLoop()
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitPrompt(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("smbclient: connecting: %w", err)
	}
	// "prompt" toggles asking before each file of mget/mput; it starts
	// on, and says nothing (below debug level 2) when toggled.
	if _, err := s.run(ctx, "prompt"); err != nil {
		s.Close()
		return nil, fmt.Errorf("smbclient: prompt off: %w", err)
	}
	return s, nil
}

// readLoop gathers the terminal's output until the process is gone.
func (s *Smbclient) readLoop() {
	buf := make([]byte, 64<<10)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.out.absorb(buf[:n])
			s.mu.Unlock()
			select {
			case s.changed <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

const tailKeep = 4096

// absorb takes new output: keeps a tail, splits lines, notes errors,
// listing entries and sizes, and spots the prompt.
func (o *outputState) absorb(p []byte) {
	o.tail = append(o.tail, p...)
	if len(o.tail) > 2*tailKeep {
		o.tail = append(o.tail[:0], o.tail[len(o.tail)-tailKeep:]...)
	}
	for _, b := range p {
		if b != '\n' {
			if len(o.line) < 4096 {
				o.line = append(o.line, b)
			}
			continue
		}
		o.afterEOL = true
		o.lineDone(strings.TrimRight(string(o.line), "\r"))
		o.line = o.line[:0]
	}
	if o.afterEOL && promptRE.Match(o.tail) {
		o.prompt = true
	}
}

func (o *outputState) lineDone(line string) {
	if strings.Contains(line, "NT_STATUS_") || strings.HasPrefix(line, "Error") {
		if len(o.errs) < 20 {
			o.errs = append(o.errs, line)
		}
	}
	if m := lsLineRE.FindStringSubmatch(line); m != nil && m[1] != "." && m[1] != ".." {
		o.entries++
	}
	if m := gotSizeRE.FindStringSubmatch(line); m != nil {
		if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			o.sizes = append(o.sizes, n)
		}
	}
}

// waitPrompt waits until the prompt has appeared after a line break.
func (s *Smbclient) waitPrompt(ctx context.Context) error {
	for {
		s.mu.Lock()
		ok := s.out.prompt
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-s.changed:
		case <-s.done:
			return fmt.Errorf("smbclient exited (%v): %s", s.waitErr, s.tailText())
		case <-ctx.Done():
			return fmt.Errorf("%w; last output: %s", ctx.Err(), s.tailText())
		}
	}
}

func (s *Smbclient) tailText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimSpace(string(s.out.tail))
}

// run sends one command, waits for the next prompt and returns the output
// (its last few KiB) and an error if a line reported one. The time spent
// is kept for LastStep.
func (s *Smbclient) run(ctx context.Context, command string) (string, error) {
	s.mu.Lock()
	s.out = outputState{tail: s.out.tail[:0], line: s.out.line[:0]}
	s.mu.Unlock()
	start := time.Now()
	if _, err := io.WriteString(s.pty, command+"\n"); err != nil {
		return "", fmt.Errorf("smbclient: %w", err)
	}
	if err := s.waitPrompt(ctx); err != nil {
		return "", fmt.Errorf("smbclient: %s: %w", command, err)
	}
	s.last = time.Since(start)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := string(s.out.tail)
	if len(s.out.errs) > 0 {
		return out, fmt.Errorf("smbclient: %s: %s", command, strings.Join(s.out.errs, "; "))
	}
	return out, nil
}

// runs sends commands in order, stopping at the first error.
func (s *Smbclient) runs(ctx context.Context, commands ...string) error {
	for _, c := range commands {
		if _, err := s.run(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// LastStep returns the time of the last timed command.
func (s *Smbclient) LastStep() time.Duration { return s.last }

// remote turns a slash path into smbclient's absolute backslash form.
func remote(p string) string { return `\` + strings.ReplaceAll(strings.Trim(p, "/"), "/", `\`) }

// quote wraps a path in double quotes for smbclient's command parser.
func quote(p string) string { return `"` + p + `"` }

// Upload is lcd + cd (untimed), then mput * (timed).
func (s *Smbclient) Upload(ctx context.Context, dir string, ds *Dataset) error {
	if ds.LocalDir == "" {
		return errors.New("smbclient: dataset has no local copy")
	}
	if err := s.runs(ctx, "lcd "+quote(ds.LocalDir), "cd "+quote(remote(dir))); err != nil {
		return err
	}
	_, err := s.run(ctx, "mput *")
	return err
}

// List is cd (untimed), then ls (timed).
func (s *Smbclient) List(ctx context.Context, dir string) (int, error) {
	if err := s.runs(ctx, "cd "+quote(remote(dir))); err != nil {
		return 0, err
	}
	if _, err := s.run(ctx, "ls"); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.entries, nil
}

// Download is lcd + cd (untimed), then mget * (timed) into a scratch
// directory that is emptied afterwards.
func (s *Smbclient) Download(ctx context.Context, dir string, ds *Dataset) (int64, error) {
	local := filepath.Join(s.scratch, "mget")
	if err := os.MkdirAll(local, 0o755); err != nil {
		return 0, err
	}
	defer os.RemoveAll(local)
	if err := s.runs(ctx, "lcd "+quote(local), "cd "+quote(remote(dir))); err != nil {
		return 0, err
	}
	_, err := s.run(ctx, "mget *")
	step := s.last
	var total int64
	for _, f := range ds.Files {
		st, serr := os.Stat(filepath.Join(local, f.Name))
		if serr != nil {
			if err == nil {
				err = fmt.Errorf("smbclient: mget: %w", serr)
			}
			continue
		}
		total += st.Size()
		if err == nil {
			err = checkSize(f.Name, st.Size(), int64(len(f.Data)))
		}
	}
	// lcd away, so that the directory can go.
	s.runs(ctx, "lcd "+quote(s.scratch))
	s.last = step
	return total, err
}

// Delete is cd (untimed), then del * (timed).
func (s *Smbclient) Delete(ctx context.Context, dir string, _ *Dataset) error {
	if err := s.runs(ctx, "cd "+quote(remote(dir))); err != nil {
		return err
	}
	_, err := s.run(ctx, "del *")
	return err
}

// StreamDownload is get name /dev/null (timed); w is not used, the size
// comes from smbclient's report.
func (s *Smbclient) StreamDownload(ctx context.Context, name string, _ io.Writer) (int64, error) {
	if err := s.runs(ctx, `cd \`); err != nil {
		return 0, err
	}
	if _, err := s.run(ctx, "get "+quote(remote(name))+" /dev/null"); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.out.sizes) != 1 {
		return 0, fmt.Errorf("smbclient: get: no size reported: %s", bytes.TrimSpace(s.out.tail))
	}
	return s.out.sizes[0], nil
}

// StreamUpload is put localfile name (timed).
func (s *Smbclient) StreamUpload(ctx context.Context, name string, src Source) error {
	if src.LocalPath == "" {
		return errors.New("smbclient: source has no local copy")
	}
	if err := s.runs(ctx, `cd \`); err != nil {
		return err
	}
	_, err := s.run(ctx, "put "+quote(src.LocalPath)+" "+quote(remote(name)))
	return err
}

// Close asks smbclient to exit, kills it if it does not, and removes its
// scratch directory.
func (s *Smbclient) Close() error {
	io.WriteString(s.pty, "exit\n")
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.pty.Close()
	os.RemoveAll(s.scratch)
	return nil
}
