// Package peers drives the SMB clients the benchmark compares, behind one
// interface: smbfs (this project, used the way ordinary Go code uses a
// filesystem, with goroutines, and through the batch API once it lands),
// github.com/hirochachacha/go-smb2 v1.1.0, github.com/cloudsoda/go-smb2 and
// Samba's smbclient.
//
// It is a separate module so that the library's go.mod never depends on
// the peers. Every Session runs the same workload steps (upload, list,
// download and delete a set of files; stream one large file each way)
// against one share; a step a variant has no way of its own to do returns
// ErrNotMeasured, and a step waiting for an smbfs API that has not landed
// yet returns ErrPending.
package peers
