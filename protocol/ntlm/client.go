package ntlm

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"time"
)

// Client holds one NTLM authentication exchange, from NEGOTIATE_MESSAGE to
// the session key and message signatures. Set the exported fields, then call
// Negotiate and Authenticate once each, in that order. A Client is not safe
// for concurrent use and cannot be reused for a second exchange.
type Client struct {
	// User, Password and Domain are the credentials. Domain may be empty
	// for a local account. With User and Password both empty (and no
	// NTHash) the exchange is anonymous.
	User, Password, Domain string
	// Workstation is the client's NetBIOS name sent to the server; optional.
	Workstation string
	// NTHash, when non-nil, is the 16-byte NT hash (NTOWFv1, MS-NLMP 3.3.1)
	// used instead of Password.
	NTHash []byte
	// TargetName is the service principal name sent as MsvAvTargetName,
	// e.g. "cifs/server.example.com"; empty sends none.
	TargetName string
	// Flags are the flags offered in the NEGOTIATE_MESSAGE; zero means
	// DefaultFlags. FlagUnicode is always added.
	Flags NegotiateFlags
	// Rand supplies the client challenge and the random session key; nil
	// means crypto/rand. Tests inject fixed bytes.
	Rand io.Reader
	// Now gives the time for the NTLMv2 response when the server sends no
	// MsvAvTimestamp; nil means time.Now.
	Now func() time.Time

	negotiateMsg []byte     // exact bytes sent, input to the MIC
	challenge    *Challenge // parsed server challenge
	done         bool       // Authenticate has succeeded
	negotiated   NegotiateFlags
	sessionKey   []byte // ExportedSessionKey; nil when anonymous
	micPresent   bool
	toServer     *direction // client signing state; nil without ESS or key
	fromServer   *direction // server signing state
}

// Anonymous reports whether the Client performs anonymous authentication
// (MS-NLMP 3.2.5.1.2): empty User and Password and no NTHash.
func (c *Client) Anonymous() bool {
	return c.User == "" && c.Password == "" && c.NTHash == nil
}

func (c *Client) offeredFlags() NegotiateFlags {
	f := c.Flags
	if f == 0 {
		f = DefaultFlags
	}
	return f | FlagUnicode
}

// Negotiate returns the NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1) that opens the
// exchange. The Client keeps its own copy of these bytes for the MIC.
func (c *Client) Negotiate() ([]byte, error) {
	if c.negotiateMsg != nil {
		return nil, fmt.Errorf("%w: Negotiate called twice", ErrState)
	}
	if c.NTHash != nil && len(c.NTHash) != 16 {
		return nil, fmt.Errorf("ntlm: NTHash has %d bytes, want 16", len(c.NTHash))
	}
	c.negotiateMsg = marshalNegotiate(c.offeredFlags(), clientVersion)
	return bytes.Clone(c.negotiateMsg), nil
}

// Authenticate parses the server's CHALLENGE_MESSAGE and returns the
// AUTHENTICATE_MESSAGE (MS-NLMP 3.1.5.1.2) with an NTLMv2 response.
//
// The flags sent back are those offered that the server also set, plus
// REQUEST_TARGET if offered (a request, which servers need not echo). When
// the challenge carries MsvAvTimestamp, that time goes into the response,
// the LM response is 24 zero bytes, MsvAvFlags announces a MIC and the MIC
// is computed over all three messages; otherwise the current time and an
// LMv2 response are used and no MIC is sent. With KEY_EXCH negotiated the
// session key is a random one, sent RC4-encrypted under the key exchange key.
func (c *Client) Authenticate(challengeMsg []byte) ([]byte, error) {
	if c.negotiateMsg == nil {
		return nil, fmt.Errorf("%w: Authenticate called before Negotiate", ErrState)
	}
	if c.done {
		return nil, fmt.Errorf("%w: Authenticate called twice", ErrState)
	}
	ch, err := ParseChallenge(challengeMsg)
	if err != nil {
		return nil, err
	}
	if ch.Flags&FlagUnicode == 0 {
		return nil, fmt.Errorf("%w: server did not select NTLMSSP_NEGOTIATE_UNICODE", ErrUnsupported)
	}
	offered := c.offeredFlags()
	flags := offered&ch.Flags | offered&FlagRequestTarget

	var out []byte
	if c.Anonymous() {
		out, err = c.anonymousAuthenticate(flags)
	} else {
		out, err = c.ntlmv2Authenticate(flags, ch, challengeMsg)
	}
	if err != nil {
		return nil, err
	}
	c.challenge = ch
	c.done = true
	return out, nil
}

// anonymousAuthenticate builds the anonymous AUTHENTICATE_MESSAGE of
// MS-NLMP 3.1.5.1.2/3.2.5.1.2: no NT response, an LM response of one zero
// byte, NTLMSSP_NEGOTIATE_ANONYMOUS, and no key exchange or MIC since there
// is no key to protect them with. KEY_EXCH is withdrawn because servers
// (Samba among them) reject KEY_EXCH without an encrypted session key.
func (c *Client) anonymousAuthenticate(flags NegotiateFlags) ([]byte, error) {
	flags = (flags | FlagAnonymous) &^ FlagKeyExch
	msg := authenticateMessage{
		flags:       flags,
		lmResponse:  []byte{0},
		domain:      c.Domain,
		workstation: c.Workstation,
		version:     clientVersion,
	}
	out, err := msg.marshal()
	if err != nil {
		return nil, err
	}
	c.negotiated = flags
	return out, nil
}

func (c *Client) ntlmv2Authenticate(flags NegotiateFlags, ch *Challenge, challengeMsg []byte) ([]byte, error) {
	random := c.Rand
	if random == nil {
		random = rand.Reader
	}
	hash := c.NTHash
	if hash == nil {
		hash = ntHash(c.Password)
	}
	responseKey := ntowfv2(hash, c.User, c.Domain)

	var clientChallenge [8]byte
	if _, err := io.ReadFull(random, clientChallenge[:]); err != nil {
		return nil, fmt.Errorf("ntlm: reading client challenge: %w", err)
	}

	// MS-NLMP 3.1.5.1.2: the server's timestamp, when present, is the time
	// of the response and the client SHOULD then send a MIC.
	var timestamp [8]byte
	serverTime, withMIC := ch.Lookup(AvTimestamp)
	if withMIC {
		copy(timestamp[:], serverTime)
	} else {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		le.PutUint64(timestamp[:], filetime(now()))
	}

	pairs, err := clientAVPairs(ch.AVPairs, withMIC, c.TargetName)
	if err != nil {
		return nil, err
	}
	temp := ntlmv2ClientChallenge(timestamp, clientChallenge, appendAVPairs(nil, pairs))
	ntResponse, sessionBaseKey := ntlmv2Response(responseKey, ch.ServerChallenge, temp)

	// MS-NLMP 3.3.2: with a server timestamp the LM response is Z(24)
	// instead of LMv2, as it would add nothing the NT response lacks.
	lmResponse := make([]byte, 24)
	if !withMIC {
		lmResponse = lmv2Response(responseKey, ch.ServerChallenge, clientChallenge)
	}

	// MS-NLMP 3.1.5.1.2 / 3.4.5.1: for NTLMv2 KeyExchangeKey is the
	// SessionBaseKey; with KEY_EXCH the exported key is a fresh random one.
	exportedKey := sessionBaseKey
	var encryptedKey []byte
	if flags&FlagKeyExch != 0 {
		exportedKey = make([]byte, 16)
		if _, err := io.ReadFull(random, exportedKey); err != nil {
			return nil, fmt.Errorf("ntlm: reading random session key: %w", err)
		}
		encryptedKey = rc4Encrypt(sessionBaseKey, exportedKey)
	}

	msg := authenticateMessage{
		flags:        flags,
		lmResponse:   lmResponse,
		ntResponse:   ntResponse,
		domain:       c.Domain,
		user:         c.User,
		workstation:  c.Workstation,
		encryptedKey: encryptedKey,
		version:      clientVersion,
		withMIC:      withMIC,
	}
	out, err := msg.marshal()
	if err != nil {
		return nil, err
	}
	if withMIC {
		// MS-NLMP 3.1.5.1.2: HMAC_MD5(ExportedSessionKey, NEGOTIATE ||
		// CHALLENGE || AUTHENTICATE) over the exact bytes exchanged, with
		// the MIC field still zero.
		mic := hmacMD5(exportedKey, c.negotiateMsg, challengeMsg, out)
		copy(out[authMICOff:authMICOff+micLen], mic)
	}

	c.negotiated = flags
	c.sessionKey = exportedKey
	c.micPresent = withMIC
	if flags&FlagExtendedSessionSecurity != 0 {
		c.toServer = newDirection(flags, exportedKey, clientSignMagic, clientSealMagic)
		c.fromServer = newDirection(flags, exportedKey, serverSignMagic, serverSealMagic)
	}
	return out, nil
}

// filetime converts t to a FILETIME: 100-nanosecond intervals since
// 1601-01-01 UTC. Times before 1601 become 0.
func filetime(t time.Time) uint64 {
	const secondsFrom1601To1970 = 11644473600
	s := t.Unix() + secondsFrom1601To1970
	if s < 0 {
		return 0
	}
	return uint64(s)*10_000_000 + uint64(t.Nanosecond()/100)
}

// SessionKey returns a copy of the exported session key (MS-NLMP 3.1.5.1.2:
// the random key under KEY_EXCH, else the key exchange key), 16 bytes. It is
// nil before Authenticate and for anonymous authentication.
func (c *Client) SessionKey() []byte {
	return bytes.Clone(c.sessionKey)
}

// MICPresent reports whether the AUTHENTICATE_MESSAGE carried a MIC (and
// MsvAvFlags said so). A server then requires a SPNEGO mechListMIC.
func (c *Client) MICPresent() bool {
	return c.micPresent
}

// NegotiatedFlags returns the flags sent in the AUTHENTICATE_MESSAGE, zero
// before Authenticate.
func (c *Client) NegotiatedFlags() NegotiateFlags {
	return c.negotiated
}

// Challenge returns the server's parsed CHALLENGE_MESSAGE after a successful
// Authenticate (for its names and version), else nil.
func (c *Client) Challenge() *Challenge {
	return c.challenge
}

// Sign returns the NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP 3.4.4.2, extended
// session security) of msg for the client-to-server direction and advances
// that direction's sequence number and RC4 state. The first call signs with
// sequence number 0, as the SPNEGO mechListMIC needs.
func (c *Client) Sign(msg []byte) ([]byte, error) {
	if err := c.checkSessionSecurity(); err != nil {
		return nil, err
	}
	sig := c.toServer.sign(c.negotiated&FlagKeyExch != 0, msg)
	return sig[:], nil
}

// Verify checks sig, a server-to-client NTLMSSP_MESSAGE_SIGNATURE over msg,
// against the next expected sequence number (0 for the first call). The
// state advances only when the signature is valid. A mismatch wraps
// ErrBadSignature.
func (c *Client) Verify(msg, sig []byte) error {
	if err := c.checkSessionSecurity(); err != nil {
		return err
	}
	return c.fromServer.verify(c.negotiated&FlagKeyExch != 0, msg, sig)
}

func (c *Client) checkSessionSecurity() error {
	switch {
	case !c.done:
		return fmt.Errorf("%w: signing before Authenticate", ErrState)
	case c.sessionKey == nil:
		return ErrNoSessionKey
	case c.toServer == nil:
		return ErrNoSessionSecurity
	}
	return nil
}
