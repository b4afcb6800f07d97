package protocol

// A scripted in-process SMB2 server for the connection tests, in the style
// of the golang.org/x/net/http2 transport tests: the client under test talks
// to one end of a net.Pipe, and the test goroutine plays the server on the
// other end, reading the client's frames and writing the server's answers
// byte by byte. Every test runs inside a testing/synctest bubble, so
// synctest.Wait tells exactly what the client has (and has not) sent, fake
// time makes timeouts instant and deterministic, and the bubble's end checks
// that no goroutine was leaked.

import (
	"bytes"
	"context"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/smbfs/smbfs/protocol/smbcrypto"
	"github.com/smbfs/smbfs/protocol/wire"
)

// peer is the server side of a test connection.
type peer struct {
	t      *testing.T
	nc     net.Conn
	frames chan []byte // frame payloads from the client; closed when it hangs up

	// Negotiated state, as the server sees it.
	dialect wire.Dialect
	cipher  uint16
	signAlg uint16
	preauth smbcrypto.PreauthHash // connection hash after NEGOTIATE (3.1.1)
	sess    *peerSession          // keys of the last session set up
}

// peerSession holds the server's keys for one session.
type peerSession struct {
	id     uint64
	keys   smbcrypto.SessionKeys
	signer smbcrypto.Signer
	seal   cipher.AEAD // server-to-client: the client's DecryptionKey
	open   cipher.AEAD // client-to-server: the client's EncryptionKey
	nonce  uint64
}

// inMsg is one request message as the client sent it.
type inMsg struct {
	wire.Header
	msg []byte // the message with any compound padding (what its signature covers)
}

// inFrame is one frame the client sent, decrypted if it was encrypted.
type inFrame struct {
	raw        []byte // the frame payload as received, without the Direct TCP prefix
	encrypted  bool
	tfSession  uint64 // SessionId of the TRANSFORM_HEADER
	compressed []byte // the compressed form, when the client compressed
	msgs       []inMsg
}

// newPeer returns the client end of a fresh pipe and the peer on the other.
func newPeer(t *testing.T) (net.Conn, *peer) {
	cli, srv := net.Pipe()
	p := &peer{t: t, nc: srv, frames: make(chan []byte, 1024)}
	go p.readLoop()
	t.Cleanup(func() { srv.Close() })
	return cli, p
}

// readLoop collects the client's frames so the test can inspect them after
// synctest.Wait. It checks only the Direct TCP framing.
func (p *peer) readLoop() {
	defer close(p.frames)
	for {
		var prefix [4]byte
		if _, err := io.ReadFull(p.nc, prefix[:]); err != nil {
			return
		}
		if prefix[0] != 0 {
			return // not Direct TCP: wantFrame reports the closed stream
		}
		buf := make([]byte, int(prefix[1])<<16|int(prefix[2])<<8|int(prefix[3]))
		if _, err := io.ReadFull(p.nc, buf); err != nil {
			return
		}
		p.frames <- buf
	}
}

// wantFrame waits until the client is idle and returns the next frame it
// sent, failing the test if there is none.
func (p *peer) wantFrame() *inFrame {
	p.t.Helper()
	synctest.Wait()
	select {
	case raw, ok := <-p.frames:
		if !ok {
			p.t.Fatal("peer: client closed the connection; want a frame")
		}
		return p.parse(raw)
	default:
		p.t.Fatal("peer: client sent nothing; want a frame")
	}
	return nil
}

// wantMsg returns the next frame, which must hold exactly one cmd request.
func (p *peer) wantMsg(cmd wire.Command) inMsg {
	p.t.Helper()
	f := p.wantFrame()
	if len(f.msgs) != 1 {
		p.t.Fatalf("peer: frame with %d messages, want one %v", len(f.msgs), cmd)
	}
	if m := f.msgs[0]; m.Command != cmd {
		p.t.Fatalf("peer: got %v (id %d), want %v", m.Command, m.MessageID, cmd)
	}
	return f.msgs[0]
}

// wantNoFrame checks that the client, now idle, has sent nothing more.
func (p *peer) wantNoFrame() {
	p.t.Helper()
	synctest.Wait()
	select {
	case raw, ok := <-p.frames:
		if ok {
			f := p.parse(raw)
			p.t.Fatalf("peer: unexpected frame with %d messages, first %v id %d", len(f.msgs), f.msgs[0].Command, f.msgs[0].MessageID)
		}
	default:
	}
}

// drain returns every frame the client has sent so far.
func (p *peer) drain() []*inFrame {
	p.t.Helper()
	synctest.Wait()
	var out []*inFrame
	for {
		select {
		case raw, ok := <-p.frames:
			if !ok {
				return out
			}
			out = append(out, p.parse(raw))
		default:
			return out
		}
	}
}

// wantHangup checks that the client closed the connection (after reading
// whatever frames it still had queued).
func (p *peer) wantHangup() {
	p.t.Helper()
	synctest.Wait()
	for {
		select {
		case _, ok := <-p.frames:
			if !ok {
				return
			}
		default:
			p.t.Fatal("peer: client did not close the connection")
		}
	}
}

// parse decrypts and splits a frame and decodes the headers of its messages.
func (p *peer) parse(raw []byte) *inFrame {
	p.t.Helper()
	f := &inFrame{raw: raw}
	chain := raw
	if wire.KindOf(raw) == wire.KindTransform {
		if p.sess == nil || p.sess.open == nil {
			p.t.Fatal("peer: encrypted frame but no session keys")
		}
		sid, err := smbcrypto.PeekSessionID(raw)
		if err != nil {
			p.t.Fatalf("peer: transform header: %v", err)
		}
		plain, _, err := smbcrypto.Open(nil, p.sess.open, raw)
		if err != nil {
			p.t.Fatalf("peer: cannot open the client's encrypted frame: %v", err)
		}
		f.encrypted, f.tfSession, chain = true, sid, plain
	}
	if wire.KindOf(chain) == wire.KindCompressed {
		f.compressed = chain
		chain = peerDecompress(p.t, chain)
	}
	for len(chain) > 0 {
		msg, rest, err := wire.NextMessage(chain)
		if err != nil {
			p.t.Fatalf("peer: client sent a bad chain: %v", err)
		}
		h, err := wire.DecodeHeader(msg)
		if err != nil {
			p.t.Fatalf("peer: client sent a bad header: %v", err)
		}
		if h.IsResponse() {
			p.t.Fatalf("peer: client sent a message flagged as a response: %+v", h)
		}
		f.msgs = append(f.msgs, inMsg{Header: h, msg: msg})
		chain = rest
	}
	return f
}

// outMsg is one response message the peer is about to send.
type outMsg struct {
	h    wire.Header
	body []byte
	sign bool
}

// respTo builds the response to m: same command, MessageId, session and tree,
// granting credits.
func respTo(m inMsg, status wire.Status, credits uint16, body []byte) outMsg {
	return outMsg{h: wire.Header{
		CreditCharge: m.CreditCharge,
		Status:       status,
		Command:      m.Command,
		Credits:      credits,
		Flags:        wire.FlagServerToRedir,
		MessageID:    m.MessageID,
		TreeID:       m.TreeID,
		SessionID:    m.SessionID,
	}, body: body}
}

// signed marks o to be signed with the session's key.
func (o outMsg) signed() outMsg { o.sign = true; return o }

// async turns o into the async header form with asyncID.
func (o outMsg) async(asyncID uint64) outMsg {
	o.h.Flags |= wire.FlagAsyncCommand
	o.h.AsyncID = asyncID
	return o
}

// interim is the STATUS_PENDING interim response to m (MS-SMB2 3.3.4.2).
func interim(m inMsg, asyncID uint64, credits uint16) outMsg {
	return respTo(m, wire.StatusPending, credits, errorBody()).async(asyncID)
}

// chain encodes parts as one (compound) chain: every part but the last padded
// to 8 bytes with NextCommand set, then the parts marked so signed, each over
// its padded bytes (MS-SMB2 3.3.4.1.3).
func (p *peer) chain(parts ...outMsg) []byte {
	var b []byte
	starts := make([]int, len(parts)+1)
	for i, o := range parts {
		start := len(b)
		starts[i] = start
		h := o.h
		if o.sign {
			h.Flags |= wire.FlagSigned
		}
		b = h.Encode(b)
		b = append(b, o.body...)
		if i < len(parts)-1 {
			b = wire.PadForCompound(b)
			wire.SetNextCommand(b[start:], uint32(len(b)-start))
		}
	}
	starts[len(parts)] = len(b)
	for i, o := range parts {
		if o.sign {
			msg := b[starts[i]:starts[i+1]]
			sig := p.sess.signer.Sign(msg)
			copy(wire.Signature(msg), sig[:])
		}
	}
	return b
}

// writeRaw writes b to the client as is. Errors are returned, not fatal:
// some tests write to a client that has already hung up.
func (p *peer) writeRaw(b []byte) error {
	_, err := p.nc.Write(b)
	return err
}

// writeFrame writes payload behind a Direct TCP prefix.
func (p *peer) writeFrame(payload []byte) error {
	return p.writeRaw(append(wire.AppendFramePrefix(nil, len(payload)), payload...))
}

// send writes parts as one clear-text frame and returns the chain as sent.
func (p *peer) send(parts ...outMsg) []byte {
	p.t.Helper()
	b := p.chain(parts...)
	if err := p.writeFrame(b); err != nil {
		p.t.Logf("peer: write: %v", err)
	}
	return b
}

// sendSealed writes parts as one chain encrypted with the session's
// server-to-client key.
func (p *peer) sendSealed(parts ...outMsg) {
	p.t.Helper()
	if err := p.writeFrame(p.seal(p.chain(parts...))); err != nil {
		p.t.Logf("peer: write: %v", err)
	}
}

// seal builds the TRANSFORM frame body for chain (MS-SMB2 3.1.4.3).
func (p *peer) seal(chain []byte) []byte {
	p.t.Helper()
	s := p.sess
	nonce := make([]byte, s.seal.NonceSize())
	binary.LittleEndian.PutUint64(nonce, s.nonce)
	s.nonce++
	frame, err := smbcrypto.Seal(nil, s.seal, nonce, s.id, chain)
	if err != nil {
		p.t.Fatalf("peer: seal: %v", err)
	}
	return frame
}

// Response bodies, built by hand from MS-SMB2 section 2.2.

// errorBody is an SMB2 ERROR response body without data (MS-SMB2 2.2.2).
func errorBody() []byte { return []byte{9, 0, 0, 0, 0, 0, 0, 0, 0} }

// emptyBody is the 4-byte body of ECHO, LOGOFF and TREE_DISCONNECT
// responses (MS-SMB2 2.2.29).
func emptyBody() []byte { return []byte{4, 0, 0, 0} }

// readBody is a READ response carrying data at offset 0x50 (MS-SMB2 2.2.20).
func readBody(data []byte) []byte {
	b := []byte{17, 0, 0x50, 0}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, 0) // DataRemaining
	b = binary.LittleEndian.AppendUint32(b, 0) // Reserved2
	return append(b, data...)
}

// sessionSetupBody is a SESSION_SETUP response (MS-SMB2 2.2.6).
func sessionSetupBody(flags wire.SessionFlags, token []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, 9)
	b = binary.LittleEndian.AppendUint16(b, uint16(flags))
	b = binary.LittleEndian.AppendUint16(b, wire.HeaderSize+8)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(token)))
	return append(b, token...)
}

// treeConnectBody is a TREE_CONNECT response for a disk share (MS-SMB2 2.2.10).
func treeConnectBody(flags wire.ShareFlags) []byte {
	b := []byte{16, 0, byte(wire.ShareTypeDisk), 0}
	b = binary.LittleEndian.AppendUint32(b, uint32(flags))
	b = binary.LittleEndian.AppendUint32(b, 0)           // Capabilities
	return binary.LittleEndian.AppendUint32(b, 0x1F01FF) // MaximalAccess
}

// negResp describes the server's NEGOTIATE response (MS-SMB2 2.2.4).
type negResp struct {
	status                         wire.Status
	dialect                        wire.Dialect
	secMode                        wire.SecurityMode
	caps                           wire.Capabilities
	guid                           [16]byte
	maxRead, maxWrite, maxTransact uint32
	secBuf                         []byte
	contexts                       []wire.NegotiateContext
	credits                        uint16
}

// testServerGUID is the GUID the scripted server announces.
var testServerGUID = [16]byte{0x5e, 0x4e, 0x7e, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

// defaultNeg is what a modern server answers for dialect d: large MTU,
// encryption for 3.x, 8 MiB limits, 512 credits and, for 3.1.1, the preauth,
// AES-128-GCM and AES-GMAC contexts.
func defaultNeg(d wire.Dialect) negResp {
	n := negResp{
		dialect: d, secMode: wire.SigningEnabled, guid: testServerGUID,
		maxRead: 8 << 20, maxWrite: 8 << 20, maxTransact: 8 << 20,
		secBuf: []byte("spnego-hint"), credits: 512,
	}
	if d >= wire.Dialect210 {
		n.caps |= wire.CapLargeMTU
	}
	if d.Is3x() {
		n.caps |= wire.CapEncryption
	}
	if d == wire.Dialect311 {
		n.contexts = []wire.NegotiateContext{
			wire.PreauthIntegrityContext([]uint16{wire.HashSHA512}, bytes.Repeat([]byte{0xA5}, 32)),
			wire.EncryptionContext([]uint16{wire.CipherAES128GCM}),
			wire.SigningContext([]uint16{wire.SigningAESGMAC}),
		}
	}
	return n
}

// with311Contexts replaces the cipher and signing contexts of a 3.1.1
// response; 0xFFFF leaves a context out.
func (n negResp) with311Contexts(cipherID, signAlg uint16) negResp {
	n.contexts = []wire.NegotiateContext{wire.PreauthIntegrityContext([]uint16{wire.HashSHA512}, make([]byte, 32))}
	if cipherID != 0xFFFF {
		n.contexts = append(n.contexts, wire.EncryptionContext([]uint16{cipherID}))
	}
	if signAlg != 0xFFFF {
		n.contexts = append(n.contexts, wire.SigningContext([]uint16{signAlg}))
	}
	return n
}

// body encodes the NEGOTIATE response body.
func (n negResp) body() []byte {
	if n.status != wire.StatusSuccess {
		return errorBody()
	}
	le := binary.LittleEndian
	b := make([]byte, 64)
	le.PutUint16(b[0:], 65)
	le.PutUint16(b[2:], uint16(n.secMode))
	le.PutUint16(b[4:], uint16(n.dialect))
	le.PutUint16(b[6:], uint16(len(n.contexts)))
	copy(b[8:24], n.guid[:])
	le.PutUint32(b[24:], uint32(n.caps))
	le.PutUint32(b[28:], n.maxTransact)
	le.PutUint32(b[32:], n.maxRead)
	le.PutUint32(b[36:], n.maxWrite)
	le.PutUint16(b[56:], wire.HeaderSize+64)
	le.PutUint16(b[58:], uint16(len(n.secBuf)))
	b = append(b, n.secBuf...)
	if len(n.secBuf) == 0 {
		b = append(b, 0)
	}
	if len(n.contexts) > 0 {
		pad := func() {
			for (wire.HeaderSize+len(b))%8 != 0 {
				b = append(b, 0)
			}
		}
		pad()
		le.PutUint32(b[60:], uint32(wire.HeaderSize+len(b)))
		for i, c := range n.contexts {
			if i > 0 {
				pad()
			}
			b = le.AppendUint16(b, uint16(c.Type))
			b = le.AppendUint16(b, uint16(len(c.Data)))
			b = le.AppendUint32(b, 0)
			b = append(b, c.Data...)
		}
	}
	return b
}

// negReq is a decoded NEGOTIATE request (MS-SMB2 2.2.3).
type negReq struct {
	dialects  []wire.Dialect
	secMode   wire.SecurityMode
	caps      wire.Capabilities
	guid      [16]byte
	ctxOffset uint32
	contexts  []wire.NegotiateContext
}

// parseNegReq decodes the NEGOTIATE request msg.
func parseNegReq(t *testing.T, msg []byte) negReq {
	t.Helper()
	le := binary.LittleEndian
	body := msg[wire.HeaderSize:]
	if len(body) < 36 || le.Uint16(body) != 36 {
		t.Fatalf("NEGOTIATE request body % X", body)
	}
	var r negReq
	n := int(le.Uint16(body[2:]))
	r.secMode = wire.SecurityMode(le.Uint16(body[4:]))
	r.caps = wire.Capabilities(le.Uint32(body[8:]))
	copy(r.guid[:], body[12:28])
	r.ctxOffset = le.Uint32(body[28:])
	count := int(le.Uint16(body[32:]))
	if len(body) < 36+2*n {
		t.Fatalf("NEGOTIATE request: %d dialects in %d bytes", n, len(body))
	}
	for i := range n {
		r.dialects = append(r.dialects, wire.Dialect(le.Uint16(body[36+2*i:])))
	}
	pos := int(r.ctxOffset)
	for i := range count {
		if i > 0 {
			pos = (pos + 7) &^ 7
		}
		if pos+8 > len(msg) {
			t.Fatalf("NEGOTIATE request: context %d beyond the message", i)
		}
		typ, size := le.Uint16(msg[pos:]), int(le.Uint16(msg[pos+2:]))
		if pos+8+size > len(msg) {
			t.Fatalf("NEGOTIATE request: context %d data beyond the message", i)
		}
		r.contexts = append(r.contexts, wire.NegotiateContext{Type: wire.NegotiateContextType(typ), Data: msg[pos+8 : pos+8+size]})
		pos += 8 + size
	}
	return r
}

// context returns the request's context of type typ.
func (r negReq) context(typ wire.NegotiateContextType) ([]byte, bool) {
	for _, c := range r.contexts {
		if c.Type == typ {
			return c.Data, true
		}
	}
	return nil, false
}

// answerNegotiate answers the NEGOTIATE request m with n and records what
// was negotiated, hashing both messages for 3.1.1 exactly as sent.
func (p *peer) answerNegotiate(m inMsg, n negResp) {
	p.t.Helper()
	sent := p.send(respTo(m, n.status, n.credits, n.body()))
	p.dialect = n.dialect
	switch {
	case n.dialect == wire.Dialect311:
		p.preauth.Update(m.msg)
		p.preauth.Update(sent)
		p.signAlg = wire.SigningAESCMAC
		for _, c := range n.contexts {
			switch c.Type {
			case wire.ContextEncryption:
				ids, _ := wire.ParseEncryption(c.Data)
				p.cipher = ids[0]
			case wire.ContextSigning:
				ids, _ := wire.ParseSigning(c.Data)
				p.signAlg = ids[0]
			}
		}
	case n.dialect.Is3x():
		p.signAlg = wire.SigningAESCMAC
		if n.caps&wire.CapEncryption != 0 {
			p.cipher = wire.CipherAES128CCM
		}
	default:
		p.signAlg = wire.SigningHMACSHA256
	}
}

// handshake runs NewConn against the peer, answers its NEGOTIATE with n and
// returns the connection, closed when the test ends.
func handshake(t *testing.T, cfg *Config, n negResp) (*Conn, *peer) {
	t.Helper()
	cli, p := newPeer(t)
	res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, cfg) })
	p.answerNegotiate(p.wantMsg(wire.CommandNegotiate), n)
	c, err := res.wait(t)
	if err != nil {
		t.Fatalf("NewConn: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, p
}

// testSessionKey is the session key the fake authenticator "establishes".
var testSessionKey = []byte{0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}

// fakeAuth is an Authenticator with a two-round exchange of fixed tokens and
// a fixed session key.
type fakeAuth struct {
	key       []byte
	anonymous bool
	hint      []byte   // what InitialToken was given
	tokens    [][]byte // server tokens seen by Continue and Complete
}

func (a *fakeAuth) InitialToken(hint []byte) ([]byte, error) {
	a.hint = slices.Clone(hint)
	return []byte("token-1"), nil
}

func (a *fakeAuth) Continue(tok []byte) ([]byte, error) {
	a.tokens = append(a.tokens, slices.Clone(tok))
	return []byte("token-2"), nil
}

func (a *fakeAuth) Complete(tok []byte) error {
	a.tokens = append(a.tokens, slices.Clone(tok))
	return nil
}

func (a *fakeAuth) SessionKey() []byte { return a.key }
func (a *fakeAuth) Anonymous() bool    { return a.anonymous }

// sessOpts scripts the server's side of a session setup.
type sessOpts struct {
	id    uint64
	flags wire.SessionFlags // of the final response, e.g. SessionEncryptData
	// Misbehaviours.
	unsignedFinal bool // do not sign the final response
	corruptFinal  bool // sign it, then flip a signature bit
	skipHashResp1 bool // leave the first response out of the pre-auth hash
}

// testSessionID is the SessionId the scripted server assigns by default.
const testSessionID = 0x0000_4400_0000_0011

// acceptSession plays the server side of a two-round SESSION_SETUP: it
// keeps the 3.1.1 pre-authentication hash over the exact request and
// response bytes (leaving out the final response, MS-SMB2 3.3.5.5.3),
// derives the session keys as the client should, and signs the final
// response with them.
func (p *peer) acceptSession(c *Conn, o sessOpts) (*Session, error) {
	p.t.Helper()
	if o.id == 0 {
		o.id = testSessionID
	}
	auth := &fakeAuth{key: testSessionKey}
	res := goAsync(func() (*Session, error) { return c.SessionSetup(context.Background(), auth) })

	hash := p.preauth
	m1 := p.wantMsg(wire.CommandSessionSetup)
	if m1.SessionID != 0 {
		p.t.Errorf("first SESSION_SETUP carries SessionId %#x, want 0", m1.SessionID)
	}
	hash.Update(m1.msg)
	r1 := respTo(m1, wire.StatusMoreProcessingRequired, 8, sessionSetupBody(0, []byte("challenge")))
	r1.h.SessionID = o.id
	sent := p.send(r1)
	if !o.skipHashResp1 {
		hash.Update(sent)
	}
	m2 := p.wantMsg(wire.CommandSessionSetup)
	if m2.SessionID != o.id {
		p.t.Errorf("second SESSION_SETUP carries SessionId %#x, want %#x", m2.SessionID, o.id)
	}
	hash.Update(m2.msg)

	keys, err := smbcrypto.DeriveKeys(uint16(p.dialect), testSessionKey, hash[:], p.cipher)
	if err != nil {
		p.t.Fatalf("peer: DeriveKeys: %v", err)
	}
	s := &peerSession{id: o.id, keys: keys}
	if s.signer, err = smbcrypto.NewSigner(p.signAlg, keys.Signing); err != nil {
		p.t.Fatalf("peer: NewSigner: %v", err)
	}
	if p.cipher != 0 {
		if s.seal, err = smbcrypto.NewAEAD(p.cipher, keys.Decrypt); err != nil {
			p.t.Fatal(err)
		}
		if s.open, err = smbcrypto.NewAEAD(p.cipher, keys.Encrypt); err != nil {
			p.t.Fatal(err)
		}
	}
	p.sess = s
	final := respTo(m2, wire.StatusSuccess, 64, sessionSetupBody(o.flags, nil))
	if !o.unsignedFinal {
		final = final.signed()
	}
	b := p.chain(final)
	if o.corruptFinal {
		wire.Signature(b)[0] ^= 0x01
	}
	if err := p.writeFrame(b); err != nil {
		p.t.Logf("peer: write: %v", err)
	}
	sess, err := res.wait(p.t)
	if err == nil {
		if string(auth.hint) != "spnego-hint" || len(auth.tokens) != 2 || string(auth.tokens[0]) != "challenge" {
			p.t.Errorf("authenticator saw hint %q and server tokens %q", auth.hint, auth.tokens)
		}
	}
	return sess, err
}

// session sets up a session that must succeed.
func (p *peer) session(c *Conn, o sessOpts) *Session {
	p.t.Helper()
	s, err := p.acceptSession(c, o)
	if err != nil {
		p.t.Fatalf("SessionSetup: %v", err)
	}
	return s
}

// async runs a blocking call on its own goroutine so that the test goroutine
// can play the server meanwhile.
type async[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// goAsync starts f.
func goAsync[T any](f func() (T, error)) *async[T] {
	a := &async[T]{done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.v, a.err = f()
	}()
	return a
}

// wait returns f's results once the bubble is idle, failing the test if f
// is still blocked then.
func (a *async[T]) wait(t *testing.T) (T, error) {
	t.Helper()
	synctest.Wait()
	select {
	case <-a.done:
		return a.v, a.err
	default:
		t.Fatal("call still blocked; want it finished")
	}
	var zero T
	return zero, nil
}

// wantBlocked checks that f has not returned.
func (a *async[T]) wantBlocked(t *testing.T) {
	t.Helper()
	synctest.Wait()
	select {
	case <-a.done:
		t.Fatalf("call returned (%v, %v); want it still blocked", a.v, a.err)
	default:
	}
}

// goSend starts c.Send.
func goSend(ctx context.Context, c *Conn, reqs ...*Request) *async[[]*Response] {
	return goAsync(func() ([]*Response, error) { return c.Send(ctx, reqs...) })
}

// echo is a request with no session or tree.
func echo() *Request { return &Request{Body: &wire.EchoRequest{}} }

// creditState returns the connection's credit balance and the credits
// charged by requests in flight.
func creditState(c *Conn) (credits, inFlight int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.credits, c.inFlight
}

// wantConnError checks that err is a *ConnectionError wrapping target (any
// cause when target is nil).
func wantConnError(t *testing.T, err, target error) {
	t.Helper()
	var ce *ConnectionError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a *ConnectionError", err, err)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("error %v, want one wrapping %v", err, target)
	}
}
