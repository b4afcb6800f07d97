package protocol

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/smbfs/smbfs/protocol/wire"
)

// Tree is a connection to one share (a tree connect, MS-SMB2 3.2.1.4).
type Tree struct {
	sess     *Session
	id       uint32
	share    string
	resp     wire.TreeConnectResponse
	encrypt  bool
	compress bool // compress WRITEs, ask for compressed READs
	discOnce sync.Once
	discErr  error
}

// TreeConnect connects the session to share, a share name such as "public"
// or "IPC$" (MS-SMB2 3.2.4.2.4).
func (s *Session) TreeConnect(ctx context.Context, share string) (*Tree, error) {
	if share == "" || strings.ContainsAny(share, `\/`) {
		return nil, fmt.Errorf("smb2 tree connect: invalid share name %q", share)
	}
	path := `\\` + s.conn.serverName + `\` + share
	resps, err := s.conn.Send(ctx, s.Request(&wire.TreeConnectRequest{Path: path}))
	if err != nil {
		return nil, err
	}
	t := &Tree{sess: s, id: resps[0].Header.TreeID, share: share}
	if err := resps[0].Decode(&t.resp); err != nil {
		return nil, err
	}
	// A share may demand encryption of a session that does not encrypt
	// everything (MS-SMB2 3.2.5.5: SMB2_SHAREFLAG_ENCRYPT_DATA).
	t.encrypt = s.encryptData || t.resp.ShareFlags&wire.ShareFlagEncryptData != 0
	t.compress = s.conn.cfg.Compression == CompressAlways ||
		s.conn.cfg.Compression == CompressAuto && t.resp.ShareFlags&wire.ShareFlagCompressData != 0
	if t.encrypt && !s.CanEncrypt() {
		_ = t.Disconnect(ctx)
		return nil, fmt.Errorf("smb2 tree connect %s: %w: the share requires encryption, which this session cannot provide (guest, anonymous or SMB 2.x)", share, ErrSecurityPolicy)
	}
	d := s.conn.dialect
	if (d == wire.Dialect300 || d == wire.Dialect302) && s.signer != nil && s.conn.cfg.Signing != PolicyOff && t.resp.ShareType != wire.ShareTypePipe {
		if err := t.validateNegotiate(ctx); err != nil {
			return nil, fmt.Errorf("smb2 tree connect %s: %w", share, err)
		}
	}
	return t, nil
}

// ID returns the TreeId.
func (t *Tree) ID() uint32 { return t.id }

// Share returns the share name.
func (t *Tree) Share() string { return t.share }

// Session returns the session the tree belongs to.
func (t *Tree) Session() *Session { return t.sess }

// Conn returns the connection the tree lives on.
func (t *Tree) Conn() *Conn { return t.sess.conn }

// Info returns the TREE_CONNECT response: share type, flags, capabilities
// and maximal access.
func (t *Tree) Info() wire.TreeConnectResponse { return t.resp }

// Encrypted reports whether requests on this tree are encrypted.
func (t *Tree) Encrypted() bool { return t.encrypt }

// Request wraps body into a request on this tree. On a DFS share (IsDFS)
// a CREATE's name, relative to the share root as on any share, is sent as
// the full DFS path `server\share\name` with SMB2_FLAGS_DFS_OPERATIONS
// (MS-SMB2 3.2.4.3, 2.2.13); body itself is left unchanged.
func (t *Tree) Request(body wire.Request) *Request {
	r := &Request{Body: body, Session: t.sess, TreeID: t.id, Encrypt: t.encrypt, Compress: t.compress}
	if b, ok := t.dfsCreate(body); ok {
		r.Body, r.Flags = b, r.Flags|wire.FlagDFSOperations
	}
	return r
}

// Do sends one request on the tree and returns its response. A failure
// status is returned as a *StatusError together with the response.
func (t *Tree) Do(ctx context.Context, body wire.Request) (*Response, error) {
	resps, err := t.sess.conn.Send(ctx, t.Request(body))
	if err != nil {
		return nil, err
	}
	return resps[0], resps[0].Err()
}

// Compound sends bodies as one related compound chain (MS-SMB2 3.2.4.1.4):
// every part after the first operates on the handle the first part opened
// (pass wire.RelatedFileID as their FileID). It returns one response per
// part; each carries its own status. cleanup, if not nil, runs with the
// responses of a chain abandoned because ctx ended (see SendWithCleanup).
func (t *Tree) Compound(ctx context.Context, cleanup func([]*Response), bodies ...wire.Request) ([]*Response, error) {
	return t.sess.conn.SendWithCleanup(ctx, cleanup, t.chain(bodies)...)
}

// StartCompound is Compound without waiting: the chain is queued for the
// wire and the returned Call collects its responses.
func (t *Tree) StartCompound(ctx context.Context, cleanup func([]*Response), bodies ...wire.Request) (*Call, error) {
	return t.sess.conn.Start(ctx, cleanup, t.chain(bodies)...)
}

// chain wraps bodies into a related compound chain on this tree.
func (t *Tree) chain(bodies []wire.Request) []*Request {
	reqs := make([]*Request, len(bodies))
	for i, b := range bodies {
		reqs[i] = t.Request(b)
		reqs[i].Related = i > 0
	}
	return reqs
}

// Disconnect ends the tree connect (MS-SMB2 3.2.4.3). Later calls return the
// first result.
func (t *Tree) Disconnect(ctx context.Context) error {
	t.discOnce.Do(func() {
		_, t.discErr = t.Do(ctx, &wire.TreeDisconnectRequest{})
	})
	return t.discErr
}
