package pipeline

import (
	"context"
	"sync/atomic"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// liveTree is the tree connect a Share currently uses. After a reconnect it
// points at the new tree; every request looks it up when it is made, so
// code holding the Share never sees the swap.
type liveTree struct {
	p atomic.Pointer[protocol.Tree]
}

// current returns the tree in use.
func (l *liveTree) current() *protocol.Tree { return l.p.Load() }

// Do sends body on the current tree (see protocol.Tree.Do).
func (l *liveTree) Do(ctx context.Context, body wire.Request) (*protocol.Response, error) {
	return l.current().Do(ctx, body)
}

// Compound sends a related chain on the current tree.
func (l *liveTree) Compound(ctx context.Context, cleanup func([]*protocol.Response), bodies ...wire.Request) ([]*protocol.Response, error) {
	return l.current().Compound(ctx, cleanup, bodies...)
}

// StartCompound starts a related chain on the current tree.
func (l *liveTree) StartCompound(ctx context.Context, cleanup func([]*protocol.Response), bodies ...wire.Request) (*protocol.Call, error) {
	return l.current().StartCompound(ctx, cleanup, bodies...)
}

// Request wraps body for the current tree.
func (l *liveTree) Request(body wire.Request) *protocol.Request { return l.current().Request(body) }

// Conn returns the current connection.
func (l *liveTree) Conn() *protocol.Conn { return l.current().Conn() }
