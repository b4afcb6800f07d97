package smbfs

import (
	"context"
	"errors"
	"sync"

	"github.com/smbfs/smbfs/pipeline"
	"github.com/smbfs/smbfs/protocol/wire"
)

// The FS operations that work on more than one name or a whole batch of
// them, through DFS links: Batch, Copy.

// runBatch runs a batch of operations (paths already mapped) where their
// names live. On a DFS share the operations are grouped by the share the
// referral cache puts them on, each group one pipelined batch; those that
// meet a link the cache did not know are then done one at a time through
// the resolver (which learns the link for the next batch).
func (fsys *FS) runBatch(ops []pipeline.Op) []pipeline.Result {
	ctx := fsys.context()
	home := fsys.m
	if !home.share.Tree().IsDFS() {
		return home.share.Batch(ctx, ops)
	}
	p := home.client.dfsPool()
	results := make([]pipeline.Result, len(ops))
	groups := make(map[*mount][]int)
	placed := make([]pipeline.Op, len(ops))
	for i, op := range ops {
		l, err := p.locate(ctx, home, op.Path)
		if err != nil {
			results[i].Err = err
			continue
		}
		op.Path = l.path
		if op.Kind == pipeline.OpRename {
			t, err := p.locate(ctx, home, op.Target)
			switch {
			case err != nil:
				results[i].Err = err
				continue
			case t.m != l.m:
				results[i].Err = crossTarget()
				continue
			}
			op.Target = t.path
		}
		placed[i] = op
		groups[l.m] = append(groups[l.m], i)
	}
	var wg sync.WaitGroup
	for m, idx := range groups {
		wg.Go(func() {
			batch := make([]pipeline.Op, len(idx))
			for j, i := range idx {
				batch[j] = placed[i]
			}
			for j, r := range m.share.Batch(ctx, batch) {
				results[idx[j]] = r
			}
		})
	}
	wg.Wait()
	for i, r := range results {
		if isStatus(r.Err, wire.StatusPathNotCovered) {
			results[i] = fsys.batchOne(ops[i])
		}
	}
	return results
}

// batchOne runs one batch operation alone, through the DFS resolver.
func (fsys *FS) batchOne(op pipeline.Op) pipeline.Result {
	ctx := fsys.context()
	var r pipeline.Result
	err := fsys.atWire(op.Path, func(l location) error {
		one := op
		one.Path = l.path
		if op.Kind == pipeline.OpRename {
			t, err := fsys.locateConfirmed(op.Target)
			switch {
			case err != nil:
				return err
			case t.m != l.m:
				return crossTarget()
			}
			one.Target = t.path
		}
		r = l.m.share.Batch(ctx, []pipeline.Op{one})[0]
		return r.Err
	})
	var re *resolveError
	if errors.As(err, &re) {
		err = re.err
	}
	r.Err = err
	return r
}

// copyAt copies the file at a to b: server-side on one share (see
// pipeline.Share.Copy), else by opening both and copying between the
// handles (server-side when both shares are on one connection, through
// the client otherwise).
func copyAt(ctx context.Context, a, b location, o pipeline.CopyOptions) (pipeline.CopyResult, error) {
	if a.m == b.m {
		return a.m.share.Copy(ctx, a.path, b.path, o)
	}
	src, err := a.m.share.Open(ctx, a.path, pipeline.OpenOptions{Access: pipeline.AccessRead, Disposition: pipeline.OpenExisting, Kind: pipeline.FileOnly})
	if err != nil {
		return pipeline.CopyResult{}, err
	}
	defer src.Close(context.WithoutCancel(ctx))
	dst, err := b.m.share.Open(ctx, b.path, pipeline.OpenOptions{Access: pipeline.AccessRead | pipeline.AccessWrite, Disposition: pipeline.OpenOrCreate, Kind: pipeline.FileOnly})
	if err != nil {
		return pipeline.CopyResult{}, err
	}
	res, err := dst.CopyFrom(ctx, src, 0, 0, -1, o)
	if err == nil {
		// Whatever an older, longer content held past the copy goes.
		err = dst.Truncate(ctx, res.Bytes)
	}
	if err != nil {
		_ = dst.Close(context.WithoutCancel(ctx))
		return res, err
	}
	return res, dst.Close(ctx)
}
