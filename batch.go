package smbfs

import (
	"io/fs"
	"os"
	"path"

	"github.com/smbfs/smbfs/pipeline"
)

// BatchOp is one operation of FS.Batch. Make them with ReadFileOp,
// WriteFileOp, StatOp, RemoveOp, RenameOp, MkdirOp and ReadDirOp.
type BatchOp struct {
	kind   pipeline.OpKind
	op     string // for errors: "readfile", "stat"...
	name   string
	target string
	data   []byte
	perm   fs.FileMode
}

// ReadFileOp reads a file (like FS.ReadFile); the result's Data holds it.
func ReadFileOp(name string) BatchOp {
	return BatchOp{kind: pipeline.OpReadFile, op: "readfile", name: name}
}

// WriteFileOp writes a file (like FS.WriteFile), flushed before the result
// is reported.
func WriteFileOp(name string, data []byte, perm fs.FileMode) BatchOp {
	return BatchOp{kind: pipeline.OpWriteFile, op: "writefile", name: name, data: data, perm: perm}
}

// StatOp stats a file (like FS.Stat); the result's Info describes it.
func StatOp(name string) BatchOp { return BatchOp{kind: pipeline.OpStat, op: "stat", name: name} }

// RemoveOp removes a file or an empty directory (like FS.Remove).
func RemoveOp(name string) BatchOp { return BatchOp{kind: pipeline.OpRemove, op: "remove", name: name} }

// RenameOp renames a file or directory (like FS.Rename).
func RenameOp(oldname, newname string) BatchOp {
	return BatchOp{kind: pipeline.OpRename, op: "rename", name: oldname, target: newname}
}

// MkdirOp creates a directory (like FS.Mkdir).
func MkdirOp(name string, perm fs.FileMode) BatchOp {
	return BatchOp{kind: pipeline.OpMkdir, op: "mkdir", name: name, perm: perm}
}

// ReadDirOp lists a directory (like FS.ReadDir); the result's Entries hold
// it, sorted by name.
func ReadDirOp(name string) BatchOp {
	return BatchOp{kind: pipeline.OpListDir, op: "readdir", name: name}
}

// BatchResult is the outcome of one BatchOp.
type BatchResult struct {
	Data    []byte        // ReadFileOp
	Info    fs.FileInfo   // StatOp
	Entries []fs.DirEntry // ReadDirOp
	// Err is nil on success, else an *fs.PathError (*os.LinkError for
	// RenameOp) like the single operation's.
	Err error
}

// Batch runs ops with every request in flight before it waits for any: each
// operation is one compounded round trip (CREATE+READ+CLOSE for a small
// ReadFileOp, and so on), and hundreds travel together, so a batch of small
// operations costs about one round trip plus transfer time. Results come
// back in the order of ops; one failing operation never fails the others.
// Operations in one batch are not ordered against each other: put an
// operation that depends on another (write, then rename) in a later batch.
func (fsys *FS) Batch(ops ...BatchOp) []BatchResult {
	results := make([]BatchResult, len(ops))
	pops := make([]pipeline.Op, 0, len(ops))
	index := make([]int, 0, len(ops)) // pops[j] is ops[index[j]]
	for i, op := range ops {
		p := pipeline.Op{Kind: op.kind, Data: op.data}
		var err error
		if _, p.Path, err = fsys.resolve(op.op, op.name); err != nil {
			results[i].Err = fsys.batchErr(op, err)
			continue
		}
		if op.kind == pipeline.OpRename {
			if _, p.Target, err = fsys.resolve(op.op, op.target); err != nil {
				results[i].Err = fsys.batchErr(op, err)
				continue
			}
		}
		if op.perm&0o200 == 0 && (op.kind == pipeline.OpWriteFile) {
			p.Attributes = pipeline.AttrReadOnly
		}
		pops = append(pops, p)
		index = append(index, i)
	}
	for j, r := range fsys.runBatch(pops) {
		i := index[j]
		op := ops[i]
		if r.Err != nil {
			results[i].Err = fsys.batchErr(op, r.Err)
			continue
		}
		switch op.kind {
		case pipeline.OpReadFile:
			results[i].Data = r.Data
		case pipeline.OpStat:
			results[i].Info = newFileInfo(path.Base(op.name), r.Attr)
		case pipeline.OpListDir:
			results[i].Entries = fsys.dirEntries(r.Entries)
		}
	}
	return results
}

// batchErr wraps err as the single operation would.
func (fsys *FS) batchErr(op BatchOp, err error) error {
	if op.kind == pipeline.OpRename {
		if le, ok := err.(*os.LinkError); ok {
			return le
		}
		if pe, ok := err.(*fs.PathError); ok {
			err = pe.Err
		}
		return &os.LinkError{Op: "rename", Old: op.name, New: op.target, Err: classify(err)}
	}
	return pathErr(op.op, op.name, err)
}
