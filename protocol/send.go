package protocol

import (
	"context"
	"fmt"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// Request is one message for Conn.Send. Session and TreeID address it; the
// connection fills in MessageId, credits, signature and encryption.
type Request struct {
	Body    wire.Request
	Session *Session // nil only for NEGOTIATE and the first SESSION_SETUP
	TreeID  uint32
	// Flags adds header flags such as wire.FlagDFSOperations.
	Flags wire.HeaderFlags
	// Encrypt seals the message (and the whole chain it is part of) with
	// the session's key. Session.Request and Tree.Request set it as the
	// session or share demands.
	Encrypt bool
	// Related marks a compound part that operates on the handle the
	// previous part produced (MS-SMB2 3.2.4.1.4). Ignored on the first part.
	Related bool
	// Compress asks for compression where the connection negotiated it: a
	// WRITE sent alone is compressed when that makes it smaller, and a
	// READ asks the server to compress its response.
	Compress bool

	// sessionID overrides Session.ID (session setup rounds carry the id the
	// server assigned before the Session exists).
	sessionID uint64
	// onEncoded sees the exact bytes of the message as sent (for the
	// pre-authentication integrity hash).
	onEncoded func(msg []byte)
	// forceSign signs the request even where the session does not sign
	// everything (FSCTL_VALIDATE_NEGOTIATE_INFO).
	forceSign bool
}

// payloadSizer is implemented by requests whose CreditCharge depends on the
// bytes they move (MS-SMB2 3.1.5.2).
type payloadSizer interface {
	PayloadSizes() (send, recv int)
}

// chargeFor returns the credits a request consumes (MS-SMB2 3.1.5.2):
// one per 64 KiB of the larger of its request and expected response payload.
func (c *Conn) chargeFor(body wire.Request) uint16 {
	if !c.largeMTU() {
		return 1
	}
	if p, ok := body.(payloadSizer); ok {
		s, r := p.PayloadSizes()
		if n := max(s, r); n > 0 {
			return uint16((n-1)/65536 + 1)
		}
	}
	return 1
}

// checkLimits refuses requests that exceed what the server negotiated: such
// a request would be failed by the server or, worse, silently shortened.
func (c *Conn) checkLimits(body wire.Request) error {
	if p, ok := body.(payloadSizer); ok {
		// No frame can move more (MS-SMB2 2.1); the bound also keeps
		// the 16-bit CreditCharge from wrapping to 0.
		if s, r := p.PayloadSizes(); max(s, r) > wire.MaxFrameLength {
			return fmt.Errorf("smb2: %v payload of %d bytes does not fit in one frame", body.Command(), max(s, r))
		}
	}
	if c.dialect == 0 {
		return nil
	}
	switch r := body.(type) {
	case *wire.ReadRequest:
		if r.Length > c.maxRead {
			return fmt.Errorf("smb2: READ of %d bytes exceeds the server's MaxReadSize %d", r.Length, c.maxRead)
		}
	case *wire.WriteRequest:
		if uint32(len(r.Data)) > c.maxWrite {
			return fmt.Errorf("smb2: WRITE of %d bytes exceeds the server's MaxWriteSize %d", len(r.Data), c.maxWrite)
		}
	}
	if !c.largeMTU() {
		if p, ok := body.(payloadSizer); ok {
			if s, r := p.PayloadSizes(); max(s, r) > 65536 {
				return fmt.Errorf("smb2: %v payload of %d bytes needs multi-credit support the server lacks", body.Command(), max(s, r))
			}
		}
	}
	return nil
}

// Send sends reqs as one frame — a compound chain when there are several —
// and waits for every response. The error is non-nil only when no responses
// can be had: the context ended (the server is sent CANCEL for whatever it
// had not answered) or the connection failed. Each response carries its own
// status; see Response.Err.
func (c *Conn) Send(ctx context.Context, reqs ...*Request) ([]*Response, error) {
	return c.sendAndWait(ctx, reqs, nil)
}

// SendWithCleanup is Send with a cleanup function for abandoned requests: if
// ctx ends before the responses arrive, cleanup later runs (on its own
// goroutine) with all of them, so that e.g. a handle a cancelled CREATE
// opened anyway can be closed.
func (c *Conn) SendWithCleanup(ctx context.Context, cleanup func([]*Response), reqs ...*Request) ([]*Response, error) {
	return c.sendAndWait(ctx, reqs, cleanup)
}

func (c *Conn) sendAndWait(ctx context.Context, reqs []*Request, orphan func([]*Response)) ([]*Response, error) {
	ex, err := c.send(ctx, reqs, orphan)
	if err != nil {
		return nil, err
	}
	return c.wait(ctx, ex)
}

// wait blocks until ex completes, ctx ends, or the server stays silent on
// it for Config.RequestTimeout. A request the server acknowledged with an
// interim STATUS_PENDING (a change notification, a blocked lock, a slow
// disk) is no longer timed: the server has proved it is working on it.
func (c *Conn) wait(ctx context.Context, ex *exchange) ([]*Response, error) {
	timer := time.NewTimer(c.cfg.RequestTimeout)
	defer timer.Stop()
	stalledAtStart := c.stalledFor()
	start := time.Now()
	for {
		select {
		case <-ex.done:
			if ex.err != nil {
				return nil, ex.err
			}
			return ex.responses(), nil
		case <-ctx.Done():
			c.abandon(ex)
			c.stats.cancels.Add(1)
			return nil, ctx.Err()
		case <-timer.C:
			if c.allPending(ex) {
				timer.Reset(c.cfg.RequestTimeout)
				start, stalledAtStart = time.Now(), c.stalledFor()
				continue
			}
			// Time the client itself was frozen is not the server's.
			if waited := time.Since(start) - (c.stalledFor() - stalledAtStart); waited < c.cfg.RequestTimeout {
				timer.Reset(c.cfg.RequestTimeout - waited)
				continue
			}
			c.abandon(ex)
			c.stats.timeouts.Add(1)
			return nil, fmt.Errorf("smb2 %v: %w after %v", ex.calls[0].cmd, ErrTimeout, c.cfg.RequestTimeout)
		}
	}
}

// allPending reports whether every unanswered part of ex has an interim
// response.
func (c *Conn) allPending(ex *exchange) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cl := range ex.calls {
		if cl.resp == nil && !cl.interim {
			return false
		}
	}
	return true
}

// acquireLocked waits until n credits are available and takes them. It is
// called and returns with c.mu held. The wait is bounded by ctx and by
// Config.CreditWait: a request never goes out shortened for lack of credits,
// it fails loudly instead.
func (c *Conn) acquireLocked(ctx context.Context, n int) error {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if c.err != nil {
			return c.err
		}
		if c.credits >= n {
			c.credits -= n
			return nil
		}
		if timer == nil {
			timer = time.NewTimer(c.cfg.CreditWait)
		}
		wake := c.creditWake
		c.mu.Unlock()
		select {
		case <-wake:
			c.mu.Lock()
		case <-ctx.Done():
			c.mu.Lock()
			return ctx.Err()
		case <-timer.C:
			c.mu.Lock()
			c.stats.creditWaits.Add(1)
			return fmt.Errorf("smb2: waited %v for %d credits (%d available, %d in flight): %w", c.cfg.CreditWait, n, c.credits, c.inFlight, ErrNoCredits)
		}
	}
}

// send is the single path every request takes to the wire: it reserves
// credits and MessageIds, encodes the frame, signs or encrypts it and queues
// it for the writer. The returned exchange completes when all responses
// have arrived or the connection fails.
func (c *Conn) send(ctx context.Context, reqs []*Request, orphan func([]*Response)) (*exchange, error) {
	if len(reqs) == 0 {
		return nil, fmt.Errorf("smb2: send of no requests")
	}
	charges := make([]uint16, len(reqs))
	total := 0
	for i, r := range reqs {
		if err := c.checkLimits(r.Body); err != nil {
			return nil, err
		}
		charges[i] = c.chargeFor(r.Body)
		total += int(charges[i])
	}
	sess := reqs[0].Session
	encrypt := false
	for _, r := range reqs {
		encrypt = encrypt || r.Encrypt
	}
	if encrypt && (sess == nil || sess.encryptor == nil) {
		return nil, fmt.Errorf("smb2: %w: encryption requested without session keys", ErrSecurityPolicy)
	}

	ex := &exchange{calls: make([]*call, len(reqs)), remaining: len(reqs), done: make(chan struct{}), orphan: orphan}
	c.mu.Lock()
	if err := c.acquireLocked(ctx, total); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	firstID := c.nextID
	c.nextID += uint64(total)
	// Ask for enough credits to bring the balance back to the target, so a
	// deep pipeline never starves (a NAS asked for few grants few).
	request := total
	if deficit := c.cfg.CreditTarget - (c.credits + c.inFlight + total); deficit > 0 {
		request += deficit
	}
	c.inFlight += total
	now := time.Now()
	id := firstID
	for i, r := range reqs {
		cl := &call{ex: ex, id: id, charge: charges[i], cmd: r.Body.Command(), sess: r.Session, treeID: r.TreeID, encrypted: encrypt, sent: now}
		// Decided here, before the call is visible to the reader, which
		// reads it when the response comes.
		cl.signed = !encrypt && r.Session != nil && (r.Session.shouldSign(cl.cmd) || r.forceSign && r.Session.signer != nil)
		ex.calls[i] = cl
		c.pending[id] = cl
		id += uint64(charges[i])
	}
	c.mu.Unlock()
	c.stats.requests.Add(int64(len(reqs)))

	frame, err := c.encodeFrame(reqs, ex.calls, request, encrypt)
	if err != nil {
		// The MessageIds are spent; fail the whole connection rather
		// than leave a hole the server's sequence window would never
		// see filled.
		cerr := &ConnectionError{Op: "encode request", Err: err}
		c.fail(cerr)
		return nil, cerr
	}
	if err := c.enqueue(frame); err != nil {
		return ex, nil // the failure completes ex with the connection error
	}
	return ex, nil
}

// encodeFrame builds the frame for reqs: Direct TCP prefix, then either the
// chain of (signed) messages or a TRANSFORM header and the sealed chain.
func (c *Conn) encodeFrame(reqs []*Request, calls []*call, creditRequest int, encrypt bool) ([]byte, error) {
	reserve := wire.FramePrefixSize
	if encrypt {
		reserve += transformHeaderSize
	}
	size := reserve + 16
	for _, r := range reqs {
		size += wire.HeaderSize + 128
		if p, ok := r.Body.(payloadSizer); ok {
			s, _ := p.PayloadSizes()
			size += s
		}
	}
	buf := c.frames.get(size)[:reserve]
	for i, r := range reqs {
		cl := calls[i]
		start := len(buf)
		h := wire.Header{
			CreditCharge: cl.charge,
			Command:      cl.cmd,
			Flags:        r.Flags,
			MessageID:    cl.id,
			TreeID:       r.TreeID,
			SessionID:    r.sessionID,
		}
		if !c.largeMTU() {
			h.CreditCharge = 0 // 2.0.2 has no CreditCharge (MS-SMB2 2.2.1)
		}
		if r.Session != nil && h.SessionID == 0 {
			h.SessionID = r.Session.id
		}
		h.Credits = uint16(min(int(cl.charge), 0xFFFF))
		if i == len(reqs)-1 {
			h.Credits = uint16(min(creditRequest-(int(cl.id-calls[0].id)), 0xFFFF))
		}
		if i > 0 && r.Related {
			h.Flags |= wire.FlagRelatedOperations
		}
		buf = h.Encode(buf)
		body := r.Body
		if r.Compress && c.compressLZ4 {
			if rr, ok := body.(*wire.ReadRequest); ok {
				flagged := *rr
				flagged.Flags |= wire.ReadFlagRequestCompressed
				body = &flagged
			}
		}
		buf = body.Encode(buf)
		if i < len(reqs)-1 {
			for (len(buf)-start)%8 != 0 {
				buf = append(buf, 0)
			}
			wire.SetNextCommand(buf[start:], uint32(len(buf)-start))
		}
		msg := buf[start:]
		if cl.signed {
			wire.SetFlags(msg, wire.Flags(msg)|wire.FlagSigned)
			sig := r.Session.signer.Sign(msg)
			copy(wire.Signature(msg), sig[:])
		}
		if r.onEncoded != nil {
			r.onEncoded(msg)
		}
	}
	if len(reqs) == 1 && reqs[0].Compress && c.compressLZ4 {
		// Sign, then compress, then encrypt (MS-SMB2 3.1.4.4).
		if _, ok := reqs[0].Body.(*wire.WriteRequest); ok {
			keep := wire.HeaderSize + wire.WriteRequestFixedSize
			if comp := compressMessage(buf[reserve:], keep, c.compressChained, c.compressPattern); comp != nil {
				buf = append(buf[:reserve], comp...)
			}
		}
	}
	if encrypt {
		var err error
		if buf, err = reqs[0].Session.seal(buf, wire.FramePrefixSize); err != nil {
			return nil, err
		}
	}
	payload := len(buf) - wire.FramePrefixSize
	if payload > wire.MaxFrameLength {
		return nil, fmt.Errorf("frame of %d bytes exceeds the transport limit", payload)
	}
	wire.PutFramePrefix(buf, payload)
	return buf, nil
}

// abandon gives up on ex after its context ended: requests the server has
// not answered are cancelled (MS-SMB2 3.2.4.24), and if the exchange has an
// orphan handler it runs once every response is in.
func (c *Conn) abandon(ex *exchange) {
	c.mu.Lock()
	ex.abandoned = true
	failed := ex.err != nil
	finished := ex.remaining == 0 && !failed
	type target struct {
		id, asyncID uint64
		interim     bool
		sess        *Session
		treeID      uint32
		encrypted   bool
	}
	var cancels []target
	if !finished && !failed {
		for _, cl := range ex.calls {
			if cl.resp == nil {
				cancels = append(cancels, target{cl.id, cl.asyncID, cl.interim, cl.sess, cl.treeID, cl.encrypted})
			}
		}
	}
	c.mu.Unlock()
	if finished && ex.orphan != nil {
		go ex.orphan(ex.responses())
	}
	for _, t := range cancels {
		if err := c.sendCancel(t.id, t.asyncID, t.interim, t.sess, t.treeID, t.encrypted); err != nil {
			c.log.Debug("smb2 cancel not sent", "id", t.id, "err", err)
		}
	}
}

// sendCancel sends SMB2 CANCEL for the request with MessageId id (or, once an
// interim response gave it one, its AsyncId). CANCEL consumes no credit and
// no MessageId and gets no response (MS-SMB2 3.2.4.24).
func (c *Conn) sendCancel(id, asyncID uint64, async bool, sess *Session, treeID uint32, encrypted bool) error {
	reserve := wire.FramePrefixSize
	if encrypted {
		reserve += transformHeaderSize
	}
	buf := make([]byte, reserve, reserve+wire.HeaderSize+4+16)
	h := wire.Header{Command: wire.CommandCancel, MessageID: id, TreeID: treeID}
	if async {
		h.Flags |= wire.FlagAsyncCommand
		h.AsyncID = asyncID
	}
	if sess != nil {
		h.SessionID = sess.id
	}
	buf = h.Encode(buf)
	buf = (&wire.CancelRequest{}).Encode(buf)
	msg := buf[reserve:]
	if encrypted {
		var err error
		if buf, err = sess.seal(buf, wire.FramePrefixSize); err != nil {
			return err
		}
	} else if sess != nil && sess.shouldSign(wire.CommandCancel) {
		wire.SetFlags(msg, wire.Flags(msg)|wire.FlagSigned)
		sig := sess.signer.Sign(msg)
		copy(wire.Signature(msg), sig[:])
	}
	wire.PutFramePrefix(buf, len(buf)-wire.FramePrefixSize)
	return c.enqueue(buf)
}
