package dcerpc

import "errors"

// DefaultMaxResponse bounds the reassembled stub of one call unless the
// caller chooses otherwise: a share list of thousands of entries fits
// easily, a hostile server cannot make the client buffer without limit.
const DefaultMaxResponse = 16 << 20

// Reassembler collects the response fragments of one call into its stub
// data (C706 12.4.3.5): the first fragment carries PFC_FIRST_FRAG, the last
// PFC_LAST_FRAG, all carry the call's call_id and the stub data is their
// concatenation. A fault PDU ends the call with a *FaultError.
type Reassembler struct {
	callID  uint32
	limit   int
	stub    []byte
	started bool
	done    bool
	frags   int
}

// NewReassembler returns a Reassembler for call callID whose stub may grow
// to at most limit bytes (DefaultMaxResponse if limit <= 0).
func NewReassembler(callID uint32, limit int) *Reassembler {
	if limit <= 0 {
		limit = DefaultMaxResponse
	}
	return &Reassembler{callID: callID, limit: limit}
}

// errDone is returned by Add after the last fragment.
var errDone = errors.New("dcerpc: fragment after the last fragment of the call")

// Add takes the next PDU of the reply (exactly one PDU, as SplitPDU returns
// it) and reports whether it completed the call.
func (r *Reassembler) Add(pdu []byte) (done bool, err error) {
	if r.done {
		return true, errDone
	}
	p, err := ParsePDU(pdu)
	if err != nil {
		return false, err
	}
	if p.CallID != r.callID {
		return false, malformed("%v PDU for call %d while call %d is in progress", p.Type, p.CallID, r.callID)
	}
	switch p.Type {
	case PacketResponse:
	case PacketFault:
		f, err := DecodeFault(p)
		if err != nil {
			return false, err
		}
		r.done = true
		return true, f.Err()
	default:
		return false, malformed("%v PDU in reply to a request", p.Type)
	}
	resp, err := DecodeResponse(p)
	if err != nil {
		return false, err
	}
	first := resp.Flags&FlagFirstFrag != 0
	switch {
	case !r.started && !first:
		return false, malformed("first response fragment of call %d lacks PFC_FIRST_FRAG", r.callID)
	case r.started && first:
		return false, malformed("response fragment %d of call %d has PFC_FIRST_FRAG again", r.frags+1, r.callID)
	}
	if len(resp.Stub) > r.limit-len(r.stub) {
		return false, malformed("response to call %d exceeds %d bytes of stub data", r.callID, r.limit)
	}
	if !r.started {
		// alloc_hint is only a hint: use it to size the buffer, within
		// the limit and within reason.
		r.stub = make([]byte, 0, int(min(uint64(resp.AllocHint), uint64(r.limit), 1<<20)))
		r.started = true
	}
	r.stub = append(r.stub, resp.Stub...)
	r.frags++
	if resp.Flags&FlagLastFrag != 0 {
		r.done = true
	}
	return r.done, nil
}

// Stub returns the stub data collected so far (all of it once Add has
// reported done).
func (r *Reassembler) Stub() []byte { return r.stub }

// Fragments returns how many response fragments were added.
func (r *Reassembler) Fragments() int { return r.frags }
