package pipeline

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// Surviving a lost connection.
//
// When a request fails because the transport broke (not because the server
// refused it, and not because a signature or decryption check failed), the
// Share asks its Reconnector for a tree on a fresh connection — the client
// redials, renegotiates and re-authenticates — then reclaims every open
// Handle and retries the request if it is idempotent:
//
//   - reads, writes at explicit offsets, flushes, queries, attribute
//     updates, opens that cannot have created anything, and whole small
//     operations such as Stat, ReadFile and WriteFile are retried, so a
//     pipelined transfer resumes from what the server had confirmed;
//   - Remove, Rename, Mkdir and exclusive creates are not: they fail with
//     an IndeterminateError saying they may have taken effect.
//
// A Handle opened durable (DH2Q with a CreateGuid and a batch oplock, MS-SMB2
// 3.2.4.3.5) is reclaimed with DH2C; any other Handle is reopened by path
// without creating or truncating. Either way the reclaimed handle's file
// identity (FileInternalInformation) must match the original's, so a
// different file that took the name meanwhile is never written.

// Reconnector gives a Share a tree on a new connection after failed's
// connection broke, or an error once the reconnect budget is spent. The
// client behind it makes sure many Shares and goroutines reconnecting at
// once share one new connection.
type Reconnector func(ctx context.Context, failed *protocol.Tree) (*protocol.Tree, error)

// SetReconnector installs r; without one, a lost connection is final.
// budget bounds, from an operation's first lost connection, how long it
// keeps being tried again on new ones (the client passes its reconnect
// budget).
func (s *Share) SetReconnector(r Reconnector, budget time.Duration) {
	s.recoverMu.Lock()
	s.reconnector, s.retryBudget = r, budget
	s.recoverMu.Unlock()
}

// maxRetries is a backstop on how often one operation is tried again: the
// real bound is the retry budget, time, because a flapping link may break
// many connections while one long operation — a reclaim waiting out an
// orphaned open, say — is under way, yet a request that breaks the
// connection every time it is sent must not be retried for the whole
// budget.
const maxRetries = 32

// retries counts one operation's attempts across reconnects.
type retries struct {
	first time.Time // when it first lost its connection
	n     int
}

// again reports whether the operation may be tried once more: at most
// maxRetries times, and only while budget has not passed since the first
// loss.
func (r *retries) again(budget time.Duration) bool {
	now := time.Now()
	if r.n == 0 {
		r.first = now
	}
	r.n++
	return r.n <= maxRetries && now.Sub(r.first) < budget
}

// IndeterminateError reports an operation whose connection broke before its
// answer came: it was not retried, because doing it twice is not the same
// as doing it once, and it may or may not have taken effect.
type IndeterminateError struct {
	Op  string
	Err error
}

// Error says what happened.
func (e *IndeterminateError) Error() string {
	return fmt.Sprintf("%s: connection lost before the server answered; it may have taken effect: %v", e.Op, e.Err)
}

// Unwrap returns the connection error.
func (e *IndeterminateError) Unwrap() error { return e.Err }

// ErrHandleLost is wrapped by errors of a Handle that a reconnect could not
// reclaim (the server dropped it, or the file was replaced meanwhile).
var ErrHandleLost = errors.New("open handle lost in a reconnect")

// isConnLoss reports that err came from t's connection breaking, worth a
// reconnect — as opposed to a refused request, a response that did not
// decode (the connection lives on), a closed client, or a security failure
// (which a reconnect would only hide).
func isConnLoss(t *protocol.Tree, err error) bool {
	var ce *protocol.ConnectionError
	if !errors.As(err, &ce) || t.Conn().Err() == nil {
		return false
	}
	for _, final := range []error{protocol.ErrClosed, protocol.ErrBadSignature, protocol.ErrDecrypt,
		protocol.ErrDowngrade, protocol.ErrUnsigned, protocol.ErrUnencrypted, protocol.ErrSecurityPolicy} {
		if errors.Is(err, final) {
			return false
		}
	}
	return true
}

// withRetry runs op, and after a lost connection recovers and runs it again
// if it is idempotent.
func (s *Share) withRetry(ctx context.Context, name string, idempotent bool, op func() error) error {
	var r retries
	for {
		t := s.tree.current()
		err := op()
		if err == nil || !isConnLoss(t, err) || !s.canReconnect() {
			return err
		}
		if !idempotent {
			return &IndeterminateError{Op: name, Err: err}
		}
		if !s.mayRetry(&r) {
			return err
		}
		if rerr := s.recover(ctx, t); rerr != nil {
			return fmt.Errorf("%w (reconnecting failed: %w)", err, rerr)
		}
	}
}

func (s *Share) canReconnect() bool {
	s.recoverMu.Lock()
	defer s.recoverMu.Unlock()
	return s.reconnector != nil
}

// mayRetry reports whether an operation that has just lost its connection
// may be tried again (retries.again with the share's budget).
func (s *Share) mayRetry(r *retries) bool {
	s.recoverMu.Lock()
	budget := s.retryBudget
	s.recoverMu.Unlock()
	return r.again(budget)
}

// recover replaces failed with a tree on a new connection and reclaims the
// open handles, once for everyone who saw failed break. A new connection
// that breaks in turn while the handles are being reclaimed (the fault
// that broke the first may well strike again) is replaced too, within the
// retry budget: a handle is declared lost only when the server refuses it,
// never because the link dropped under the reclaim.
func (s *Share) recover(ctx context.Context, failed *protocol.Tree) error {
	s.recoverMu.Lock()
	defer s.recoverMu.Unlock()
	if s.tree.current() != failed {
		return nil // recovered already
	}
	var r retries
	for {
		t, err := s.reconnector(ctx, failed)
		if err != nil {
			return err
		}
		// Reclaim before publishing the tree, so no request reaches the
		// new connection with a FileID of the old one.
		err = s.reclaimAll(ctx, t)
		if err == nil {
			s.tree.p.Store(t)
			return nil
		}
		if !r.again(s.retryBudget) { // recoverMu is held
			return fmt.Errorf("reclaiming open handles: %w", err)
		}
		s.log().Info("smbfs: connection lost while reclaiming open handles; reconnecting again", "err", err)
		failed = t
	}
}

// newCreateGUID returns a random CreateGuid naming one durable open.
func newCreateGUID() (g [16]byte) {
	_, _ = rand.Read(g[:])
	g[6] = g[6]&0x0F | 0x40
	g[8] = g[8]&0x3F | 0x80
	return g
}

// requestDurable asks create for a durable v2 handle. The server grants
// durability only with a batch oplock or a handle lease (MS-SMB2
// 3.3.5.9.10), so a batch oplock is requested too; HandleBreak answers the
// breaks that brings.
func (s *Share) requestDurable(create *wire.CreateRequest, guid [16]byte) {
	create.RequestedOplockLevel = wire.OplockBatch
	create.Contexts = append(create.Contexts, (&wire.DurableV2Request{CreateGUID: guid, Timeout: uint32(durableTimeout / time.Millisecond)}).Context())
}

// durableTimeout is how long the server keeps a disconnected durable handle
// for us (the server default is 60 s). Kept short on purpose: a reconnect
// normally takes well under a second, and a server that refuses the
// reclaim (Samba does when the file changed after the disconnect, e.g. by
// a WRITE still in flight) keeps the orphaned open — and, with its batch
// oplock, blocks reopening the file — until this timeout.
const durableTimeout = 15 * time.Second

// register records an open handle, for reclaim and oplock breaks.
func (s *Share) register(h *Handle) {
	s.handlesMu.Lock()
	s.handles[h] = struct{}{}
	s.handlesMu.Unlock()
}

// unregister forgets a closed handle.
func (s *Share) unregister(h *Handle) {
	s.handlesMu.Lock()
	delete(s.handles, h)
	s.handlesMu.Unlock()
}

// openHandles returns the registered handles.
func (s *Share) openHandles() []*Handle {
	s.handlesMu.Lock()
	defer s.handlesMu.Unlock()
	out := make([]*Handle, 0, len(s.handles))
	for h := range s.handles {
		out = append(out, h)
	}
	return out
}

// reclaimAll reclaims every open handle on t. A handle that cannot be
// reclaimed is marked lost: its operations fail with ErrHandleLost. If t's
// connection breaks meanwhile, reclaimAll stops and returns that error,
// leaving the handles for the next connection.
func (s *Share) reclaimAll(ctx context.Context, t *protocol.Tree) error {
	for _, h := range s.openHandles() {
		if h.closed.Load() {
			continue
		}
		fid, err := h.reclaim(ctx, t)
		if err != nil && isConnLoss(t, err) {
			return err
		}
		h.fidMu.Lock()
		if err != nil {
			h.lost = fmt.Errorf("%w: %s: %v", ErrHandleLost, h.path, err)
			s.log().Warn("smbfs: open handle not reclaimed after reconnect", "path", h.path, "durable", h.durable, "err", err)
		} else {
			h.fid = fid
		}
		h.fidMu.Unlock()
	}
	return nil
}

// reclaim reopens h on t: DH2C for a durable handle — and, when the server
// no longer knows it (a restarted server forgets), a plain open of the
// existing file, as for any other handle; then checks that it is the same
// file.
func (h *Handle) reclaim(ctx context.Context, t *protocol.Tree) (wire.FileID, error) {
	if h.durable {
		fid, err := h.reopen(ctx, t, true)
		var st wire.Status
		if err == nil || !errors.As(err, &st) {
			return fid, err
		}
		h.s.log().Info("smbfs: durable handle not reclaimable; reopening by name", "path", h.path, "status", st)
	}
	// The server may still hold the orphaned durable open, which makes the
	// reopen a sharing violation until it expires (durableTimeout).
	deadline := time.Now().Add(durableTimeout + 5*time.Second)
	for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 2*time.Second) {
		fid, err := h.reopen(ctx, t, false)
		var st wire.Status
		if err == nil || !errors.As(err, &st) || st != wire.StatusSharingViolation || time.Now().Add(backoff).After(deadline) {
			return fid, err
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return wire.FileID{}, ctx.Err()
		}
	}
}

// reopen opens h's file again on t, with DH2C (durable) or without.
func (h *Handle) reopen(ctx context.Context, t *protocol.Tree, durable bool) (wire.FileID, error) {
	o := h.opts
	if o.Disposition != OpenExisting {
		o.Disposition = OpenExisting // never create or truncate again
	}
	create := o.createRequest(h.path)
	if durable {
		// Only the reconnect context may accompany DH2C (Samba refuses
		// the reclaim otherwise), with the oplock of the original open.
		create.RequestedOplockLevel = wire.OplockBatch
		create.Contexts = []wire.CreateContext{(&wire.DurableV2Reconnect{FileID: h.FileID(), CreateGUID: h.createGUID}).Context()}
	}
	resps, err := t.Compound(ctx, nil, create, wire.QueryInfoFor(wire.RelatedFileID, &wire.FileInternalInformation{}, 64))
	if err != nil {
		return wire.FileID{}, err
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return wire.FileID{}, err
	}
	var qr wire.QueryInfoResponse
	var internal wire.FileInternalInformation
	qerr := resps[1].Decode(&qr)
	if qerr == nil {
		qerr = internal.Decode(qr.Buffer)
	}
	if h.index != 0 && qerr != nil {
		_, _ = t.Do(ctx, &wire.CloseRequest{FileID: cr.FileID})
		return wire.FileID{}, fmt.Errorf("cannot tell whether the name still refers to the same file: %w", qerr)
	}
	if h.index != 0 && internal.IndexNumber != h.index {
		_, _ = t.Do(ctx, &wire.CloseRequest{FileID: cr.FileID})
		return wire.FileID{}, fmt.Errorf("the name now refers to another file (id %#x, was %#x)", internal.IndexNumber, h.index)
	}
	return cr.FileID, nil
}

// breakAckTimeout bounds the flush and acknowledgment of an oplock break.
const breakAckTimeout = 30 * time.Second

// HandleBreak answers an oplock break for one of this share's handles
// (MS-SMB2 3.2.5.19.1): data queued by Write is written first, so the
// other opener sees it, the read cache is dropped when caching is lost,
// and the break is acknowledged at the level the server chose. It reports
// whether the FileID was one of this share's.
func (s *Share) HandleBreak(b wire.OplockBreak) bool {
	for _, h := range s.openHandles() {
		if h.FileID() != b.FileID {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), breakAckTimeout)
		defer cancel()
		_ = h.wb.flush(ctx) // a failure stays sticky for Write/Flush/Close
		if b.OplockLevel == wire.OplockNone {
			h.cache.drop()
		}
		if _, err := s.tree.Do(ctx, &wire.OplockBreak{OplockLevel: b.OplockLevel, FileID: b.FileID}); err != nil {
			s.log().Debug("smbfs: oplock break acknowledgment failed", "path", h.path, "err", err)
		}
		return true
	}
	return false
}

// log returns the share's logger.
func (s *Share) log() *slog.Logger {
	if s.logger != nil {
		return s.logger
	}
	return slog.New(slog.DiscardHandler)
}

// Durable reports whether the server granted this handle durability.
func (h *Handle) Durable() bool { return h.durable }
