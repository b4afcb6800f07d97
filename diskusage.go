package smbfs

import "github.com/smbfs/smbfs/pipeline"

// DiskUsage is the capacity of the volume behind a share, in bytes.
type DiskUsage struct {
	// Total is the size of the volume.
	Total uint64
	// Free is the space the volume has left.
	Free uint64
	// Available is the space this user may still fill: Free less what
	// quotas or reserved blocks keep from the user (df's "Avail").
	Available uint64
}

// DiskUsage reports the size and free space of the volume holding the FS
// root, as the server reports it (FileFsFullSizeInformation, MS-FSCC 2.5;
// one round trip). Servers may round: Samba reports in its own allocation
// units, and a "dfree command" or quota can shape the numbers. It uses the
// FS's context (WithContext).
func (fsys *FS) DiskUsage() (DiskUsage, error) {
	var u pipeline.DiskUsage
	err := fsys.at("diskusage", ".", func(l location) (err error) {
		u, err = l.m.share.DiskUsage(fsys.context(), l.path)
		return err
	})
	if err != nil {
		return DiskUsage{}, pathErr("diskusage", ".", err)
	}
	return DiskUsage(u), nil
}
