package samba

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Status is the server's view of its connections, as "smbstatus -j"
// reports it. Tests use it to check from the server side what a client
// negotiated: dialect, signing and encryption.
type Status struct {
	Sessions []Session
	Tcons    []TreeConnect
}

// Session is one authenticated SMB session.
type Session struct {
	ID       string // the session id, in decimal
	PID      int    // the smbd process serving the connection
	UID, GID int
	Username string // "nobody" for a guest session
	Remote   string // for example "ipv4:127.0.0.1:33058"
	Dialect  string // for example "SMB3_11"
	// Encryption and Signing name the algorithm ("AES-128-GCM",
	// "AES-128-GMAC") or "-" when not in use.
	Encryption, Signing string
	// EncryptionDegree and SigningDegree are "none", "partial" or "full".
	EncryptionDegree, SigningDegree string
}

// TreeConnect is one connection of a session to a share.
type TreeConnect struct {
	ID, SessionID string
	Service       string // the share name
	PID           int
	// Encryption and Signing are set when the share itself demands them
	// (for example "smb encrypt = required" on the share).
	Encryption, Signing string
}

// Status runs smbstatus against the instance and decodes its JSON output.
func (s *Server) Status(ctx context.Context) (*Status, error) {
	ctx, cancel := context.WithTimeout(ctx, toolLimit)
	defer cancel()
	cmd, err := s.Command(ctx, "smbstatus", "-s", s.l.conf(), "-j")
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("smbstatus: %w", err)
	}
	return parseStatus(out)
}

// SessionFor returns the session whose smbd serves the given remote
// address ("127.0.0.1:port" of the client side), or false.
func (st *Status) SessionFor(remote string) (Session, bool) {
	for _, se := range st.Sessions {
		if strings.HasSuffix(se.Remote, ":"+remote) || se.Remote == remote {
			return se, true
		}
	}
	return Session{}, false
}

// statusJSON mirrors the parts of Samba 4.17's smbstatus -j output the
// harness reads.
type statusJSON struct {
	Sessions map[string]struct {
		SessionID string         `json:"session_id"`
		ServerID  serverIDJSON   `json:"server_id"`
		UID       int            `json:"uid"`
		GID       int            `json:"gid"`
		Username  string         `json:"username"`
		Hostname  string         `json:"hostname"`
		Dialect   string         `json:"session_dialect"`
		Enc       protectionJSON `json:"encryption"`
		Sign      protectionJSON `json:"signing"`
	} `json:"sessions"`
	Tcons map[string]struct {
		Service   string         `json:"service"`
		ServerID  serverIDJSON   `json:"server_id"`
		TconID    string         `json:"tcon_id"`
		SessionID string         `json:"session_id"`
		Enc       protectionJSON `json:"encryption"`
		Sign      protectionJSON `json:"signing"`
	} `json:"tcons"`
}

type serverIDJSON struct {
	PID string `json:"pid"`
}

type protectionJSON struct {
	Cipher string `json:"cipher"`
	Degree string `json:"degree"`
}

// parseStatus decodes smbstatus -j output. Sessions and tree connects come
// out sorted by id so that results are stable.
func parseStatus(data []byte) (*Status, error) {
	var raw statusJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("smbstatus -j: %w", err)
	}
	st := &Status{}
	for key, se := range raw.Sessions {
		pid, err := parsePIDField(se.ServerID.PID)
		if err != nil {
			return nil, fmt.Errorf("smbstatus -j: session %q: %w", key, err)
		}
		st.Sessions = append(st.Sessions, Session{
			ID: se.SessionID, PID: pid, UID: se.UID, GID: se.GID,
			Username: se.Username, Remote: se.Hostname, Dialect: se.Dialect,
			Encryption: se.Enc.Cipher, EncryptionDegree: se.Enc.Degree,
			Signing: se.Sign.Cipher, SigningDegree: se.Sign.Degree,
		})
	}
	for key, tc := range raw.Tcons {
		pid, err := parsePIDField(tc.ServerID.PID)
		if err != nil {
			return nil, fmt.Errorf("smbstatus -j: tcon %q: %w", key, err)
		}
		st.Tcons = append(st.Tcons, TreeConnect{
			ID: tc.TconID, SessionID: tc.SessionID, Service: tc.Service, PID: pid,
			Encryption: tc.Enc.Cipher, Signing: tc.Sign.Cipher,
		})
	}
	sort.Slice(st.Sessions, func(i, j int) bool { return st.Sessions[i].ID < st.Sessions[j].ID })
	sort.Slice(st.Tcons, func(i, j int) bool { return st.Tcons[i].ID < st.Tcons[j].ID })
	return st, nil
}

// parsePIDField parses smbstatus's pid, which it prints as a string.
func parsePIDField(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	pid, err := strconv.Atoi(s)
	if err != nil || pid < 0 {
		return 0, fmt.Errorf("bad pid %q", s)
	}
	return pid, nil
}
