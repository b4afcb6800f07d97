// Package krb5auth authenticates SMB2 sessions with Kerberos V5 (RFC 4120)
// inside SPNEGO (RFC 4178), using github.com/jcmturner/gokrb5 for the KDC
// exchanges and the Kerberos cryptography.
//
// An [Initiator] holds the configuration (krb5.conf, realm, KDCs), the
// credential source (password, keytab or credential cache) and the
// server's service principal, "cifs/<host>"; it makes one [Authenticator]
// per SESSION_SETUP, which implements protocol.Authenticator:
//
//	in, err := krb5auth.New(krb5auth.Config{SPN: "cifs/fs1.example.com", User: "alice", Password: pw})
//	…
//	sess, err := conn.SessionSetup(ctx, in.NewAuthenticator())
//
// The AP-REQ asks for mutual authentication, and the session is only
// accepted once the server's AP-REP decrypts with the ticket's session key
// and echoes the authenticator's timestamp. The SMB session key is the
// Kerberos context key (RFC 4121 section 2): the AP-REP's subkey when the
// server sent one (MS-KILE 3.1.1.2), else the subkey this client put in its
// authenticator, else the ticket's session key. protocol then derives the
// signing and encryption keys from it (MS-SMB2 3.2.5.3.1).
//
// The package lives apart from protocol so that programs using only NTLM do
// not link gokrb5.
package krb5auth
