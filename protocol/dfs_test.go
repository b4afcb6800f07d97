package protocol

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// dfsTree is a tree on server "srv", share "root", with the given
// TREE_CONNECT flags and capabilities; no connection behind it.
func dfsTree(flags wire.ShareFlags, caps wire.ShareCapabilities) *Tree {
	return &Tree{sess: &Session{conn: &Conn{serverName: "srv"}}, share: "root",
		resp: wire.TreeConnectResponse{ShareType: wire.ShareTypeDisk, ShareFlags: flags, Capabilities: caps}}
}

func TestTreeRequestDFSNames(t *testing.T) {
	// MS-SMB2 3.2.4.3 and 2.2.13: on a DFS share, CREATE names are the
	// full DFS path without a leading backslash, with
	// SMB2_FLAGS_DFS_OPERATIONS in the header. MS-SMB2 3.2.5.5 sets
	// IsDfsShare from SMB2_SHARE_CAP_DFS; Samba sets both it and
	// SMB2_SHAREFLAG_DFS.
	dfs := dfsTree(wire.ShareFlagDFS|wire.ShareFlagDFSRoot, wire.ShareCapDFS)
	tests := []struct {
		name     string
		tree     *Tree
		body     wire.Request
		wantName string // "" for a request that is not a CREATE
		wantFlag bool
	}{
		{"DFS share, file", dfs, &wire.CreateRequest{Name: `dir\a.txt`}, `srv\root\dir\a.txt`, true},
		{"DFS share, root", dfs, &wire.CreateRequest{}, `srv\root`, true},
		{"capability alone", dfsTree(0, wire.ShareCapDFS), &wire.CreateRequest{Name: "x"}, `srv\root\x`, true},
		{"share flag alone", dfsTree(wire.ShareFlagDFS, 0), &wire.CreateRequest{Name: "x"}, `srv\root\x`, true},
		{"DFS share, not a CREATE", dfs, &wire.CloseRequest{}, "", false},
		{"plain share", dfsTree(0, 0), &wire.CreateRequest{Name: `dir\a.txt`}, `dir\a.txt`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before wire.CreateRequest
			orig, isCreate := tt.body.(*wire.CreateRequest)
			if isCreate {
				before = *orig
			}
			r := tt.tree.Request(tt.body)
			if got := r.Flags&wire.FlagDFSOperations != 0; got != tt.wantFlag {
				t.Errorf("DFS flag %v, want %v", got, tt.wantFlag)
			}
			if !isCreate {
				if r.Body != tt.body {
					t.Error("a request that is not a CREATE was replaced")
				}
				return
			}
			if got := r.Body.(*wire.CreateRequest).Name; got != tt.wantName {
				t.Errorf("name %q, want %q", got, tt.wantName)
			}
			if !reflect.DeepEqual(*orig, before) {
				t.Errorf("the caller's request changed: %+v", *orig)
			}
			// Sending the same request again must not prefix it twice.
			if again := tt.tree.Request(tt.body).Body.(*wire.CreateRequest).Name; again != tt.wantName {
				t.Errorf("second Request: name %q", again)
			}
		})
	}
}

// createName returns the Name of a CREATE request message (MS-SMB2 2.2.13:
// NameOffset at body offset 44, NameLength at 46, from the header's start).
func createName(t *testing.T, msg []byte) string {
	t.Helper()
	body := msg[wire.HeaderSize:]
	off, n := int(binary.LittleEndian.Uint16(body[44:])), int(binary.LittleEndian.Uint16(body[46:]))
	if off+n > len(msg) {
		t.Fatalf("CREATE name [%d,%d) outside %d bytes", off, off+n, len(msg))
	}
	name, err := wire.DecodeUTF16(msg[off : off+n])
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// ioctlRespBody is an IOCTL response body (MS-SMB2 2.2.32) for ctl with
// output out.
func ioctlRespBody(ctl uint32, out []byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, 49)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, ctl)
	b = le.AppendUint64(b, ^uint64(0))
	b = le.AppendUint64(b, ^uint64(0))
	b = le.AppendUint32(b, wire.HeaderSize+48) // InputOffset
	b = le.AppendUint32(b, 0)                  // InputCount
	b = le.AppendUint32(b, wire.HeaderSize+48) // OutputOffset
	b = le.AppendUint32(b, uint32(len(out)))
	b = le.AppendUint32(b, 0) // Flags
	b = le.AppendUint32(b, 0) // Reserved2
	return append(b, out...)
}

func TestDFSOnTheWire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, &Config{ServerName: "srv"}, defaultNeg(wire.Dialect311))
		tree := connectTree(t, c, p, wire.ShareFlagDFS|wire.ShareFlagDFSRoot)
		if !tree.IsDFS() || tree.DFSPrefix() != `srv\share` {
			t.Fatalf("IsDFS %v, prefix %q", tree.IsDFS(), tree.DFSPrefix())
		}

		// A CREATE carries the DFS path and the DFS flag; the server's
		// STATUS_PATH_NOT_COVERED comes back as a StatusError.
		open := goAsync(func() (*Response, error) {
			return tree.Do(t.Context(), &wire.CreateRequest{Name: `link\f.txt`})
		})
		m := p.wantMsg(wire.CommandCreate)
		if m.Flags&wire.FlagDFSOperations == 0 {
			t.Error("CREATE on a DFS share without SMB2_FLAGS_DFS_OPERATIONS")
		}
		if got := createName(t, m.msg); got != `srv\share\link\f.txt` {
			t.Errorf("CREATE name %q", got)
		}
		p.send(respTo(m, wire.StatusPathNotCovered, 8, errorBody()).signed())
		if _, err := open.wait(t); !errors.Is(err, wire.StatusPathNotCovered) {
			t.Fatalf("CREATE: %v, want STATUS_PATH_NOT_COVERED", err)
		}

		// The referral: FSCTL_DFS_GET_REFERRALS on no open (all-ones
		// FileID), first with a 64 KiB output buffer, then, after
		// STATUS_BUFFER_OVERFLOW, with MaxTransactSize.
		const path = `\srv\share\link\f.txt`
		ref := goAsync(func() (*wire.DFSReferralResponse, error) { return tree.DFSReferral(t.Context(), path) })
		var outs []uint32
		for round := range 2 {
			m := p.wantMsg(wire.CommandIoctl)
			body := m.msg[wire.HeaderSize:]
			le := binary.LittleEndian
			ctl, fidP, fidV := le.Uint32(body[4:]), le.Uint64(body[8:]), le.Uint64(body[16:])
			inOff, inLen := le.Uint32(body[24:]), le.Uint32(body[28:])
			outs = append(outs, le.Uint32(body[44:]))
			if ctl != wire.FsctlDFSGetReferrals || fidP != ^uint64(0) || fidV != ^uint64(0) || le.Uint32(body[48:]) != uint32(wire.IoctlIsFSCTL) {
				t.Errorf("IOCTL ctl %#x fid %#x/%#x flags %#x", ctl, fidP, fidV, le.Uint32(body[48:]))
			}
			var req wire.DFSReferralRequest
			if err := req.Decode(m.msg[inOff : inOff+inLen]); err != nil || req.MaxReferralLevel != 4 || req.RequestFileName != path {
				t.Errorf("referral request %+v, %v", req, err)
			}
			if round == 0 {
				p.send(respTo(m, wire.StatusBufferOverflow, 8, errorBody()).signed())
				continue
			}
			out := (&wire.DFSReferralResponse{PathConsumed: uint16(2 * len(`\srv\share\link`)), Flags: wire.StorageServers,
				Entries: []wire.DFSReferralEntry{{Version: 3, TimeToLive: 60, DFSPath: `\srv\share\link`, DFSAlternatePath: `\srv\share\link`, NetworkAddress: `\other\data`}}}).Encode(nil)
			p.send(respTo(m, wire.StatusSuccess, 8, ioctlRespBody(wire.FsctlDFSGetReferrals, out)).signed())
		}
		rr, err := ref.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		if want := []uint32{64 << 10, 8 << 20}; !reflect.DeepEqual(outs, want) {
			t.Errorf("MaxOutputResponse %v, want %v", outs, want)
		}
		r, err := NewReferral(path, rr)
		if err != nil {
			t.Fatal(err)
		}
		want := &Referral{Prefix: `\srv\share\link`, Targets: []ReferralTarget{{Server: "other", Share: "data"}}, TTL: time.Minute, Flags: wire.StorageServers}
		if !reflect.DeepEqual(r, want) {
			t.Errorf("referral %+v, want %+v", r, want)
		}
	})
}

func TestNewReferral(t *testing.T) {
	entry := func(version uint16, ttl uint32, addr string) wire.DFSReferralEntry {
		return wire.DFSReferralEntry{Version: version, TimeToLive: ttl, NetworkAddress: addr}
	}
	u16len := func(s string) uint16 { return uint16(len(wire.EncodeUTF16(s))) }
	tests := []struct {
		name    string
		path    string
		resp    wire.DFSReferralResponse
		want    *Referral
		wantErr string
	}{
		{"link with a path inside the target", `\s\root\link\a\b`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\root\link`), Entries: []wire.DFSReferralEntry{entry(3, 600, `\t\share\sub\dir`)}},
			&Referral{Prefix: `\s\root\link`, TTL: 600 * time.Second, Targets: []ReferralTarget{{Server: "t", Share: "share", Path: `sub\dir`}}}, ""},
		{"two targets, the shorter TTL wins", `\s\root\link`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\root\link`), Entries: []wire.DFSReferralEntry{entry(4, 600, `\a\x`), entry(4, 300, `\\b\y\`)}},
			&Referral{Prefix: `\s\root\link`, TTL: 300 * time.Second, Targets: []ReferralTarget{{Server: "a", Share: "x"}, {Server: "b", Share: "y"}}}, ""},
		{"consumed with a trailing backslash", `\s\root\link\f`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\root\link\`), Entries: []wire.DFSReferralEntry{entry(3, 1, `\t\s`)}},
			&Referral{Prefix: `\s\root\link`, TTL: time.Second, Targets: []ReferralTarget{{Server: "t", Share: "s"}}}, ""},
		{"consumed into a component is cut back", `\s\root\linkname\f`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\root\link`), Entries: []wire.DFSReferralEntry{entry(3, 1, `\t\s`)}},
			&Referral{Prefix: `\s\root`, TTL: time.Second, Targets: []ReferralTarget{{Server: "t", Share: "s"}}}, ""},
		{"V1 has the default TTL", `\s\r\l`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\r\l`), Entries: []wire.DFSReferralEntry{entry(1, 0, `\t\s`)}},
			&Referral{Prefix: `\s\r\l`, TTL: defaultReferralTTL, Targets: []ReferralTarget{{Server: "t", Share: "s"}}}, ""},
		{"root targets", `\s\r`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\r`), Flags: wire.ReferralServers | wire.StorageServers,
				Entries: []wire.DFSReferralEntry{{Version: 3, ServerType: wire.DFSRootTargets, TimeToLive: 600, NetworkAddress: `\s\r`}}},
			&Referral{Prefix: `\s\r`, TTL: 600 * time.Second, RootTargets: true, Flags: wire.ReferralServers | wire.StorageServers, Targets: []ReferralTarget{{Server: "s", Share: "r"}}}, ""},
		{"name lists and bad addresses are skipped", `\s\r\l`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\r\l`), Entries: []wire.DFSReferralEntry{
				{Version: 3, Flags: wire.ReferralNameList, SpecialName: `\D`}, entry(3, 5, `nohost`), entry(3, 5, `\h\`), entry(3, 5, `\h\s`)}},
			&Referral{Prefix: `\s\r\l`, TTL: 5 * time.Second, Targets: []ReferralTarget{{Server: "h", Share: "s"}}}, ""},
		{"no usable target", `\s\r\l`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s\r\l`), Entries: []wire.DFSReferralEntry{entry(3, 5, `\h`)}}, nil, "no usable target"},
		{"consumed longer than the path", `\s\r`,
			wire.DFSReferralResponse{PathConsumed: 100, Entries: []wire.DFSReferralEntry{entry(3, 5, `\h\s`)}}, nil, "PathConsumed"},
		{"covers less than a share", `\s\r\l`,
			wire.DFSReferralResponse{PathConsumed: u16len(`\s`), Entries: []wire.DFSReferralEntry{entry(3, 5, `\h\s`)}}, nil, "less than a share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewReferral(tt.path, &tt.resp)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewReferral = %+v, %v; want an error mentioning %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("NewReferral =\n%+v, %v\nwant\n%+v", got, err, tt.want)
			}
		})
	}
}

func TestReferralTargetJoin(t *testing.T) {
	tests := []struct {
		t    ReferralTarget
		rest string
		want string
	}{
		{ReferralTarget{Server: "h", Share: "s"}, "", ""},
		{ReferralTarget{Server: "h", Share: "s"}, `a\b`, `a\b`},
		{ReferralTarget{Server: "h", Share: "s", Path: "sub"}, "", "sub"},
		{ReferralTarget{Server: "h", Share: "s", Path: "sub"}, `a\b`, `sub\a\b`},
	}
	for _, tt := range tests {
		if got := tt.t.Join(tt.rest); got != tt.want {
			t.Errorf("%v.Join(%q) = %q, want %q", tt.t, tt.rest, got, tt.want)
		}
	}
	if s := (ReferralTarget{Server: "h", Share: "s", Path: "p"}).String(); s != `\h\s\p` {
		t.Errorf("String = %q", s)
	}
}
