// Package protocol is an SMB 2/3 client connection: the layer below the
// io/fs view of package smbfs, for programs that need the protocol itself.
//
// A Conn is one TCP connection after NEGOTIATE (Dial); SessionSetup
// authenticates on it with an Authenticator (NewNTLMAuthenticator, or
// protocol/krb5auth for Kerberos) and returns a Session; Session.TreeConnect
// returns a Tree for one share. Requests are the message types of package
// protocol/wire:
//
//	conn, err := protocol.Dial(ctx, "fileserver:445", nil)
//	sess, err := conn.SessionSetup(ctx, protocol.NewNTLMAuthenticator("CORP", "alice", pw))
//	tree, err := sess.TreeConnect(ctx, "projects")
//	resp, err := tree.Do(ctx, &wire.CreateRequest{Name: `reports\q3.pdf`, ...})
//
// Tree.Compound sends a related compound chain in one frame;
// Conn.Start/Call.Wait put many requests in flight before waiting for any.
//
// One goroutine reads the socket and routes each response by MessageId to
// the request waiting for it; one goroutine writes whole frames. Everything
// a request needs on the way out — credits and MessageIds, CreditCharge,
// compound padding, signing (HMAC-SHA256, AES-CMAC, AES-GMAC), compression
// (LZ4) and encryption (AES-CCM/GCM) — happens in one place, Conn.send, and
// everything on the way in — decryption, decompression, signature checks,
// credit banking, interim STATUS_PENDING — in the reader. A request that
// fails gets a *StatusError (the connection lives on); a connection that
// fails gives every waiter a *ConnectionError. Liveness (ECHO probes, a
// dead server declared after Config.DeadAfter of silence) and the other
// timeouts are in Config.
package protocol
