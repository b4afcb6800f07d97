// Command smbfs works with files on SMB 2/3 shares (Windows, Samba, NAS)
// from the shell: list, read, copy in and out with progress bars, move,
// remove, watch for changes, list shares, report disk space, serve a
// share over HTTP and measure throughput.
//
//	smbfs ls -l smb://alice@fileserver/projects/2026
//	smbfs get -r smb://alice@fileserver/projects/2026/report .
//	smbfs put big.iso smb://alice@fileserver/projects/incoming/
//	smbfs serve --addr :8080 smb://fileserver/public
//
// Targets are URLs of the form smb://[domain;]user@host[:port]/share/path;
// without a user the session logs in as guest. The password never needs
// to be on the command line: it comes from $SMB_PASSWORD, from the first
// line of standard input with --password-stdin, or from a prompt on the
// terminal (no echo). A password in the URL still works but draws a
// warning, since other users can read command lines.
//
// Exit status: 0 on success, 1 when an operation failed, 2 for a usage
// error, 130 when interrupted. Run "smbfs help" for the commands and
// "smbfs help COMMAND" (or "smbfs COMMAND -h") for one.
package main

import (
	"os"
)

func main() {
	os.Exit(newApp(os.Stdin, os.Stdout, os.Stderr, os.Getenv).run(os.Args[1:]))
}
