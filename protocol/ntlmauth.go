package protocol

import (
	"encoding/asn1"
	"fmt"

	"github.com/smbfs/smbfs/protocol/ntlm"
	"github.com/smbfs/smbfs/protocol/spnego"
)

// ntlmAuthenticator runs NTLMv2 (MS-NLMP) inside SPNEGO (RFC 4178), the
// way Windows and Samba expect it in SESSION_SETUP.
type ntlmAuthenticator struct {
	client *ntlm.Client
	mechs  []asn1.ObjectIdentifier
}

// NewNTLMAuthenticator returns an Authenticator for NTLMv2 with the given
// credentials. Empty user and password make an anonymous (null session)
// login.
func NewNTLMAuthenticator(domain, user, password string) Authenticator {
	return &ntlmAuthenticator{
		client: &ntlm.Client{User: user, Password: password, Domain: domain},
		mechs:  []asn1.ObjectIdentifier{spnego.OIDNTLMSSP},
	}
}

// InitialToken wraps the NTLM NEGOTIATE_MESSAGE in a NegTokenInit.
func (a *ntlmAuthenticator) InitialToken(hint []byte) ([]byte, error) {
	neg, err := a.client.Negotiate()
	if err != nil {
		return nil, err
	}
	return spnego.EncodeNegTokenInit(a.mechs, neg)
}

// Continue answers the server's CHALLENGE_MESSAGE with the
// AUTHENTICATE_MESSAGE and, when the NTLM exchange carries a MIC, the SPNEGO
// mechListMIC over the mechanism list (RFC 4178 section 5): servers that see
// the MIC require it.
func (a *ntlmAuthenticator) Continue(serverToken []byte) ([]byte, error) {
	resp, err := spnego.DecodeNegTokenResp(serverToken)
	if err != nil {
		return nil, err
	}
	if resp.HasNegState && resp.NegState == spnego.Reject {
		return nil, fmt.Errorf("server rejected NTLM")
	}
	if len(resp.ResponseToken) == 0 {
		return nil, fmt.Errorf("server sent no NTLM challenge")
	}
	auth, err := a.client.Authenticate(resp.ResponseToken)
	if err != nil {
		return nil, err
	}
	out := spnego.NegTokenResp{ResponseToken: auth}
	if a.client.MICPresent() && a.client.SessionKey() != nil {
		mechList, err := spnego.MechTypesBytes(a.mechs)
		if err != nil {
			return nil, err
		}
		if out.MechListMIC, err = a.client.Sign(mechList); err != nil {
			return nil, err
		}
	}
	return spnego.EncodeNegTokenResp(out)
}

// Complete checks the server's final token: accept-completed and, if the
// server sent one, a valid mechListMIC (which protects the mechanism list
// against downgrade).
func (a *ntlmAuthenticator) Complete(serverToken []byte) error {
	if len(serverToken) == 0 {
		return nil
	}
	resp, err := spnego.DecodeNegTokenResp(serverToken)
	if err != nil {
		return err
	}
	if resp.HasNegState && resp.NegState != spnego.AcceptCompleted {
		return fmt.Errorf("server ended SPNEGO in state %v", resp.NegState)
	}
	if resp.MechListMIC != nil && a.client.SessionKey() != nil {
		mechList, err := spnego.MechTypesBytes(a.mechs)
		if err != nil {
			return err
		}
		if err := a.client.Verify(mechList, resp.MechListMIC); err != nil {
			return fmt.Errorf("SPNEGO mechListMIC: %w", err)
		}
	}
	return nil
}

// SessionKey returns the NTLM exported session key.
func (a *ntlmAuthenticator) SessionKey() []byte { return a.client.SessionKey() }

// Anonymous reports a null-session login.
func (a *ntlmAuthenticator) Anonymous() bool { return a.client.Anonymous() }
