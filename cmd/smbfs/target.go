package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/smbfs/smbfs"
)

// remote is a smb:// target: a server, a share and a path inside it.
type remote struct {
	host, port   string // port is never empty
	domain, user string // user "" means guest
	password     string
	hasPassword  bool   // the URL carried a password
	query        string // the URL's raw query (?auth=krb5)
	share        string // "" when the URL names only a server
	path         string // slash path inside the share; "." for its root
	dirHint      bool   // the URL ended in "/": the target must be a directory
}

// isRemote reports whether arg is a smb:// URL rather than a local path.
func isRemote(arg string) bool {
	return len(arg) >= 6 && strings.EqualFold(arg[:6], "smb://")
}

// parseRemote parses smb://[domain;]user[:password]@host[:port]/share/path.
func parseRemote(arg string) (*remote, error) {
	u, err := url.Parse(arg)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s: bad URL: %v", redactURL(arg), err)
	}
	if !strings.EqualFold(u.Scheme, "smb") {
		return nil, fmt.Errorf("%s: not a smb:// URL", redactURL(arg))
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%s: URL names no host (want smb://[domain;]user@host[:port]/share/path)", redactURL(arg))
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%s: URL has a fragment (#...); write %%23 for a '#' in a name", redactURL(arg))
	}
	r := &remote{host: u.Hostname(), port: u.Port(), query: u.RawQuery}
	if r.port == "" {
		r.port = strconv.Itoa(smbfs.DefaultPort)
	} else if p, err := strconv.Atoi(r.port); err != nil || p <= 0 || p > 65535 {
		return nil, fmt.Errorf("%s: bad port %q", redactURL(arg), r.port)
	}
	if u.User != nil {
		r.user = u.User.Username()
		r.password, r.hasPassword = u.User.Password()
		if d, name, ok := strings.Cut(r.user, ";"); ok {
			r.domain, r.user = d, name
		}
	}
	p := strings.TrimLeft(u.Path, "/")
	r.dirHint = strings.HasSuffix(p, "/")
	share, rest, _ := strings.Cut(p, "/")
	r.share = share
	r.path = cleanPath(rest)
	for _, elem := range strings.Split(rest, "/") {
		if elem == ".." {
			return nil, fmt.Errorf("%s: \"..\" is not allowed in a remote path", redactURL(arg))
		}
	}
	return r, nil
}

// parseRemotes parses every argument as a URL; a bad one is a usage
// error, found before anything is done.
func parseRemotes(args []string) ([]*remote, error) {
	rs := make([]*remote, len(args))
	for i, arg := range args {
		r, err := parseRemote(arg)
		if err != nil {
			return nil, usagef("%v", err)
		}
		rs[i] = r
	}
	return rs, nil
}

// cleanPath turns a path inside a share into the form io/fs wants.
func cleanPath(p string) string {
	p = path.Clean("/" + p)
	if p == "/" {
		return "."
	}
	return p[1:]
}

// kerberos reports a URL that asks for Kerberos (no password needed).
func (r *remote) kerberos() bool {
	q, _ := url.ParseQuery(r.query)
	return strings.EqualFold(q.Get("auth"), "krb5")
}

// account is "[domain;]user@host", naming whose password is wanted.
func (r *remote) account() string {
	a := r.user + "@" + r.host
	if r.domain != "" {
		a = r.domain + `\` + a
	}
	return a
}

// serverKey identifies the connection this target needs: the same
// server, port, user and authentication share one session.
func (r *remote) serverKey() string {
	return strings.Join([]string{strings.ToLower(r.host), r.port, strings.ToLower(r.domain), strings.ToLower(r.user), r.query}, "\x00")
}

// shareKey identifies the mount this target needs.
func (r *remote) shareKey() string { return r.serverKey() + "\x00" + strings.ToLower(r.share) }

// connectURL is the URL given to smbfs.Connect: no share, no path, no
// password (that travels as an option).
func (r *remote) connectURL() string {
	u := url.URL{Scheme: "smb", Host: net.JoinHostPort(r.host, r.port), RawQuery: r.query}
	if r.user != "" {
		name := r.user
		if r.domain != "" {
			name = r.domain + ";" + name
		}
		u.User = url.User(name)
	}
	return u.String()
}

// at returns the target for another path in the same share.
func (r *remote) at(p string) *remote {
	c := *r
	c.path = cleanPath(p)
	c.dirHint = false
	return &c
}

// String shows the target in messages: the URL without the password, its
// path unescaped so that names read as they are.
func (r *remote) String() string {
	var b strings.Builder
	b.WriteString("smb://")
	if r.user != "" {
		if r.domain != "" {
			b.WriteString(r.domain + ";")
		}
		b.WriteString(r.user + "@")
	}
	host := r.host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	b.WriteString(host)
	if r.port != strconv.Itoa(smbfs.DefaultPort) {
		b.WriteString(":" + r.port)
	}
	if r.share != "" {
		b.WriteString("/" + r.share)
		if r.path != "." {
			b.WriteString("/" + r.path)
		}
	}
	if r.query != "" {
		b.WriteString("?" + r.query)
	}
	return b.String()
}

// base is the name a copy of the target gets: the last path element, or
// the share name for a share's root.
func (r *remote) base() string {
	if r.path == "." {
		return r.share
	}
	return path.Base(r.path)
}

// redactURL hides a password in a URL that may not even parse.
func redactURL(arg string) string {
	if u, err := url.Parse(arg); err == nil {
		return u.Redacted()
	}
	if at := strings.LastIndex(arg, "@"); at > 0 {
		if i := strings.Index(arg[:at], "://"); i >= 0 {
			if c := strings.Index(arg[i+3:at], ":"); c >= 0 {
				return arg[:i+3+c] + ":xxxxx" + arg[at:]
			}
		}
	}
	return arg
}
