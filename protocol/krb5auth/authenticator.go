package krb5auth

import (
	"crypto/rand"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/spnego"
)

// offeredMechs is the SPNEGO mechanism list: the MS Kerberos OID first, as
// Windows sends it, then the standard one (MS-SPNG 3.1.5.2). Both name the
// same mechanism; servers answer with whichever they recognise first.
var offeredMechs = []asn1.ObjectIdentifier{spnego.OIDMSKerberos5, spnego.OIDKerberos5}

// gssFlags are the context flags requested in the authenticator checksum
// (RFC 4121 section 4.1.1.1): mutual authentication, replay and sequence
// detection, confidentiality and integrity, as SMB clients ask for.
const gssFlags = gssapi.ContextFlagMutual | gssapi.ContextFlagReplay | gssapi.ContextFlagSequence |
	gssapi.ContextFlagConf | gssapi.ContextFlagInteg

// Authenticator runs Kerberos V5 (RFC 4120, RFC 4121) inside SPNEGO (RFC
// 4178) for one SMB2 SESSION_SETUP: it obtains a service ticket, sends an
// AP-REQ asking for mutual authentication, and verifies the server's AP-REP.
// It implements protocol.Authenticator.
type Authenticator struct {
	in *Initiator

	// Set by InitialToken.
	ticket     *ticket
	ctime      time.Time // authenticator ctime, whole seconds
	cusec      int       // authenticator cusec
	initSubkey types.EncryptionKey
	seq        int64 // the authenticator's sequence number

	// Set once the AP-REP verified.
	acceptorSubkey types.EncryptionKey
	mutualDone     bool
	// failed is set by any error of Continue or Complete: the exchange
	// then yields no key, even if the AP-REP had verified.
	failed bool
}

var _ protocol.Authenticator = (*Authenticator)(nil)

// InitialToken obtains a service ticket and returns a SPNEGO NegTokenInit
// carrying the AP-REQ as its optimistic mechanism token. hint is the
// server's NEGOTIATE security buffer: when it lists mechanisms without
// Kerberos, no ticket is requested and the error wraps ErrNotOffered.
func (a *Authenticator) InitialToken(hint []byte) ([]byte, error) {
	if len(hint) > 0 {
		// Servers that send no usable hint (or one that does not parse)
		// get the AP-REQ anyway: the hint is advisory (MS-SPNG 3.2.5.2).
		if init, err := spnego.DecodeNegTokenInit(hint); err == nil && len(init.MechTypes) > 0 &&
			!init.Supports(spnego.OIDKerberos5) && !init.Supports(spnego.OIDMSKerberos5) {
			return nil, &Error{Op: "start authentication to " + a.in.SPN(), Kind: ErrNotOffered,
				Err: fmt.Errorf("it offers %v", init.MechTypes)}
		}
	}
	t, err := a.in.fetch()
	if err != nil {
		return nil, err
	}
	a.ticket = t
	apreq, err := a.apReq()
	if err != nil {
		return nil, &Error{Op: "build AP-REQ", Err: err}
	}
	tok, err := encodeMechToken(tokAPReq, apreq)
	if err != nil {
		return nil, &Error{Op: "build AP-REQ", Err: err}
	}
	return spnego.EncodeNegTokenInit(offeredMechs, tok)
}

// apReq builds the DER-encoded KRB_AP_REQ (RFC 4120 section 5.5.1) with
// mutual-required set and a fresh initiator subkey of the ticket's session
// key type.
func (a *Authenticator) apReq() ([]byte, error) {
	now := a.in.now().UTC()
	a.ctime = now.Truncate(time.Second)
	a.cusec = now.Nanosecond() / 1000
	et, err := crypto.GetEtype(a.ticket.sessionKey.KeyType)
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	sub := make([]byte, et.GetKeyByteSize())
	if _, err := rand.Read(sub); err != nil {
		return nil, err
	}
	a.initSubkey = types.EncryptionKey{KeyType: a.ticket.sessionKey.KeyType, KeyValue: sub}
	seq, err := rand.Int(rand.Reader, big.NewInt(1<<30))
	if err != nil {
		return nil, err
	}
	a.seq = seq.Int64()
	auth := types.Authenticator{
		AVNO:      iana.PVNO,
		CRealm:    a.ticket.crealm,
		CName:     a.ticket.cname,
		Cksum:     types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: gssChecksum(gssFlags)},
		Cusec:     a.cusec,
		CTime:     a.ctime,
		SubKey:    a.initSubkey,
		SeqNumber: a.seq,
	}
	req, err := messages.NewAPReq(a.ticket.tkt, a.ticket.sessionKey, auth)
	if err != nil {
		return nil, err
	}
	types.SetFlag(&req.APOptions, flags.APOptionMutualRequired)
	return req.Marshal()
}

// gssChecksum builds the authenticator checksum of RFC 4121 section
// 4.1.1: the length of the (absent, all-zero) channel bindings hash, that
// hash, and the context flags, little-endian.
func gssChecksum(contextFlags uint32) []byte {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b[0:4], 16)
	binary.LittleEndian.PutUint32(b[20:24], contextFlags)
	return b
}

// Continue handles a STATUS_MORE_PROCESSING_REQUIRED response: a server
// that wants a mechListMIC sends its AP-REP and MIC early, and one that
// refuses the AP-REQ may send a KRB-ERROR this way.
func (a *Authenticator) Continue(serverToken []byte) ([]byte, error) {
	out, err := a.continueExchange(serverToken)
	a.failed = a.failed || err != nil
	return out, err
}

// continueExchange is Continue without the bookkeeping.
func (a *Authenticator) continueExchange(serverToken []byte) ([]byte, error) {
	resp, err := a.response(serverToken)
	if err != nil {
		return nil, err
	}
	if resp.HasNegState && resp.NegState == spnego.Reject {
		return nil, &Error{Op: "authenticate to " + a.in.SPN(), Err: errors.New("the server rejected Kerberos")}
	}
	if !a.mutualDone {
		return nil, &Error{Op: "authenticate to " + a.in.SPN(), Kind: ErrMutualAuth,
			Err: errors.New("the server asked to continue without sending its AP-REP")}
	}
	// The server wants the initiator's mechListMIC (RFC 4178 section 5).
	mic, err := a.mechListMIC()
	if err != nil {
		return nil, &Error{Op: "sign SPNEGO mechanism list", Err: err}
	}
	return spnego.EncodeNegTokenResp(spnego.NegTokenResp{MechListMIC: mic})
}

// Complete checks the final token: accept-completed with the AP-REP (unless
// it came earlier) and, when present, the mechListMIC.
func (a *Authenticator) Complete(serverToken []byte) error {
	err := a.complete(serverToken)
	a.failed = a.failed || err != nil
	return err
}

// complete is Complete without the bookkeeping.
func (a *Authenticator) complete(serverToken []byte) error {
	if len(serverToken) > 0 {
		resp, err := a.response(serverToken)
		if err != nil {
			return err
		}
		if resp.HasNegState && resp.NegState != spnego.AcceptCompleted {
			return &Error{Op: "authenticate to " + a.in.SPN(), Err: fmt.Errorf("the server ended SPNEGO in state %v", resp.NegState)}
		}
	}
	if !a.mutualDone {
		return &Error{Op: "authenticate to " + a.in.SPN(), Kind: ErrMutualAuth,
			Err: errors.New("the server accepted the session without an AP-REP, so it did not prove its identity")}
	}
	return nil
}

// response decodes a server NegTokenResp and processes the Kerberos token
// and mechListMIC it carries.
func (a *Authenticator) response(serverToken []byte) (resp *spnego.NegTokenResp, err error) {
	// gokrb5's decoders index without bounds checks in places; a hostile
	// server must not crash the client.
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, &Error{Op: "decode the server's Kerberos token", Kind: ErrMutualAuth, Err: fmt.Errorf("malformed token: %v", r)}
		}
	}()
	if a.ticket == nil {
		return nil, &Error{Op: "authenticate", Err: errors.New("server token before the AP-REQ was sent")}
	}
	resp, err = spnego.DecodeNegTokenResp(serverToken)
	if err != nil {
		return nil, &Error{Op: "decode the server's SPNEGO token", Err: err}
	}
	if resp.SupportedMech != nil && !resp.SupportedMech.Equal(spnego.OIDMSKerberos5) && !resp.SupportedMech.Equal(spnego.OIDKerberos5) {
		return nil, &Error{Op: "authenticate to " + a.in.SPN(), Err: fmt.Errorf("the server chose mechanism %v, which was not offered", resp.SupportedMech)}
	}
	if len(resp.ResponseToken) > 0 {
		if err := a.mechResponse(resp.ResponseToken); err != nil {
			return nil, err
		}
	}
	if resp.MechListMIC != nil {
		if !a.mutualDone {
			return nil, &Error{Op: "verify SPNEGO mechListMIC", Kind: ErrMutualAuth, Err: errors.New("a mechListMIC before the AP-REP")}
		}
		if err := a.verifyMechListMIC(resp.MechListMIC); err != nil {
			return nil, &Error{Op: "verify SPNEGO mechListMIC", Kind: ErrMutualAuth, Err: err}
		}
	}
	return resp, nil
}

// mechResponse handles the Kerberos token of a server response: an AP-REP
// to verify, or a KRB-ERROR to report.
func (a *Authenticator) mechResponse(b []byte) error {
	tok, err := decodeMechToken(b)
	if err != nil {
		return &Error{Op: "decode the server's Kerberos token", Kind: ErrMutualAuth, Err: err}
	}
	switch tok.tokID {
	case tokKRBError:
		var ke messages.KRBError
		if err := ke.Unmarshal(tok.msg); err != nil {
			return &Error{Op: "decode the server's KRB-ERROR", Err: err}
		}
		e := &Error{Op: "authenticate to " + a.in.SPN(), Code: ke.ErrorCode, Kind: codeKinds[ke.ErrorCode], Err: ke}
		if ke.ErrorCode == errorcode.KRB_AP_ERR_SKEW && !ke.STime.IsZero() {
			// The KRB-ERROR carries the server's time (RFC 4120 section
			// 5.9.1): say how far apart the clocks are.
			e.Detail = skewDetail(a.ctime, ke.STime)
		}
		return e
	case tokAPRep:
		if a.mutualDone {
			return &Error{Op: "verify AP-REP", Kind: ErrMutualAuth, Err: errors.New("a second AP-REP")}
		}
		if err := a.verifyAPRep(tok.msg); err != nil {
			return &Error{Op: "verify AP-REP from " + a.in.SPN(), Kind: ErrMutualAuth, Err: err}
		}
		a.mutualDone = true
		return nil
	}
	return &Error{Op: "authenticate to " + a.in.SPN(), Kind: ErrMutualAuth, Err: fmt.Errorf("unexpected token 0x%04x from the server", tok.tokID)}
}

// skewDetail says how far this client's clock (as its authenticator gave
// it) is from the server's (as its KRB-ERROR gives it).
func skewDetail(client, server time.Time) string {
	d := client.Sub(server).Round(time.Second)
	rel := "ahead of"
	if d < 0 {
		d, rel = -d, "behind"
	}
	return fmt.Sprintf("this client's clock is %v %s the server's (client %s, server %s); Kerberos tolerates 5 minutes by default",
		d, rel, client.UTC().Format(time.RFC3339), server.UTC().Format(time.RFC3339))
}

// verifyAPRep decrypts the KRB_AP_REP with the ticket's session key and
// checks that it echoes the authenticator's time (RFC 4120 section 3.2.5):
// only a server holding the service key could have read them. Its subkey,
// when present, becomes the context key (MS-KILE 3.1.1.2).
func (a *Authenticator) verifyAPRep(b []byte) error {
	var rep messages.APRep
	if err := rep.Unmarshal(b); err != nil {
		return err
	}
	plain, err := crypto.DecryptEncPart(rep.EncPart, a.ticket.sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return fmt.Errorf("decrypt: %w", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return err
	}
	if !part.CTime.Equal(a.ctime) || part.Cusec != a.cusec {
		return fmt.Errorf("it echoes time %s.%06d, the authenticator said %s.%06d",
			part.CTime.UTC().Format(time.RFC3339), part.Cusec, a.ctime.Format(time.RFC3339), a.cusec)
	}
	if part.Subkey.KeyType != 0 || len(part.Subkey.KeyValue) > 0 {
		if _, err := crypto.GetEtype(part.Subkey.KeyType); err != nil || len(part.Subkey.KeyValue) == 0 {
			return fmt.Errorf("unusable subkey of type %d", part.Subkey.KeyType)
		}
		a.acceptorSubkey = part.Subkey
	}
	return nil
}

// contextKey is the key the security context established (RFC 4121
// section 2): the acceptor's subkey from the AP-REP when it sent one, else
// the initiator's subkey from the authenticator, else the ticket's session
// key.
func (a *Authenticator) contextKey() types.EncryptionKey {
	if len(a.acceptorSubkey.KeyValue) > 0 {
		return a.acceptorSubkey
	}
	return a.initiatorKey()
}

// SessionKey returns the raw context key once mutual authentication
// succeeded (nil before, or after any failure): SMB uses it directly (MS-SMB2 3.2.5.3.1: Session.SessionKey is
// its first 16 bytes, zero-padded; the AES-256 ciphers use all of it).
func (a *Authenticator) SessionKey() []byte {
	if !a.mutualDone || a.failed {
		return nil
	}
	return clone(a.contextKey().KeyValue)
}

// Anonymous is always false: Kerberos names a principal.
func (a *Authenticator) Anonymous() bool { return false }
