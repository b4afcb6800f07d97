package smbfs

import "github.com/smbfs/smbfs/pipeline"

// CopyForTest is FS.Copy with explicit options (to force the client-side
// fallback, or start from limits above the server's) that also reports how
// the copy went.
func (fsys *FS) CopyForTest(src, dst string, o pipeline.CopyOptions) (pipeline.CopyResult, error) {
	return fsys.copyFile(src, dst, o)
}
