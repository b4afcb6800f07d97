package protocol

import (
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// Response is one response message as the server sent it (decrypted when it
// came encrypted). Msg holds the whole message, header included; decoders in
// package wire take it as is.
type Response struct {
	Header wire.Header
	Msg    []byte
	// Encrypted reports that the response arrived inside a TRANSFORM
	// header that authenticated it.
	Encrypted bool

	ref *frameRef // the pooled frame buffer Msg lives in, if any
}

// Release hands the frame buffer holding Msg back for reuse. Calling it is
// optional — an unreleased buffer is simply garbage collected — but a
// caller that moves a lot of data (READ responses) and is done with Msg
// spares the allocator and the collector. After Release, Msg and every
// slice decoded from it must not be used. Release is idempotent.
func (r *Response) Release() {
	if r.ref != nil {
		r.ref.release()
		r.ref = nil
	}
}

// Err returns nil when the status is STATUS_SUCCESS and a *StatusError
// otherwise. Warnings such as STATUS_BUFFER_OVERFLOW are errors here too;
// callers that can use a partial body check for them first.
func (r *Response) Err() error {
	if r.Header.Status == wire.StatusSuccess {
		return nil
	}
	return statusError(&r.Header, r.Msg)
}

// Decode checks the status and then decodes the body into v.
func (r *Response) Decode(v interface{ Decode([]byte) error }) error {
	if err := r.Err(); err != nil {
		return err
	}
	if err := v.Decode(r.Msg); err != nil {
		return &ConnectionError{Op: "decode " + r.Header.Command.String() + " response", Err: err}
	}
	return nil
}

// exchange is one frame's worth of requests (a single request or a compound
// chain) and the responses the reader collects for them. It completes when
// every part has its final response or the connection fails.
type exchange struct {
	calls     []*call
	remaining int           // guarded by Conn.mu
	done      chan struct{} // closed on completion or connection failure
	err       error         // connection failure, set before done closes
	abandoned bool          // guarded by Conn.mu: the waiter gave up
	// orphan, if set, runs (on its own goroutine) with the responses of an
	// abandoned exchange once they have all arrived, so that e.g. a handle
	// opened by a cancelled CREATE is closed rather than leaked.
	orphan func([]*Response)
}

// call is one request of an exchange, keyed by its MessageId in Conn.pending.
type call struct {
	ex        *exchange
	id        uint64
	charge    uint16
	cmd       wire.Command
	sess      *Session
	treeID    uint32
	signed    bool // the request went out signed
	encrypted bool // the request went out encrypted
	asyncID   uint64
	interim   bool // an interim STATUS_PENDING arrived (asyncID valid)
	resp      *Response
	sent      time.Time // when the request was queued, for Stats
}

// responses returns the collected responses of a completed exchange.
func (ex *exchange) responses() []*Response {
	out := make([]*Response, len(ex.calls))
	for i, c := range ex.calls {
		out[i] = c.resp
	}
	return out
}
