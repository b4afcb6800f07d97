package smbfs_test

import (
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/hack-pad/hackpadfs"
	hackfstest "github.com/hack-pad/hackpadfs/fstest"

	"github.com/smbfs/smbfs"
)

// *FS satisfies hackpadfs's interfaces structurally: hackpadfs.File is
// fs.File and hackpadfs.FileMode is fs.FileMode, so no adapter is needed.
var (
	_ hackpadfs.OpenFileFS  = (*smbfs.FS)(nil)
	_ hackpadfs.CreateFS    = (*smbfs.FS)(nil)
	_ hackpadfs.MkdirFS     = (*smbfs.FS)(nil)
	_ hackpadfs.MkdirAllFS  = (*smbfs.FS)(nil)
	_ hackpadfs.RemoveFS    = (*smbfs.FS)(nil)
	_ hackpadfs.RemoveAllFS = (*smbfs.FS)(nil)
	_ hackpadfs.RenameFS    = (*smbfs.FS)(nil)
	_ hackpadfs.StatFS      = (*smbfs.FS)(nil)
	_ hackpadfs.LstatFS     = (*smbfs.FS)(nil)
	_ hackpadfs.ChmodFS     = (*smbfs.FS)(nil)
	_ hackpadfs.ChtimesFS   = (*smbfs.FS)(nil)
	_ hackpadfs.ReadDirFS   = (*smbfs.FS)(nil)
	_ hackpadfs.ReadFileFS  = (*smbfs.FS)(nil)
	_ hackpadfs.WriteFileFS = (*smbfs.FS)(nil)
	_ hackpadfs.SubFS       = (*smbfs.FS)(nil)
	_ hackpadfs.ChownFS     = (*smbfs.FS)(nil)

	// The file type has every optional hackpadfs file interface but the
	// per-file Chmod/Chown/Chtimes.
	_ hackpadfs.ReadWriterFile = (*smbfs.File)(nil)
	_ hackpadfs.ReaderAtFile   = (*smbfs.File)(nil)
	_ hackpadfs.WriterAtFile   = (*smbfs.File)(nil)
	_ hackpadfs.DirReaderFile  = (*smbfs.File)(nil)
	_ hackpadfs.SeekerFile     = (*smbfs.File)(nil)
	_ hackpadfs.SyncerFile     = (*smbfs.File)(nil)
	_ hackpadfs.TruncaterFile  = (*smbfs.File)(nil)
)

// hackpadSkips are the hackpadfs/fstest cases that do not run, by full test
// name, each with its reason. Every entry must actually be skipped (checked
// below), so the table cannot go stale.
var hackpadSkips = map[string]string{
	"TestHackpadFS/smbfs_FS/fs.Chmod/change_symlink_target_permission_bits": "needs a hackpadfs.SymlinkFS (fstest would skip it itself otherwise): smbfs does not create symbolic links, which SMB2 knows only as reparse points set by FSCTL",
}

// hackpadFS is the FS under test as fstest sees it. It is *smbfs.FS with
// one change, the same one hackpadfs's own os adapter makes: Rename's
// *os.LinkError becomes a *hackpadfs.LinkError, the type fstest insists on
// (hackpadfs defines its own to avoid importing os). smbfs keeps returning
// *os.LinkError, as os.Rename does and issue 2 requires.
type hackpadFS struct{ *smbfs.FS }

// Rename is smbfs's Rename with the error's type converted.
func (h hackpadFS) Rename(oldname, newname string) error {
	err := h.FS.Rename(oldname, newname)
	var le *os.LinkError
	if errors.As(err, &le) {
		return &hackpadfs.LinkError{Op: le.Op, Old: le.Old, New: le.New, Err: le.Err}
	}
	return err
}

func TestHackpadFS(t *testing.T) {
	t.Parallel()
	share := dial(t, servers.main, "public", nil)
	root := scratch(t, share)

	// fstest's TestData is computed before its parallel subtests run, so
	// the skips are recorded here: those ShouldSkip decides, and those a
	// case decides itself after asking for its FS.
	var mu sync.Mutex
	skipped := map[string]bool{}
	record := func(name string) {
		mu.Lock()
		skipped[name] = true
		mu.Unlock()
	}
	options := hackfstest.FSOptions{
		Name: "smbfs",
		// Every case gets a fresh directory on the real share.
		TestFS: func(tb testing.TB) hackfstest.SetupFS {
			tb.Cleanup(func() {
				if tb.Skipped() {
					record(tb.Name())
				}
			})
			return hackpadFS{scratch(tb, root)}
		},
		Constraints: hackfstest.Constraints{
			// SMB has no permission bits, only the read-only attribute,
			// which maps to the owner-write bit: the mask hackpadfs uses
			// for Windows.
			FileModeMask: 0o200,
		},
		ShouldSkip: func(f hackfstest.Facets) bool {
			if _, ok := hackpadSkips[f.Name]; ok {
				record(f.Name)
				return true
			}
			return false
		},
	}
	hackfstest.FS(t, options)
	hackfstest.File(t, options)
	t.Cleanup(func() {
		// Cleanups run after the parallel subtests have finished.
		for name := range skipped {
			if _, ok := hackpadSkips[name]; !ok {
				t.Errorf("%s was skipped but is not in hackpadSkips", name)
			}
		}
		for name := range hackpadSkips {
			if !skipped[name] {
				t.Errorf("hackpadSkips lists %s, which ran (or no longer exists)", name)
			}
		}
	})
}
