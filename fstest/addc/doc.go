// Package addc starts a throwaway Samba Active Directory domain controller
// for Kerberos tests: a KDC, LDAP and SMB file shares in one "samba"
// process tree, inside a network namespace of its own, reachable from the
// test process over a veth pair.
//
//	dc, err := addc.Start(ctx, addc.Config{})
//	defer dc.Stop()
//	// dc.Addr() is the DC's SMB address (10.x.y.z:445), dc.FQDN() its host
//	// name (the SPN is cifs/<FQDN>), dc.KRB5Conf() a krb5.conf naming its
//	// KDC, dc.User() the test account.
//
// Start provisions a fresh domain (samba-tool domain provision), creates
// the test user, writes a client krb5.conf and starts samba in a new
// network and mount namespace (unshare). Inside that mount namespace a
// private directory is bind-mounted over /run/samba (libwbclient has the
// winbindd socket path compiled in) and private files over
// /etc/resolv.conf and /etc/hosts; the host's files are never changed.
// The DC is ready when a Kerberos SMB session made by Samba's own
// smbclient succeeds (smbd answers NT_STATUS_INTERNAL_ERROR until winbindd
// is up).
//
// Stop ends every process in the namespace (the namespace and the veth
// pair vanish with the last one), and removes the directory. If the test
// binary dies without calling Stop, samba gets SIGTERM from the kernel
// (Pdeathsig), and the next Start removes what a dead run left behind:
// processes, veth pair and directory.
//
// Everything needs root (namespaces, veth, bind mounts) and the Debian
// packages samba-ad-dc, krb5-user, winbind and smbclient
// (scripts/ensure-addc.sh installs them); a missing one is an error
// (ErrNotInstalled), never a skip.
package addc
