package peers

// The smbfs batch API and the streaming helpers, as the benchmark drives
// them.

import (
	"context"
	"fmt"
	"io"

	"github.com/smbfs/smbfs"
)

// batchUpload creates every file of ds in dir in one batch.
func batchUpload(ctx context.Context, fsys *smbfs.FS, dir string, ds *Dataset) error {
	ops := make([]smbfs.BatchOp, len(ds.Files))
	for i, f := range ds.Files {
		ops[i] = smbfs.WriteFileOp(join(dir, f.Name), f.Data, 0o644)
	}
	return firstErr(fsys.WithContext(ctx).Batch(ops...))
}

// batchList lists dir through the batch API.
func batchList(ctx context.Context, fsys *smbfs.FS, dir string) (int, error) {
	r := fsys.WithContext(ctx).Batch(smbfs.ReadDirOp(dir))
	return len(r[0].Entries), r[0].Err
}

// batchDownload reads every file of ds from dir in one batch.
func batchDownload(ctx context.Context, fsys *smbfs.FS, dir string, ds *Dataset) (int64, error) {
	ops := make([]smbfs.BatchOp, len(ds.Files))
	for i, f := range ds.Files {
		ops[i] = smbfs.ReadFileOp(join(dir, f.Name))
	}
	var total int64
	for i, r := range fsys.WithContext(ctx).Batch(ops...) {
		if r.Err != nil {
			return total, r.Err
		}
		if err := checkSize(ds.Files[i].Name, int64(len(r.Data)), int64(len(ds.Files[i].Data))); err != nil {
			return total, err
		}
		total += int64(len(r.Data))
	}
	return total, nil
}

// batchDelete removes every file of ds from dir in one batch.
func batchDelete(ctx context.Context, fsys *smbfs.FS, dir string, ds *Dataset) error {
	ops := make([]smbfs.BatchOp, len(ds.Files))
	for i, f := range ds.Files {
		ops[i] = smbfs.RemoveOp(join(dir, f.Name))
	}
	return firstErr(fsys.WithContext(ctx).Batch(ops...))
}

// helperDownload streams name into w with FS.Download.
func helperDownload(ctx context.Context, fsys *smbfs.FS, name string, w io.Writer) (int64, error) {
	return fsys.WithContext(ctx).Download(name, w)
}

// helperUpload streams src into name with FS.Upload.
func helperUpload(ctx context.Context, fsys *smbfs.FS, name string, src Source) error {
	n, err := fsys.WithContext(ctx).Upload(name, src.Open(), smbfs.WithSize(src.Size))
	if err == nil && n != src.Size {
		err = fmt.Errorf("%s: uploaded %d bytes of %d", name, n, src.Size)
	}
	return err
}

// firstErr returns the first failure of a batch.
func firstErr(rs []smbfs.BatchResult) error {
	for _, r := range rs {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}
