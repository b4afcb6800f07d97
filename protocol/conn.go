package protocol

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smbfs/smbfs/protocol/smbcrypto"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Conn is one SMB2/3 transport connection to a server: a TCP stream after a
// successful NEGOTIATE.
//
// Many goroutines may use a Conn at once. Exactly one goroutine reads the
// socket and routes each response by MessageId to the request waiting for it;
// exactly one goroutine writes whole frames to the socket. Everything a
// request needs on the way out — MessageIds, credits, signing, encryption —
// happens in one place, Conn.send.
type Conn struct {
	cfg Config
	log *slog.Logger
	nc  net.Conn

	// Negotiated parameters; fixed once Dial returns.
	dialect       wire.Dialect
	serverGUID    [16]byte
	serverSecMode wire.SecurityMode
	serverCaps    wire.Capabilities
	maxRead       uint32
	maxWrite      uint32
	maxTransact   uint32
	cipher        uint16 // 0: no cipher negotiated
	signingAlg    uint16
	// Compression negotiated (3.1.1): LZ4 usable, chained form and
	// Pattern_V1 usable.
	compressLZ4, compressChained, compressPattern bool
	preauth                                       smbcrypto.PreauthHash // connection hash after NEGOTIATE (3.1.1)
	negToken                                      []byte                // the server's SPNEGO hint from NEGOTIATE
	offered                                       negotiateOffer        // what our NEGOTIATE offered
	serverName                                    string

	frameLimit atomic.Int64 // largest frame the reader accepts

	// Liveness (liveness.go): times on the connection's monotonic clock.
	born      time.Time
	lastHeard atomic.Int64 // when the server last sent anything
	stalled   atomic.Int64 // total time the client process was frozen

	mu         sync.Mutex
	nextID     uint64
	credits    int           // credits granted and not yet spent
	inFlight   int           // credits charged by requests awaiting responses
	creditWake chan struct{} // closed and replaced whenever credits arrive
	pending    map[uint64]*call
	sessions   map[uint64]*Session
	err        error // why the connection failed; nil while healthy
	onBreak    func(wire.OplockBreak)

	writeq     chan []byte
	frames     framePool     // buffers of outgoing frames, recycled by the writer
	done       chan struct{} // closed when the connection fails or closes
	readerDone chan struct{}
	writerDone chan struct{}

	stats connStats
}

// connStats are counters updated with atomics on the hot path. The outcome
// and error counters are disjoint buckets, so tests can assert on them.
type connStats struct {
	requests, responses, bytesSent, bytesReceived atomic.Int64
	// Final responses by status severity, and interim ones.
	success, warning, failure, interim atomic.Int64
	// Requests that ended without a response, by cause.
	timeouts, cancels, creditWaits atomic.Int64
	// Round-trip time estimate, nanoseconds (EWMA of single-credit
	// requests answered without an interim response).
	rttNanos atomic.Int64
	// Keepalive ECHOs sent by the liveness monitor.
	probes atomic.Int64
}

// observeRTT folds one measured round trip into the estimate (EWMA, 1/8).
func (s *connStats) observeRTT(d time.Duration) {
	for {
		old := s.rttNanos.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/8
		}
		if s.rttNanos.CompareAndSwap(old, next) {
			return
		}
	}
}

// Dial connects to address (host:port), negotiates a dialect and returns the
// connection, ready for SessionSetup.
func Dial(ctx context.Context, address string, cfg *Config) (*Conn, error) {
	c := cfg.withDefaults()
	if c.ServerName == "" {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return nil, fmt.Errorf("smb2 dial %s: %w", address, err)
		}
		c.ServerName = host
	}
	nc, err := c.Dial(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	conn := newConn(nc, c)
	if err := conn.negotiate(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// NewConn runs NEGOTIATE over an established stream (a net.Pipe in tests, a
// proxy, a TLS tunnel...) and returns the connection.
func NewConn(ctx context.Context, nc net.Conn, cfg *Config) (*Conn, error) {
	c := cfg.withDefaults()
	if c.ServerName == "" {
		c.ServerName = "localhost"
	}
	conn := newConn(nc, c)
	if err := conn.negotiate(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func newConn(nc net.Conn, cfg Config) *Conn {
	c := &Conn{
		cfg:        cfg,
		log:        cfg.Logger,
		nc:         nc,
		serverName: cfg.ServerName,
		credits:    1, // MS-SMB2 3.2.1.2: a new connection may send one request
		creditWake: make(chan struct{}),
		pending:    make(map[uint64]*call),
		sessions:   make(map[uint64]*Session),
		writeq:     make(chan []byte, 256),
		done:       make(chan struct{}),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	c.frameLimit.Store(1 << 20)
	c.born = time.Now()
	go c.readLoop()
	go c.writeLoop()
	go c.monitor()
	return c
}

// Dialect returns the negotiated dialect.
func (c *Conn) Dialect() wire.Dialect { return c.dialect }

// MaxReadSize, MaxWriteSize and MaxTransactSize return the negotiated limits
// on one READ, WRITE and IOCTL/QUERY payload.
func (c *Conn) MaxReadSize() uint32 { return c.maxRead }

// MaxWriteSize returns the negotiated limit on one WRITE payload.
func (c *Conn) MaxWriteSize() uint32 { return c.maxWrite }

// MaxTransactSize returns the negotiated limit on QUERY_INFO, QUERY_DIRECTORY
// and IOCTL buffers.
func (c *Conn) MaxTransactSize() uint32 { return c.maxTransact }

// ServerGUID returns the server's GUID from NEGOTIATE.
func (c *Conn) ServerGUID() [16]byte { return c.serverGUID }

// ServerName returns the host name used for tree paths.
func (c *Conn) ServerName() string { return c.serverName }

// Cipher returns the negotiated encryption cipher id, 0 if none.
func (c *Conn) Cipher() uint16 { return c.cipher }

// SigningAlgorithm returns the signing algorithm id sessions will use.
func (c *Conn) SigningAlgorithm() uint16 { return c.signingAlg }

// ServerCapabilities returns the capabilities the server announced.
func (c *Conn) ServerCapabilities() wire.Capabilities { return c.serverCaps }

// ServerSigningRequired reports whether the server demands signed sessions.
func (c *Conn) ServerSigningRequired() bool { return c.serverSecMode&wire.SigningRequired != 0 }

// largeMTU reports whether multi-credit requests are allowed (MS-SMB2
// 3.2.4.1.5: 2.1 and later with SMB2_GLOBAL_CAP_LARGE_MTU).
func (c *Conn) largeMTU() bool {
	return c.dialect >= wire.Dialect210 && c.serverCaps&wire.CapLargeMTU != 0
}

// Err returns why the connection failed, or nil while it is healthy.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done returns a channel closed when the connection fails or is closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Close tears the connection down. Requests in flight fail with a
// ConnectionError wrapping ErrClosed. Sessions are not logged off: use
// Session.Logoff first for a polite goodbye.
func (c *Conn) Close() error {
	c.fail(&ConnectionError{Op: "close", Err: ErrClosed})
	<-c.readerDone
	<-c.writerDone
	return nil
}

// fail marks the connection failed with err (the first error wins), closes
// the socket and completes every outstanding exchange with the error.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.done)
	close(c.creditWake)
	c.creditWake = make(chan struct{})
	seen := make(map[*exchange]bool)
	for id, cl := range c.pending {
		delete(c.pending, id)
		if !seen[cl.ex] {
			seen[cl.ex] = true
			cl.ex.err = err
			close(cl.ex.done)
		}
	}
	c.inFlight = 0
	c.mu.Unlock()
	c.nc.Close()
	if !errors.Is(err, ErrClosed) {
		c.log.Warn("smb2 connection failed", "server", c.serverName, "err", err)
	}
}

// connErr returns the connection's failure as an error for a caller.
func (c *Conn) connErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return &ConnectionError{Op: "use", Err: ErrClosed}
	}
	return c.err
}

// writeLoop is the only code that writes to the socket. It writes whole
// frames, gathering whatever is queued into one writev, so that a burst of
// pipelined requests costs few system calls.
func (c *Conn) writeLoop() {
	defer close(c.writerDone)
	var batch net.Buffers
	for {
		var f []byte
		select {
		case f = <-c.writeq:
		case <-c.done:
			return
		}
		batch = append(batch[:0], f)
	gather:
		for len(batch) < 64 {
			select {
			case f = <-c.writeq:
				batch = append(batch, f)
			default:
				break gather
			}
		}
		var n int64
		for _, b := range batch {
			n += int64(len(b))
		}
		// Bound the time a frame may take to reach the socket, not only
		// the time to a reply: a peer that stops reading must not wedge
		// every sender forever.
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
		// WriteTo consumes the slice it is given (and nils its entries),
		// so hand it a copy and keep batch for recycling.
		bufs := append(net.Buffers(nil), batch...)
		if _, err := bufs.WriteTo(c.nc); err != nil {
			c.fail(&ConnectionError{Op: "write frame", Err: err})
			return
		}
		c.stats.bytesSent.Add(n)
		for _, b := range batch {
			c.frames.put(b)
		}
		clear(batch)
	}
}

// enqueue hands a complete frame (prefix included) to the writer.
func (c *Conn) enqueue(frame []byte) error {
	select {
	case c.writeq <- frame:
		return nil
	case <-c.done:
		return c.connErr()
	}
}

// readLoop is the only code that reads the socket. It splits the stream
// into frames, undoes encryption, splits compound chains and hands each
// message to dispatch.
func (c *Conn) readLoop() {
	defer close(c.readerDone)
	r := bufio.NewReaderSize(c.nc, 64<<10)
	var prefix [4]byte
	for {
		if _, err := io.ReadFull(r, prefix[:]); err != nil {
			c.fail(&ConnectionError{Op: "read frame", Err: err})
			return
		}
		n, err := wire.ParseFramePrefix(prefix, int(c.frameLimit.Load()))
		if err != nil {
			c.fail(&ConnectionError{Op: "read frame", Err: err})
			return
		}
		// Spare capacity lets an encrypted frame be decrypted in place
		// (the AEAD wants its tag after the ciphertext).
		// Frame buffers come from a pool; the responses carved out of
		// one hold references to it (Response.Release).
		buf := c.frames.get(n + 16)[:n]
		ref := newFrameRef(buf, &c.frames)
		if _, err := io.ReadFull(r, buf); err != nil {
			c.fail(&ConnectionError{Op: "read frame", Err: err})
			return
		}
		c.stats.bytesReceived.Add(int64(n + 4))
		c.heard()
		err = c.handleFrame(buf, ref)
		ref.release() // the reader's own reference
		if err != nil {
			c.fail(err)
			return
		}
	}
}

// handleFrame processes one received frame payload.
func (c *Conn) handleFrame(buf []byte, ref *frameRef) error {
	switch wire.KindOf(buf) {
	case wire.KindSMB2:
		return c.dispatchChain(buf, nil, ref)
	case wire.KindTransform:
		plain, sess, err := c.decrypt(buf)
		if err != nil {
			return err
		}
		if wire.KindOf(plain) == wire.KindCompressed {
			// Compressed, then encrypted (MS-SMB2 3.1.4.4). The
			// decompressed message lives in a buffer of its own.
			if plain, err = c.decompress(plain); err != nil {
				return err
			}
			ref = nil
		}
		return c.dispatchChain(plain, sess, ref)
	case wire.KindSMB1:
		return &ConnectionError{Op: "read frame", Err: fmt.Errorf("%w: it answered in SMB1", ErrNotSMB2)}
	case wire.KindCompressed:
		plain, err := c.decompress(buf)
		if err != nil {
			return err
		}
		return c.dispatchChain(plain, nil, nil)
	}
	return &ConnectionError{Op: "read frame", Err: fmt.Errorf("%w: unknown protocol id % X", wire.ErrMalformed, buf[:min(4, len(buf))])}
}

// dispatchChain routes every message of a (possibly compound) chain.
// encSess is the session whose key decrypted the chain, nil if it came in
// clear text.
func (c *Conn) dispatchChain(chain []byte, encSess *Session, ref *frameRef) error {
	for len(chain) > 0 {
		msg, rest, err := wire.NextMessage(chain)
		if err != nil {
			return &ConnectionError{Op: "split compound response", Err: err}
		}
		if err := c.dispatch(msg, encSess, ref); err != nil {
			return err
		}
		chain = rest
	}
	return nil
}

// decompress expands a compressed frame, bounded by the frame limit.
func (c *Conn) decompress(buf []byte) ([]byte, error) {
	if !c.compressLZ4 && !c.compressPattern {
		return nil, &ConnectionError{Op: "read frame", Err: errors.New("compressed frame received, but compression was not negotiated")}
	}
	plain, err := decompress(buf, int(c.frameLimit.Load()))
	if err != nil {
		return nil, &ConnectionError{Op: "decompress", Err: err}
	}
	return plain, nil
}

// SetBreakHandler installs fn to receive oplock break notifications
// (MS-SMB2 3.2.5.19.1). fn runs on a goroutine of its own — never on the
// reader — so it may send the acknowledgment and wait for it. Lease breaks
// (this client requests no leases) are logged and dropped.
func (c *Conn) SetBreakHandler(fn func(wire.OplockBreak)) {
	c.mu.Lock()
	c.onBreak = fn
	c.mu.Unlock()
}

// handleBreak routes an unsolicited break notification.
func (c *Conn) handleBreak(h *wire.Header, msg []byte) {
	var b wire.OplockBreak
	if err := b.Decode(msg); err != nil {
		c.log.Debug("smb2 break notification ignored", "command", h.Command, "err", err)
		return
	}
	c.mu.Lock()
	fn := c.onBreak
	c.mu.Unlock()
	if fn == nil {
		c.log.Debug("smb2 oplock break with no handler", "fileid", b.FileID)
		return
	}
	go fn(b)
}

// oplockBreakMessageID marks an unsolicited oplock or lease break
// notification (MS-SMB2 3.2.5.19).
const oplockBreakMessageID = ^uint64(0)

// maxCredits bounds the credit balance so that a server granting absurd
// amounts cannot overflow the accounting.
const maxCredits = 1 << 16

// dispatch handles one response message.
func (c *Conn) dispatch(msg []byte, encSess *Session, ref *frameRef) error {
	h, err := wire.DecodeHeader(msg)
	if err != nil {
		return &ConnectionError{Op: "decode response header", Err: err}
	}
	if !h.IsResponse() {
		return &ConnectionError{Op: "route response", Err: fmt.Errorf("%w: request (%v) received from server", wire.ErrMalformed, h.Command)}
	}
	c.stats.responses.Add(1)
	if h.MessageID == oplockBreakMessageID {
		c.handleBreak(&h, msg)
		return nil
	}

	c.mu.Lock()
	// Bank the grant of every response: interim, error and unwanted ones too.
	c.credits = min(c.credits+int(h.Credits), maxCredits)
	if h.Credits > 0 {
		close(c.creditWake)
		c.creditWake = make(chan struct{})
	}
	cl := c.pending[h.MessageID]
	if cl == nil {
		c.mu.Unlock()
		c.log.Debug("smb2 response for unknown message id", "id", h.MessageID, "command", h.Command, "status", h.Status)
		return nil
	}
	if h.Status == wire.StatusPending && h.IsAsync() {
		// Interim response (MS-SMB2 3.2.5.1.5): keep waiting, remember the
		// AsyncId so a CANCEL can name the operation. An interim answer to
		// an encrypted request must itself be encrypted, or anyone on the
		// path could park requests forever (interims stop the clock).
		if cl.encrypted && encSess == nil {
			c.mu.Unlock()
			return &ConnectionError{Op: "verify interim " + h.Command.String() + " response", Err: ErrUnencrypted}
		}
		cl.asyncID = h.AsyncID
		cl.interim = true
		c.mu.Unlock()
		c.stats.interim.Add(1)
		return nil
	}
	c.mu.Unlock()
	switch {
	case h.Status == wire.StatusSuccess:
		c.stats.success.Add(1)
	case h.Status.IsError():
		c.stats.failure.Add(1)
	default:
		c.stats.warning.Add(1)
	}
	if !cl.interim && cl.charge == 1 && !cl.sent.IsZero() {
		c.stats.observeRTT(time.Since(cl.sent))
	}

	if err := c.verify(cl, &h, msg, encSess); err != nil {
		return err
	}

	c.mu.Lock()
	if c.pending[h.MessageID] != cl {
		// The connection failed while the response was being verified:
		// fail completed the exchange with its error already.
		c.mu.Unlock()
		return nil
	}
	delete(c.pending, h.MessageID)
	c.inFlight -= int(cl.charge)
	cl.resp = &Response{Header: h, Msg: msg, Encrypted: encSess != nil, ref: ref.acquire()}
	ex := cl.ex
	ex.remaining--
	finished := ex.remaining == 0
	orphan := finished && ex.abandoned && ex.orphan != nil
	if finished {
		close(ex.done)
	}
	c.mu.Unlock()
	if orphan {
		go ex.orphan(ex.responses())
	}
	return nil
}

// verify enforces signing and encryption on a final response
// (MS-SMB2 3.2.5.1.3, 3.2.5.1.1.1).
func (c *Conn) verify(cl *call, h *wire.Header, msg []byte, encSess *Session) error {
	if encSess != nil {
		if cl.sess != nil && cl.sess != encSess {
			return &ConnectionError{Op: "verify response", Err: fmt.Errorf("%w: response to session %#x sealed with the key of session %#x", ErrDecrypt, cl.sess.id, encSess.id)}
		}
		return nil
	}
	if cl.encrypted {
		return &ConnectionError{Op: "verify " + h.Command.String() + " response", Err: ErrUnencrypted}
	}
	s := cl.sess
	if s == nil || cl.cmd == wire.CommandSessionSetup {
		// No keys yet: SessionSetup checks the final response itself.
		return nil
	}
	signer := s.signer
	if signer == nil {
		return nil
	}
	if h.Flags&wire.FlagSigned != 0 {
		if !smbcrypto.Verify(signer, msg) {
			return &ConnectionError{Op: "verify " + h.Command.String() + " response", Err: ErrBadSignature}
		}
		return nil
	}
	if s.signingRequired && cl.signed {
		return &ConnectionError{Op: "verify " + h.Command.String() + " response", Err: ErrUnsigned}
	}
	return nil
}

// decrypt opens a TRANSFORM frame with the key of the session it names.
func (c *Conn) decrypt(frame []byte) ([]byte, *Session, error) {
	sid, err := smbcrypto.PeekSessionID(frame)
	if err != nil {
		return nil, nil, &ConnectionError{Op: "decrypt", Err: err}
	}
	c.mu.Lock()
	s := c.sessions[sid]
	c.mu.Unlock()
	if s == nil || s.decryptor == nil {
		return nil, nil, &ConnectionError{Op: "decrypt", Err: fmt.Errorf("%w: encrypted frame for unknown session %#x", ErrDecrypt, sid)}
	}
	plain, _, err := smbcrypto.OpenInPlace(s.decryptor, frame)
	if err != nil {
		return nil, nil, &ConnectionError{Op: "decrypt", Err: fmt.Errorf("%w: %v", ErrDecrypt, err)}
	}
	return plain, s, nil
}
