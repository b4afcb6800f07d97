// Package spnego encodes and decodes the SPNEGO tokens (RFC 4178, with the
// Microsoft extensions of MS-SPNG) that SMB2 carries in the security buffers
// of NEGOTIATE and SESSION_SETUP. It is pure DER handling: no I/O and no
// mechanism logic.
//
// Decoders accept only DER (definite, shortest-form lengths, components in
// order, nothing after the token) and return errors wrapping [ErrMalformed]
// for anything else; they never panic. Unknown components after the last
// defined one are skipped, as RFC 4178's extension markers require.
//
// # Flow with NTLM in SMB2 SESSION_SETUP
//
// The server's NEGOTIATE response usually holds a NegTokenInit2 listing its
// mechanisms; check it offers NTLMSSP:
//
//	hint, err := spnego.DecodeNegTokenInit(negotiateResp.SecurityBuffer)
//	if err == nil && !hint.Supports(spnego.OIDNTLMSSP) { /* no common mechanism */ }
//
// Then, with an ntlm.Client c:
//
//	mechs := []asn1.ObjectIdentifier{spnego.OIDNTLMSSP}
//	neg, _ := c.Negotiate()
//	tok, _ := spnego.EncodeNegTokenInit(mechs, neg)       // SESSION_SETUP #1
//
//	resp, _ := spnego.DecodeNegTokenResp(reply1)          // accept-incomplete
//	auth, _ := c.Authenticate(resp.ResponseToken)
//	out := spnego.NegTokenResp{ResponseToken: auth}
//	list, _ := spnego.MechTypesBytes(mechs)               // exactly as sent in #1
//	if c.MICPresent() || (resp.HasNegState && resp.NegState == spnego.RequestMIC) {
//		out.MechListMIC, _ = c.Sign(list)
//	}
//	tok, _ = spnego.EncodeNegTokenResp(out)               // SESSION_SETUP #2
//
//	fin, _ := spnego.DecodeNegTokenResp(reply2)           // accept-completed
//	if fin.MechListMIC != nil {
//		err = c.Verify(list, fin.MechListMIC)
//	}
//
// The mechListMIC protects the mechanism list against downgrade (RFC 4178
// section 5); it is computed over the DER MechTypeList that the client sent,
// which [MechTypesBytes] returns byte for byte.
package spnego
