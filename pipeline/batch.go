package pipeline

import (
	"context"
	"fmt"

	"github.com/smbfs/smbfs/protocol"
)

// OpKind names an operation of a batch.
type OpKind int

// Batch operations.
const (
	OpReadFile  OpKind = iota + 1 // Result.Data
	OpWriteFile                   // Op.Data, Op.Attributes
	OpStat                        // Result.Attr
	OpRemove                      //
	OpRename                      // Op.Target
	OpMkdir                       // Op.Attributes
	OpListDir                     // Result.Entries, Result.Attr
)

// Op is one operation of a batch, on SMB paths.
type Op struct {
	Kind       OpKind
	Path       string
	Target     string // OpRename: the new path
	Data       []byte // OpWriteFile
	Attributes uint32 // OpWriteFile, OpMkdir: attributes of what is created
	NoFollow   bool   // OpStat: do not follow a final reparse point
}

// maxBatchInFlight bounds the operations of one batch that are sent but not
// yet collected, and so the response memory a batch holds.
const maxBatchInFlight = 256

// Batch runs ops, sending each before waiting for any — each operation is
// one compound chain, and up to 256 chains are in flight at once (credits
// permitting) — and returns their results in order. One failing operation
// never fails the others. Operations on the same path are not ordered
// against each other: put dependent operations in separate batches.
func (s *Share) Batch(ctx context.Context, ops []Op) []Result {
	results := make([]Result, len(ops))
	plans := make([]plan, len(ops))
	calls := make([]*protocol.Call, len(ops))
	next := 0 // the oldest operation not yet collected
	collect := func(i int) {
		if calls[i] != nil {
			results[i] = s.complete(ctx, calls[i], plans[i], &retries{})
			calls[i] = nil
		}
	}
	for i, op := range ops {
		p, err := s.planFor(op)
		if err != nil {
			results[i].Err = err
			continue
		}
		plans[i] = p
		t := s.tree.current()
		if calls[i], err = s.start(ctx, p); err != nil {
			if isConnLoss(t, err) && s.canReconnect() && !p.once {
				// The connection broke under the batch: this one
				// reconnects and runs on its own, the rest follow.
				results[i] = s.run(ctx, p)
			} else {
				results[i].Err = err
			}
		}
		for ; i-next >= maxBatchInFlight; next++ {
			collect(next)
		}
	}
	for ; next < len(ops); next++ {
		collect(next)
	}
	return results
}

// planFor returns the compound plan of op.
func (s *Share) planFor(op Op) (plan, error) {
	switch op.Kind {
	case OpReadFile:
		return s.planReadFile(op.Path), nil
	case OpWriteFile:
		return s.planWriteFile(op.Path, op.Data, op.Attributes), nil
	case OpStat:
		return s.planStat(op.Path, op.NoFollow), nil
	case OpRemove:
		return s.planRemove(op.Path), nil
	case OpRename:
		return s.planRename(op.Path, op.Target, true), nil
	case OpMkdir:
		return s.planMkdir(op.Path, op.Attributes), nil
	case OpListDir:
		return s.planListDir(op.Path), nil
	}
	return plan{}, fmt.Errorf("batch: unknown operation kind %d", op.Kind)
}
