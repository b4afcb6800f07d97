package samba

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Addr returns the "127.0.0.1:port" address smbd listens on.
func (s *Server) Addr() string { return net.JoinHostPort(loopback, strconv.Itoa(s.port)) }

// Port returns the TCP port smbd listens on.
func (s *Server) Port() int { return s.port }

func (s *Server) portString() string { return strconv.Itoa(s.port) }

// Name returns the instance's name (Config.Name).
func (s *Server) Name() string { return s.cfg.Name }

// Dir returns the instance's temporary directory.
func (s *Server) Dir() string { return s.l.root }

// ConfigPath returns the path of the instance's smb.conf, for "-s" (or
// smbpasswd's "-c") when running Samba tools against it; see Command.
func (s *Server) ConfigPath() string { return s.l.conf() }

// ClientConfigPath returns a minimal smb.conf for smbclient and other
// Samba client tools that keeps their state inside the instance directory.
func (s *Server) ClientConfigPath() string { return s.l.clientConf() }

// Shares returns the instance's share names in configuration order.
func (s *Server) Shares() []string {
	names := make([]string, len(s.cfg.Shares))
	for i, sh := range s.cfg.Shares {
		names[i] = sh.Name
	}
	return names
}

// Users returns the instance's test users.
func (s *Server) Users() []User { return append([]User(nil), s.cfg.Users...) }

// SharePath returns the directory on disk behind share (matched
// case-insensitively, as SMB does), or "" if there is no such share.
func (s *Server) SharePath(share string) string {
	for i, sh := range s.cfg.Shares {
		if strings.EqualFold(sh.Name, share) {
			return s.sharePaths[i]
		}
	}
	return ""
}

// URL returns "smb://user:password@127.0.0.1:port/share" with user name,
// password and share escaped, or "smb://127.0.0.1:port/share" for a guest
// (nil user).
func (s *Server) URL(share string, user *User) string {
	return URLFor(s.Addr(), share, user)
}

// URLFor returns the URL of share at addr (host:port) for user (nil: a
// guest), escaped as URL does — for a proxy or tunnel in front of a Server.
func URLFor(addr, share string, user *User) string {
	u := url.URL{Scheme: "smb", Host: addr, Path: "/" + share}
	if user != nil {
		u.User = url.UserPassword(user.Name, user.Password)
	}
	return u.String()
}

// Logs returns the text of the instance's logs: smbd's and
// samba-dcerpcd's output, then the files Samba writes itself (samba.log,
// log.rpcd_* of the RPC workers, client.log of smbclient runs). After
// Stop it returns what the logs held at that time.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return s.logs
	}
	return s.readLogs()
}

// readLogs concatenates the log files: smbd's and samba-dcerpcd's output
// first, then whatever Samba wrote itself (samba.log, log.rpcd_*).
func (s *Server) readLogs() string {
	paths := []string{s.l.smbdLog(), s.l.rpcLog()}
	if ents, err := os.ReadDir(s.l.logDir()); err == nil {
		for _, e := range ents {
			p := filepath.Join(s.l.logDir(), e.Name())
			if e.Type().IsRegular() && !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			continue
		}
		fmt.Fprintf(&b, "==> %s <==\n%s", filepath.Base(p), data)
		if data[len(data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// tail returns the last n lines of text.
func tail(text string, n int) string {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
