// Package krb5test holds smbfs's Kerberos integration tests. TestMain
// starts a throwaway Samba AD DC (fstest/addc) in its own network
// namespace; the tests log in to its file shares with a password, a keytab
// and a credential cache, move data with signing and with encryption, and
// check that refused logins (wrong password, unknown user, wrong realm,
// clock skew) fail quickly with a clear error. They live in a package of
// their own so that they run in parallel with the other packages' tests.
package krb5test
