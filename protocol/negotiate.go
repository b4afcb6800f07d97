package protocol

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"syscall"

	"github.com/smbfs/smbfs/protocol/wire"
)

// maxIOSize caps the negotiated read, write and transact sizes: 8 MiB, the
// most Windows and Samba offer, fits a 16 MiB frame with room for headers.
const maxIOSize = 8 << 20

// negotiate runs SMB2 NEGOTIATE (MS-SMB2 3.2.4.2.2) and records the result.
func (c *Conn) negotiate(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.HandshakeTimeout)
		defer cancel()
	}
	dialects := c.cfg.dialects()
	if len(dialects) == 0 {
		return fmt.Errorf("smb2 negotiate: no dialect between %v and %v", c.cfg.MinDialect, c.cfg.MaxDialect)
	}
	req := &wire.NegotiateRequest{
		Dialects:     dialects,
		SecurityMode: wire.SigningEnabled,
		Capabilities: wire.CapDFS | wire.CapLargeMTU,
		ClientGUID:   c.cfg.ClientGUID,
	}
	if c.cfg.Signing == PolicyRequired {
		req.SecurityMode |= wire.SigningRequired
	}
	if c.cfg.Encryption != PolicyOff {
		// 3.0 and 3.0.2 servers encrypt only for clients that announce
		// the capability (MS-SMB2 3.3.5.4).
		req.Capabilities |= wire.CapEncryption
	}
	if slices.Contains(dialects, wire.Dialect311) {
		salt := make([]byte, 32)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		req.Contexts = append(req.Contexts, wire.PreauthIntegrityContext([]uint16{wire.HashSHA512}, salt))
		if c.cfg.Encryption != PolicyOff {
			req.Contexts = append(req.Contexts, wire.EncryptionContext(c.cfg.Ciphers))
		}
		req.Contexts = append(req.Contexts, wire.SigningContext(c.cfg.SigningAlgorithms))
		if c.cfg.Compression != CompressOff {
			req.Contexts = append(req.Contexts, wire.CompressionContext(
				[]uint16{wire.CompressionLZ4, wire.CompressionPatternV1}, wire.CompressionFlagChained))
		}
		req.Contexts = append(req.Contexts, wire.NetnameContext(c.serverName))
	}
	c.offered = negotiateOffer{dialects: dialects, caps: req.Capabilities, secMode: req.SecurityMode}
	var reqMsg []byte
	resps, err := c.Send(ctx, &Request{Body: req, onEncoded: func(m []byte) { reqMsg = append([]byte(nil), m...) }})
	if err != nil {
		if isClosedByPeer(err) {
			return fmt.Errorf("smb2 negotiate: %w (it closed the connection without answering an SMB2 NEGOTIATE; it may speak only SMB1): %w", ErrNotSMB2, err)
		}
		if errors.Is(err, wire.ErrMalformed) {
			return fmt.Errorf("smb2 negotiate: %w (its answer is not SMB2): %w", ErrNotSMB2, err)
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return fmt.Errorf("smb2 negotiate: %w: the server accepted the connection but did not answer NEGOTIATE in time (%w)", ErrTimeout, err)
		}
		return fmt.Errorf("smb2 negotiate: %w", err)
	}
	r := resps[0]
	var resp wire.NegotiateResponse
	if err := r.Decode(&resp); err != nil {
		if errors.Is(err, wire.ErrMalformed) {
			return fmt.Errorf("smb2 negotiate: %w (its answer is not SMB2): %w", ErrNotSMB2, err)
		}
		return fmt.Errorf("smb2 negotiate: %w", err)
	}
	if !slices.Contains(dialects, resp.Dialect) {
		return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("%w: server chose dialect %v, which was not offered", ErrNotSMB2, resp.Dialect)}
	}
	c.dialect = resp.Dialect
	c.serverGUID = resp.ServerGUID
	c.serverSecMode = resp.SecurityMode
	c.serverCaps = resp.Capabilities
	c.maxRead, c.maxWrite, c.maxTransact = resp.MaxReadSize, resp.MaxWriteSize, resp.MaxTransactSize
	if !c.largeMTU() {
		// Without multi-credit requests one message moves at most 64 KiB.
		c.maxRead, c.maxWrite, c.maxTransact = min(c.maxRead, 65536), min(c.maxWrite, 65536), min(c.maxTransact, 65536)
	}
	// A frame carries at most 16 MiB (MS-SMB2 2.1), so larger limits cannot
	// be used; beyond maxIOSize a READ of MaxReadSize bytes would not fit
	// in its response frame.
	c.maxRead, c.maxWrite, c.maxTransact = min(c.maxRead, maxIOSize), min(c.maxWrite, maxIOSize), min(c.maxTransact, maxIOSize)
	if c.maxRead < 4096 || c.maxWrite < 4096 || c.maxTransact < 4096 {
		return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("%w: server limits read %d, write %d, transact %d are unusably small", wire.ErrMalformed, c.maxRead, c.maxWrite, c.maxTransact)}
	}
	c.frameLimit.Store(int64(min(wire.MaxFrameLength, int(max(c.maxRead, c.maxWrite, c.maxTransact))+(1<<16))))
	c.negToken = append([]byte(nil), resp.SecurityBuffer...)

	switch {
	case c.dialect == wire.Dialect311:
		if err := c.applyContexts(&resp, reqMsg, r.Msg); err != nil {
			return err
		}
	case c.dialect.Is3x():
		c.signingAlg = wire.SigningAESCMAC
		if c.serverCaps&wire.CapEncryption != 0 && c.cfg.Encryption != PolicyOff {
			c.cipher = wire.CipherAES128CCM // the only 3.0/3.0.2 cipher
		}
	default:
		c.signingAlg = wire.SigningHMACSHA256
	}
	if c.cfg.Signing == PolicyOff && c.serverSecMode&wire.SigningRequired != 0 {
		c.log.Debug("smb2 server requires signing; the session will sign despite policy off")
	}
	c.log.Debug("smb2 negotiated", "dialect", c.dialect, "cipher", c.cipher, "signing", c.signingAlg,
		"maxRead", c.maxRead, "maxWrite", c.maxWrite, "maxTransact", c.maxTransact)
	return nil
}

// negotiateOffer is what the client's NEGOTIATE offered, kept for
// FSCTL_VALIDATE_NEGOTIATE_INFO.
type negotiateOffer struct {
	dialects []wire.Dialect
	caps     wire.Capabilities
	secMode  wire.SecurityMode
}

// validateNegotiate runs FSCTL_VALIDATE_NEGOTIATE_INFO on a new tree of a
// 3.0/3.0.2 session (MS-SMB2 3.2.5.5, 3.3.5.15.12): those dialects have no
// pre-authentication hash, so a man in the middle could have altered the
// NEGOTIATE — stripped "signing required", lowered the dialect — and only
// this signed exchange tells. Any mismatch ends the connection.
func (t *Tree) validateNegotiate(ctx context.Context) error {
	c := t.sess.conn
	in := (&wire.ValidateNegotiateInfoRequest{
		Capabilities: c.offered.caps, GUID: c.cfg.ClientGUID, SecurityMode: c.offered.secMode, Dialects: c.offered.dialects,
	}).Encode(nil)
	req := t.Request(&wire.IoctlRequest{
		CtlCode: wire.FsctlValidateNegotiateInfo, FileID: wire.RelatedFileID,
		Input: in, MaxOutputResponse: 24, Flags: wire.IoctlIsFSCTL,
	})
	req.forceSign = !req.Encrypt // the request MUST be signed (MS-SMB2 3.2.5.5)
	resps, err := c.Send(ctx, req)
	if err != nil {
		return err
	}
	r := resps[0]
	fail := func(why string, args ...any) error {
		cerr := &ConnectionError{Op: "validate negotiate", Err: fmt.Errorf("%w: %s", ErrDowngrade, fmt.Sprintf(why, args...))}
		c.fail(cerr)
		return cerr
	}
	if !r.Encrypted && r.Header.Flags&wire.FlagSigned == 0 {
		return fail("the server's answer is not signed")
	}
	var ir wire.IoctlResponse
	if err := r.Decode(&ir); err != nil {
		var se *StatusError
		if errors.As(err, &se) {
			return fail("the server refused validation: %v", se.Status)
		}
		return err
	}
	var v wire.ValidateNegotiateInfoResponse
	if err := v.Decode(ir.Output); err != nil {
		return fail("answer: %v", err)
	}
	switch {
	case v.Dialect != c.dialect:
		return fail("dialect %v, but NEGOTIATE said %v", v.Dialect, c.dialect)
	case v.GUID != c.serverGUID:
		return fail("server GUID differs from NEGOTIATE's")
	case v.SecurityMode != c.serverSecMode:
		return fail("security mode %#x, but NEGOTIATE said %#x", v.SecurityMode, c.serverSecMode)
	case v.Capabilities != c.serverCaps:
		return fail("capabilities %#x, but NEGOTIATE said %#x", v.Capabilities, c.serverCaps)
	}
	return nil
}

// applyContexts processes the 3.1.1 negotiate contexts (MS-SMB2 3.2.5.2).
func (c *Conn) applyContexts(resp *wire.NegotiateResponse, reqMsg, respMsg []byte) error {
	ctx, ok := resp.Context(wire.ContextPreauthIntegrity)
	if !ok {
		return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("%w: 3.1.1 response without a preauth integrity context", wire.ErrMalformed)}
	}
	hashes, _, err := wire.ParsePreauthIntegrity(ctx.Data)
	if err != nil || len(hashes) != 1 || hashes[0] != wire.HashSHA512 {
		return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("%w: preauth integrity context %v, %v", wire.ErrMalformed, hashes, err)}
	}
	c.preauth.Update(reqMsg)
	c.preauth.Update(respMsg)

	c.signingAlg = wire.SigningAESCMAC // when the server sends no signing context
	if ctx, ok := resp.Context(wire.ContextSigning); ok {
		algs, err := wire.ParseSigning(ctx.Data)
		if err != nil || len(algs) != 1 || !slices.Contains(c.cfg.SigningAlgorithms, algs[0]) {
			return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("%w: signing context %v, %v", wire.ErrMalformed, algs, err)}
		}
		c.signingAlg = algs[0]
	}
	if ctx, ok := resp.Context(wire.ContextCompression); ok && c.cfg.Compression != CompressOff {
		algs, flags, err := wire.ParseCompression(ctx.Data)
		if err != nil {
			return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("compression context: %w", err)}
		}
		for _, a := range algs {
			switch a {
			case wire.CompressionLZ4:
				c.compressLZ4 = true
			case wire.CompressionPatternV1:
				c.compressPattern = true
			case wire.CompressionNone:
			default:
				return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("%w: compression algorithm %#x was not offered", wire.ErrMalformed, a)}
			}
		}
		c.compressChained = flags&wire.CompressionFlagChained != 0
	}
	if c.cfg.Encryption != PolicyOff {
		if ctx, ok := resp.Context(wire.ContextEncryption); ok {
			ciphers, err := wire.ParseEncryption(ctx.Data)
			if err != nil || len(ciphers) != 1 || (ciphers[0] != 0 && !slices.Contains(c.cfg.Ciphers, ciphers[0])) {
				return &ConnectionError{Op: "negotiate", Err: fmt.Errorf("%w: encryption context %v, %v", wire.ErrMalformed, ciphers, err)}
			}
			c.cipher = ciphers[0] // 0: no cipher in common
		} else if c.serverCaps&wire.CapEncryption != 0 {
			c.cipher = wire.CipherAES128CCM
		}
	}
	return nil
}

// isClosedByPeer reports errors meaning the server hung up.
func isClosedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrClosedPipe) // EPIPE of in-process streams such as net.Pipe
}
