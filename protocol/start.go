package protocol

import "context"

// Call is a request (or compound chain) on its way: Start sends it without
// waiting, Wait collects the responses. Starting many calls before waiting
// for any puts them all in flight at once.
type Call struct {
	c  *Conn
	ex *exchange
}

// Start sends reqs like SendWithCleanup but returns as soon as they are
// queued for the wire (it may wait for credits first). Wait collects the
// responses. If Wait gives up (its context ends), cleanup, if not nil, runs
// later with all the responses, as for SendWithCleanup.
func (c *Conn) Start(ctx context.Context, cleanup func([]*Response), reqs ...*Request) (*Call, error) {
	ex, err := c.send(ctx, reqs, cleanup)
	if err != nil {
		return nil, err
	}
	return &Call{c: c, ex: ex}, nil
}

// Wait blocks until every response of the call has arrived, ctx ends, or the
// server stays silent for Config.RequestTimeout — with the same semantics as
// Send. Every started Call must be waited for.
func (call *Call) Wait(ctx context.Context) ([]*Response, error) {
	return call.c.wait(ctx, call.ex)
}
