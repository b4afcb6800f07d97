// Package samba starts private, throwaway Samba (smbd) instances for tests.
//
// Each [Server] lives in its own temporary directory: its smb.conf, every
// state/lock/cache/private directory, its password database, its logs and
// the directories it shares. It listens only on 127.0.0.1 at a port chosen
// for it, never on 445, and never reads or writes /etc/samba,
// /var/lib/samba, /var/cache/samba, /run/samba or /var/log/samba. Every
// Samba program is run with "-s <config>".
//
// Test users exist only inside the instance: smbd and the passdb tools run
// with nss_wrapper preloaded (LD_PRELOAD) and private passwd/group files
// (uids from 61001), so /etc/passwd is never touched. smbd must run as
// root, because it switches to the connecting user's uid for every file
// operation (files written by a user are owned by that uid on disk); as
// non-root it cannot, and [Start] refuses to try.
//
// A test usually calls [StartT] with one of the presets ([Main],
// [SigningMandatory], [EncryptRequired], [SmallIO], [SMB1Only]). Each preset
// groups the shares that need the same global-only smb.conf settings, so
// one instance serves a whole group of tests:
//
//	srv := samba.StartT(t, samba.Main())
//	u := samba.DefaultUser()
//	url := srv.URL("private", &u) // smb://smbuser:...@127.0.0.1:port/private
//
// Beyond that, [Server.Status] reports from the server side what a client
// negotiated (dialect, signing and encryption algorithms), and
// [Server.Smbclient] and [Server.Command] run Samba's own tools against
// the instance, for cross-checks.
//
// StartT stops the instance when the test ends and prints the tail of its
// logs if the test failed; with SMBFS_KEEP_LOGS=1 it keeps the directory
// and prints its path. If the test binary dies without cleaning up (a
// timeout, SIGKILL), smbd and samba-dcerpcd get SIGTERM from the kernel
// (Pdeathsig) and exit; only the temporary directory stays behind.
//
// smbd sets SO_REUSEPORT on its listening socket, so a second smbd can
// bind a port that is already served and the kernel then splits
// connections between the two. Start therefore checks that the port is
// free with a plain bind first and, once smbd listens, that every
// listening socket on the port belongs to this instance's own process tree
// (read from /proc); otherwise it stops and retries elsewhere, or, for an
// explicit Config.Port, fails with [ErrPortInUse].
//
// The harness needs Linux, root, smbd, pdbedit, samba-dcerpcd (for
// Config.RPC), smbclient (for Server.Smbclient) and libnss_wrapper:
// scripts/ensure-samba.sh installs them. A missing installation is an
// error ([ErrNoSamba]), never a skip.
package samba
