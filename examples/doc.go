// Package examples holds small programs that use smbfs, one per directory;
// examples_test.go builds each and runs it against a private Samba, so they
// keep working. Each takes a smb:// URL as its argument, or
// $SMBFS_TEST_URL (set by fstest/cmd/smbtestserver) without one, and the
// password from $SMB_PASSWORD when the URL names a user:
//
//	read       dial, list the share and read a file (fs.ReadDir, fs.ReadFile)
//	write      write, append, stream, rename and remove files
//	walk       print a tree with fs.WalkDir
//	watch      receive change notifications (FS.Watch)
//	httpserve  serve a share with http.FileServerFS
//	batch      many small operations in one round trip (FS.Batch)
//	afero      use a share through afero.Fs
//	hackpadfs  use a share through hackpadfs
//	demo       the guided tour "make demo" runs
//	stream     stream a large file up and down with progress
package examples
