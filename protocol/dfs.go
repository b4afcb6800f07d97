package protocol

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// DFS (MS-DFSC) at the protocol layer: the tree connect of a DFS share
// (IsDFS), the names CREATE carries on one (see Tree.Request), and the
// referral request that says where a DFS path really lives.

// referralFirstOutput is the MaxOutputResponse of a first referral
// request: one credit's worth (MS-SMB2 3.1.5.2), plenty for the handful of
// targets a link has. A server that needs more answers
// STATUS_BUFFER_OVERFLOW and the request is repeated with the connection's
// MaxTransactSize (MS-DFSC 3.1.5.4).
const referralFirstOutput = 64 << 10

// defaultReferralTTL is the cache lifetime of a version 1 referral, which
// carries no TimeToLive (MS-DFSC 2.2.5.1). Windows servers default to 300
// seconds for links.
const defaultReferralTTL = 300 * time.Second

// IsDFS reports whether the share is in a DFS namespace (MS-SMB2 3.2.5.5:
// TreeConnect.IsDfsShare, from SMB2_SHARE_CAP_DFS; SMB2_SHAREFLAG_DFS says
// the same). On such a tree every CREATE names its file by the full DFS
// path, which Request adds.
func (t *Tree) IsDFS() bool {
	return t.resp.Capabilities&wire.ShareCapDFS != 0 || t.resp.ShareFlags&wire.ShareFlagDFS != 0
}

// DFSPrefix returns `server\share`, the DFS path of the share's root as
// CREATE names carry it on a DFS tree (no leading backslash, MS-SMB2
// 2.2.13), with the server name the tree was connected with.
func (t *Tree) DFSPrefix() string { return t.sess.conn.serverName + `\` + t.share }

// dfsCreate returns body with the DFS path in place of a share-relative
// CREATE name when the tree is a DFS share (MS-SMB2 3.2.4.3: "the path
// name ... as a DFS pathname for a DFS share"), and whether it did.
// The caller's request is never modified: a copy carries the new name, so
// a request sent again (a retry, a reconnect) is prefixed exactly once.
func (t *Tree) dfsCreate(body wire.Request) (wire.Request, bool) {
	cr, ok := body.(*wire.CreateRequest)
	if !ok || !t.IsDFS() {
		return body, false
	}
	c := *cr
	c.Name = t.DFSPrefix()
	if cr.Name != "" {
		c.Name += `\` + cr.Name
	}
	return &c, true
}

// DFSReferral asks the server for the referral covering path, a DFS path
// `\server\share[\rest]`, with FSCTL_DFS_GET_REFERRALS (MS-SMB2 3.2.4.20.3,
// MS-DFSC 3.1.4.2). t must be a tree connect to IPC$. A referral that does
// not fit the first output buffer is asked for again with the connection's
// MaxTransactSize.
func (t *Tree) DFSReferral(ctx context.Context, path string) (*wire.DFSReferralResponse, error) {
	in := (&wire.DFSReferralRequest{MaxReferralLevel: wire.DFSMaxReferralLevel, RequestFileName: path}).Encode(nil)
	maxTransact := t.Conn().MaxTransactSize()
	if uint64(len(in)) > uint64(maxTransact) {
		return nil, fmt.Errorf("smb2 DFS referral %s: request of %d bytes exceeds the server's MaxTransactSize %d", path, len(in), maxTransact)
	}
	out := min(uint32(referralFirstOutput), maxTransact)
	for {
		resp, err := t.Do(ctx, &wire.IoctlRequest{
			CtlCode:           wire.FsctlDFSGetReferrals,
			FileID:            wire.RelatedFileID, // no open: all ones (MS-SMB2 3.2.4.20.3)
			Input:             in,
			MaxOutputResponse: out,
			Flags:             wire.IoctlIsFSCTL,
		})
		if resp != nil && resp.Header.Status == wire.StatusBufferOverflow && out < maxTransact {
			out = maxTransact
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("smb2 DFS referral %s: %w", path, err)
		}
		var ir wire.IoctlResponse
		if err := ir.Decode(resp.Msg); err != nil {
			return nil, fmt.Errorf("smb2 DFS referral %s: %w", path, err)
		}
		var rr wire.DFSReferralResponse
		if err := rr.Decode(ir.Output); err != nil {
			return nil, fmt.Errorf("smb2 DFS referral %s: %w", path, err)
		}
		return &rr, nil
	}
}

// Referral is a DFS referral in the form a client acts on: the prefix of a
// DFS path it covers and the places that prefix really lives.
type Referral struct {
	// Prefix is the part of the requested path the referral covers,
	// `\server\share[\link]`, without a trailing backslash. The rest of
	// the path continues below each target.
	Prefix string
	// Targets are the places the prefix lives, in the order to try them
	// (the server's order, MS-DFSC 3.1.5.4.4).
	Targets []ReferralTarget
	// TTL is how long the referral may be cached (the smallest
	// TimeToLive of its entries).
	TTL time.Duration
	// RootTargets reports that the targets are DFS roots (ServerType 1)
	// rather than link targets.
	RootTargets bool
	// Flags are the response's header flags.
	Flags wire.ReferralHeaderFlags
}

// ReferralTarget is one target of a referral, parsed from its network
// address `\server\share[\path]`. Referrals name hosts, never ports.
type ReferralTarget struct {
	Server string
	Share  string
	// Path is the directory inside the share, backslash-separated; "" is
	// the share's root.
	Path string
}

// String returns the target as `\server\share[\path]`.
func (t ReferralTarget) String() string {
	s := `\` + t.Server + `\` + t.Share
	if t.Path != "" {
		s += `\` + t.Path
	}
	return s
}

// Join returns the path inside the target's share of rest, a path below
// the referral's prefix ("" for the prefix itself).
func (t ReferralTarget) Join(rest string) string {
	switch {
	case t.Path == "":
		return rest
	case rest == "":
		return t.Path
	}
	return t.Path + `\` + rest
}

// NewReferral interprets resp, the answer to a referral request for
// requestPath. The prefix is what PathConsumed covers, cut back to a whole
// path component (servers count it in different ways; a partial component
// would match names it does not cover). Entries whose network address is
// not `\server\share[\path]` (name-list referrals) are skipped; a response
// with no usable target is an error.
func NewReferral(requestPath string, resp *wire.DFSReferralResponse) (*Referral, error) {
	consumed, err := wire.ConsumedPath(requestPath, resp.PathConsumed)
	if err != nil {
		return nil, fmt.Errorf("smb2 DFS referral %s: %w", requestPath, err)
	}
	prefix := wholeComponents(requestPath, consumed)
	if strings.Count(prefix, `\`) < 2 {
		return nil, fmt.Errorf("smb2 DFS referral %s: %w: it covers only %q, less than a share", requestPath, wire.ErrMalformed, consumed)
	}
	r := &Referral{Prefix: prefix, Flags: resp.Flags}
	for _, e := range resp.Entries {
		t, ok := parseTarget(e.NetworkAddress)
		if !ok || e.Flags&wire.ReferralNameList != 0 && e.Version == 3 {
			continue
		}
		ttl := defaultReferralTTL
		if e.Version >= 2 {
			ttl = time.Duration(e.TimeToLive) * time.Second
		}
		if len(r.Targets) == 0 || ttl < r.TTL {
			r.TTL = ttl
		}
		r.RootTargets = r.RootTargets || e.ServerType == wire.DFSRootTargets
		r.Targets = append(r.Targets, t)
	}
	if len(r.Targets) == 0 {
		return nil, fmt.Errorf("smb2 DFS referral %s: no usable target in %d entries", requestPath, len(resp.Entries))
	}
	return r, nil
}

// wholeComponents cuts consumed, a prefix of path, back to a whole
// component of path (a trailing backslash dropped).
func wholeComponents(path, consumed string) string {
	consumed = strings.TrimRight(consumed, `\`)
	if len(consumed) >= len(path) || path[len(consumed)] == '\\' {
		return consumed
	}
	if i := strings.LastIndexByte(consumed, '\\'); i >= 0 {
		return consumed[:i]
	}
	return ""
}

// parseTarget splits `\server\share[\path]` (one or two leading
// backslashes accepted).
func parseTarget(addr string) (ReferralTarget, bool) {
	s := strings.TrimPrefix(strings.TrimPrefix(addr, `\`), `\`)
	server, rest, ok := strings.Cut(s, `\`)
	if !ok || server == "" {
		return ReferralTarget{}, false
	}
	share, path, _ := strings.Cut(rest, `\`)
	if share == "" {
		return ReferralTarget{}, false
	}
	return ReferralTarget{Server: server, Share: share, Path: strings.Trim(path, `\`)}, true
}
