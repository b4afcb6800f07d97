package krb5auth

import (
	"fmt"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/smbfs/smbfs/protocol/spnego"
)

// cfxKey reports whether a key's type uses the RFC 4121 token format
// (AES). MIC tokens of the older RFC 1964/4757 enctypes (DES, RC4) have a
// different layout, which this package does not implement; servers only
// exchange mechListMICs for the newer ones (MS-SPNG 3.1.5.1).
func cfxKey(k types.EncryptionKey) bool {
	switch k.KeyType {
	case etypeID.AES128_CTS_HMAC_SHA1_96, etypeID.AES256_CTS_HMAC_SHA1_96,
		etypeID.AES128_CTS_HMAC_SHA256_128, etypeID.AES256_CTS_HMAC_SHA384_192:
		return true
	}
	return false
}

// verifyMechListMIC checks the acceptor's mechListMIC (RFC 4178 section 5):
// an RFC 4121 MIC token over the DER mechanism list the client sent, keyed
// with the acceptor subkey when the token says so, else the initiator's
// context key, and key usage KG-USAGE-ACCEPTOR-SIGN.
func (a *Authenticator) verifyMechListMIC(mic []byte) error {
	mechs, err := spnego.MechTypesBytes(offeredMechs)
	if err != nil {
		return err
	}
	var tok gssapi.MICToken
	if err := tok.Unmarshal(mic, true); err != nil {
		return err
	}
	key := a.initiatorKey()
	if tok.Flags&gssapi.MICTokenFlagAcceptorSubkey != 0 {
		if len(a.acceptorSubkey.KeyValue) == 0 {
			return fmt.Errorf("the MIC claims an acceptor subkey the AP-REP did not carry")
		}
		key = a.acceptorSubkey
	}
	if !cfxKey(key) {
		return fmt.Errorf("cannot verify a MIC keyed with encryption type %d", key.KeyType)
	}
	tok.Payload = mechs
	if ok, err := tok.Verify(key, keyusage.GSSAPI_ACCEPTOR_SIGN); !ok {
		return err
	}
	return nil
}

// mechListMIC returns the initiator's MIC token over the mechanism list
// (RFC 4121 section 4.2.6.1), keyed with the context key; its sequence
// number continues the one the authenticator announced.
func (a *Authenticator) mechListMIC() ([]byte, error) {
	mechs, err := spnego.MechTypesBytes(offeredMechs)
	if err != nil {
		return nil, err
	}
	key := a.contextKey()
	if !cfxKey(key) {
		return nil, fmt.Errorf("cannot make a MIC keyed with encryption type %d", key.KeyType)
	}
	tok := gssapi.MICToken{SndSeqNum: uint64(a.seq), Payload: mechs}
	if len(a.acceptorSubkey.KeyValue) > 0 {
		tok.Flags |= gssapi.MICTokenFlagAcceptorSubkey
	}
	if err := tok.SetChecksum(key, keyusage.GSSAPI_INITIATOR_SIGN); err != nil {
		return nil, err
	}
	return tok.Marshal()
}

// initiatorKey is the key of tokens that do not use the acceptor subkey:
// the initiator's subkey, else the ticket's session key (RFC 4121 section
// 2).
func (a *Authenticator) initiatorKey() types.EncryptionKey {
	if len(a.initSubkey.KeyValue) > 0 {
		return a.initSubkey
	}
	return a.ticket.sessionKey
}
