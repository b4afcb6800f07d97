package samba

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrNotRoot is returned by Start when the process is not root: smbd then
// cannot switch to the connecting user, so permissions and ownership would
// not be what a real server gives.
var ErrNotRoot = errors.New("samba: smbd must run as root (it switches to each user's uid)")

// maxPortAttempts bounds retries with a new port when Config.Port is 0.
const maxPortAttempts = 5

// Server is a running private smbd instance. Its methods are safe for
// concurrent use.
type Server struct {
	cfg        Config
	l          layout
	port       int
	sharePaths []string // parallel to cfg.Shares
	env        []string // environment for Samba server programs
	smbd, rpcd *daemon

	mu      sync.Mutex
	stopped bool
	stopErr error
	keep    bool
	logs    string // captured by Stop
}

// Start creates the instance's directory, users and configuration, starts
// smbd (and samba-dcerpcd when cfg.RPC is set) and returns once smbd, and
// nothing else, listens on the instance's port. ctx bounds only the
// startup; the server runs until Stop.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if !supported {
		return nil, errUnsupported
	}
	if cfg.Name == "" {
		cfg.Name = "smbfs"
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	smbdPath, err := findProgram("smbd")
	if err != nil {
		return nil, err
	}
	pdbeditPath, err := findProgram("pdbedit")
	if err != nil {
		return nil, err
	}
	var rpcdPath string
	if cfg.RPC {
		if rpcdPath, err = findProgram("samba-dcerpcd"); err != nil {
			return nil, err
		}
	}
	nss, err := findNSSWrapper()
	if err != nil {
		return nil, err
	}

	root, err := os.MkdirTemp(cfg.BaseDir, "smbfs-samba-"+cfg.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("samba: %w", err)
	}
	s := &Server{cfg: cfg, l: layout{root: root}, keep: cfg.KeepDir}
	s.env = serverEnv(os.Environ(), nss, s.l)
	if err := s.start(ctx, smbdPath, pdbeditPath, rpcdPath); err != nil {
		logs := s.Logs()
		if stopErr := s.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		if t := tail(logs, 30); t != "" {
			return nil, fmt.Errorf("samba %s: %w\n--- log tail ---\n%s", cfg.Name, err, t)
		}
		return nil, fmt.Errorf("samba %s: %w", cfg.Name, err)
	}
	return s, nil
}

// start does Start's work on a Server whose directory exists; on error
// the caller stops and cleans up whatever got started.
func (s *Server) start(ctx context.Context, smbdPath, pdbeditPath, rpcdPath string) error {
	if err := s.prepareFiles(); err != nil {
		return err
	}
	port := s.cfg.Port
	if port == 0 {
		var err error
		if port, err = pickFreePort(); err != nil {
			return err
		}
	} else if !s.cfg.skipFreeCheck {
		if err := checkPortFree(port); err != nil {
			return err
		}
	}
	if err := s.writeConf(port); err != nil {
		return err
	}
	if err := s.addUsers(ctx, pdbeditPath); err != nil {
		return err
	}
	// samba-dcerpcd needs ~150 ms to get ready and does not depend on
	// smbd: start it first and wait for it after smbd.
	var rpcReady *os.File
	if rpcdPath != "" {
		var err error
		if rpcReady, err = s.startRPC(rpcdPath); err != nil {
			return err
		}
		defer rpcReady.Close()
	}
	for attempt := 1; ; attempt++ {
		err := s.startSMBD(ctx, smbdPath, port)
		if err == nil {
			s.port = port
			if rpcReady != nil {
				return waitReadySignal(ctx, rpcReady, s.rpcd)
			}
			return nil
		}
		if s.cfg.Port != 0 || !errors.Is(err, ErrPortInUse) || attempt == maxPortAttempts {
			return err
		}
		// Another server took the port between the free check and smbd's
		// bind: clear out and try elsewhere.
		if port, err = pickFreePort(); err != nil {
			return err
		}
		if err := s.writeConf(port); err != nil {
			return err
		}
	}
}

// prepareFiles creates directories, share contents, nss_wrapper files and
// the client configuration.
func (s *Server) prepareFiles() error {
	// MkdirTemp made the root 0700; smbd enters shares as the connecting
	// user (or nobody), so every directory on the way must be searchable.
	if err := s.l.mkdirs(); err != nil {
		return err
	}
	s.sharePaths = make([]string, len(s.cfg.Shares))
	for i, sh := range s.cfg.Shares {
		p := sh.Path
		if p == "" {
			p = s.l.shareDir(sh.Name)
			if err := os.Mkdir(p, 0o777); err != nil {
				return err
			}
			// Guests and every test user write here; umask must not
			// narrow that.
			if err := os.Chmod(p, 0o777); err != nil {
				return err
			}
		} else if st, err := os.Stat(p); err != nil {
			return fmt.Errorf("share %q: %w", sh.Name, err)
		} else if !st.IsDir() {
			return fmt.Errorf("share %q: %s is not a directory", sh.Name, p)
		}
		if err := checkSearchable(p); err != nil {
			return fmt.Errorf("share %q: %w", sh.Name, err)
		}
		if err := writeShareFiles(p, sh.Files); err != nil {
			return fmt.Errorf("share %q: %w", sh.Name, err)
		}
		s.sharePaths[i] = p
	}
	passwd, group := renderPasswd(s.cfg.Users)
	// World-readable: smbd's per-connection processes read them through
	// nss_wrapper after switching to the user's uid.
	for _, f := range []struct{ path, text string }{
		{s.l.passwd(), passwd},
		{s.l.group(), group},
		{s.l.clientConf(), renderClientConf(s.l)},
	} {
		if err := os.WriteFile(f.path, []byte(f.text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeShareFiles creates files (readable by everyone) in dir.
func writeShareFiles(dir string, files map[string]string) error {
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkSearchable reports p or a directory above it that other users
// cannot enter; smbd would then fail to serve p to anyone but root.
func checkSearchable(p string) error {
	for d := p; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("%s is not searchable by other users (mode %v); smbd could not enter the share as a test user (use a BaseDir such as os.TempDir(), not t.TempDir())", d, st.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (s *Server) writeConf(port int) error {
	return os.WriteFile(s.l.conf(), []byte(renderConf(s.l, &s.cfg, port, s.sharePaths)), 0o644)
}

// addUsers puts every test user into the instance's tdbsam database. The
// Unix accounts exist only in the nss_wrapper files.
func (s *Server) addUsers(ctx context.Context, pdbedit string) error {
	for _, u := range s.cfg.Users {
		ctx, cancel := context.WithTimeout(ctx, toolLimit)
		cmd := s.command(ctx, pdbedit, "-s", s.l.conf(), "-a", "-t", "-u", u.Name)
		// -t reads the new password twice from stdin.
		cmd.Stdin = strings.NewReader(u.Password + "\n" + u.Password + "\n")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			return fmt.Errorf("pdbedit -a %s: %w: %s", u.Name, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// startRPC starts samba-dcerpcd with all rpcd_* services. It returns the
// read end of the pipe whose closing by samba-dcerpcd signals readiness
// (see waitReadySignal).
func (s *Server) startRPC(path string) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	d, err := startDaemon("samba-dcerpcd", path,
		// -l also reaches the rpcd_* workers (as --log-basename); they
		// ignore "log file" and would otherwise write /var/log/samba.
		[]string{"--libexec-rpcds", "-F", "--no-process-group", "--debug-stdout", "-l", s.l.logDir(), "-s", s.l.conf(), "--ready-signal-fd=3"},
		s.env, s.l.rpcLog(), w)
	w.Close() // only the child's copy may keep the pipe open
	if err != nil {
		r.Close()
		return nil, err
	}
	s.mu.Lock()
	s.rpcd = d
	s.mu.Unlock()
	return r, nil
}

// startSMBD starts smbd on port and waits until it alone listens there.
func (s *Server) startSMBD(ctx context.Context, path string, port int) error {
	d, err := startDaemon("smbd", path,
		[]string{"-F", "--no-process-group", "--debug-stdout", "-l", s.l.logDir(), "-s", s.l.conf()},
		s.env, s.l.smbdLog())
	if err != nil {
		return err
	}
	err = waitListening(ctx, port, d.pid(), d.done, readyLimit)
	if err == nil {
		s.mu.Lock()
		s.smbd = d
		s.mu.Unlock()
		return nil
	}
	exitedEarly := d.exited()
	d.terminate()
	if ferr := d.finish(); ferr != nil {
		err = errors.Join(err, ferr)
	}
	if exitedEarly {
		err = fmt.Errorf("smbd: %w (%v)", err, d.err)
	}
	return err
}
