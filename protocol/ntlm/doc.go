// Package ntlm implements the client side of NTLMv2 authentication as
// specified in [MS-NLMP], in the form SMB2 SESSION_SETUP uses it: the three
// NTLMSSP messages carried inside SPNEGO tokens, the exported session key that
// SMB derives its signing and encryption keys from, and the NTLM message
// signature that SPNEGO needs for its mechListMIC.
//
// The package does no I/O. A [Client] holds the state of one authentication
// exchange; create a new one for every session setup.
//
// # Flow with SPNEGO (MS-SPNG, RFC 4178) in SMB2 SESSION_SETUP
//
//	c := &ntlm.Client{User: "alice", Password: pw, Domain: "WORKGROUP",
//		TargetName: "cifs/" + host}
//	neg, _ := c.Negotiate()                                   // NEGOTIATE_MESSAGE
//	mechs := []asn1.ObjectIdentifier{spnego.OIDNTLMSSP}
//	init, _ := spnego.EncodeNegTokenInit(mechs, neg)          // first SESSION_SETUP
//	// server: STATUS_MORE_PROCESSING_REQUIRED, NegTokenResp{accept-incomplete, CHALLENGE}
//	resp, _ := spnego.DecodeNegTokenResp(buf)
//	auth, _ := c.Authenticate(resp.ResponseToken)             // AUTHENTICATE_MESSAGE
//	out := spnego.NegTokenResp{ResponseToken: auth}
//	list, _ := spnego.MechTypesBytes(mechs)                   // the MechTypeList as sent
//	if c.MICPresent() {
//		out.MechListMIC, _ = c.Sign(list)                     // client->server, seq 0
//	}
//	tok, _ := spnego.EncodeNegTokenResp(out)                  // second SESSION_SETUP
//	// server: STATUS_SUCCESS, NegTokenResp{accept-completed, mechListMIC}
//	fin, _ := spnego.DecodeNegTokenResp(buf)
//	if fin.MechListMIC != nil {
//		err = c.Verify(list, fin.MechListMIC)                 // server->client, seq 0
//	}
//	key := c.SessionKey() // input to the SMB2/SMB3 key derivation (MS-SMB2 3.2.5.3.1)
//
// A Client with an empty User and Password (and no NTHash) performs anonymous
// authentication (MS-NLMP 3.2.5.1.2): it sends no NT response, carries no MIC
// and has no session key, so the SMB session cannot be signed.
//
// Only NTLMv2 is implemented; LM and NTLMv1 responses are never sent.
package ntlm
