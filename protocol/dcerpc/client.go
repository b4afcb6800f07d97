package dcerpc

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Transport moves PDUs between a Client and a server: for ncacn_np, an SMB
// named pipe (protocol.Pipe implements it).
type Transport interface {
	// Transact writes in and returns the reply the server has ready, at
	// most maxOut bytes per round trip; a longer reply message is read to
	// its end (FSCTL_PIPE_TRANSCEIVE).
	Transact(ctx context.Context, in []byte, maxOut int) ([]byte, error)
	// Write writes data without waiting for a reply.
	Write(ctx context.Context, data []byte) error
	// ReadMessage returns the next message the server sends, waiting
	// until there is one; a message longer than limit is an error.
	ReadMessage(ctx context.Context, limit int) ([]byte, error)
}

// DefaultMaxFrag is the fragment size a Client proposes in both directions:
// the size Windows clients propose, which every server accepts.
const DefaultMaxFrag = 4280

// minFrag is the smallest fragment size a Client accepts from a bind_ack:
// room for a request header and one 8-byte unit of stub data.
const minFrag = requestHeaderSize + 8

// readLimit bounds one transport read: a whole message, which on a
// message-mode pipe is one fragment (at most MaxFragLength) and in byte
// mode a chunk of the stream.
const readLimit = 1 << 20

// Config tunes a Client. The zero value uses the defaults.
type Config struct {
	// MaxFrag is the max_xmit_frag and max_recv_frag proposed in the
	// bind. Default DefaultMaxFrag; at most MaxFragLength.
	MaxFrag int
	// MaxResponse bounds the reassembled stub data of one call. Default
	// DefaultMaxResponse.
	MaxResponse int
}

// Client is a bound DCE/RPC association over a Transport with one
// presentation context, using NDR 2.0. Its calls are serialised: a named
// pipe carries one call at a time.
type Client struct {
	t           Transport
	abstract    SyntaxID
	contextID   uint16
	maxResponse int
	maxXmit     int // largest fragment we may send (the server's max_recv_frag)
	maxRecv     int // largest fragment the server will send us

	mu      sync.Mutex
	callID  uint32
	pending []byte // bytes received past the last PDU consumed
	broken  error  // set when the stream can no longer be trusted
	ack     BindAck
}

// Bind binds abstract (an interface and its version) with the NDR transfer
// syntax over t (C706 12.4.2.1, MS-RPCE 3.3.1.5.1) and returns the client
// for calls on it. A refusal is a *BindError; a fault a *FaultError.
func Bind(ctx context.Context, t Transport, abstract SyntaxID, cfg *Config) (*Client, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.MaxFrag <= 0 {
		c.MaxFrag = DefaultMaxFrag
	}
	if c.MaxFrag < minFrag || c.MaxFrag > MaxFragLength {
		return nil, fmt.Errorf("dcerpc bind: MaxFrag %d outside [%d, %d]", c.MaxFrag, minFrag, MaxFragLength)
	}
	if c.MaxResponse <= 0 {
		c.MaxResponse = DefaultMaxResponse
	}
	cl := &Client{t: t, abstract: abstract, maxResponse: c.MaxResponse, callID: 1}
	req := &BindRequest{
		CallID:      cl.nextCallID(),
		MaxXmitFrag: uint16(c.MaxFrag),
		MaxRecvFrag: uint16(c.MaxFrag),
		Contexts:    []PresentationContext{{ID: cl.contextID, Abstract: abstract, Transfer: []SyntaxID{NDR}}},
	}
	pdu, err := req.Encode()
	if err != nil {
		return nil, err
	}
	out, err := t.Transact(ctx, pdu, c.MaxFrag)
	if err != nil {
		return nil, fmt.Errorf("dcerpc bind %v: %w", abstract, err)
	}
	cl.pending = out
	raw, err := cl.readPDU(ctx)
	if err != nil {
		return nil, fmt.Errorf("dcerpc bind %v: %w", abstract, err)
	}
	ack, err := checkBindReply(raw, req.CallID)
	if err != nil {
		return nil, fmt.Errorf("dcerpc bind %v: %w", abstract, err)
	}
	if len(cl.pending) > 0 {
		return nil, fmt.Errorf("dcerpc bind %v: %w", abstract, malformed("%d unexpected bytes after the bind_ack", len(cl.pending)))
	}
	cl.ack = *ack
	cl.maxXmit = min(c.MaxFrag, int(ack.MaxRecvFrag))
	cl.maxRecv = int(ack.MaxXmitFrag)
	return cl, nil
}

// checkBindReply decodes the server's answer to a bind and checks that it
// accepts the one context proposed with NDR.
func checkBindReply(raw []byte, callID uint32) (*BindAck, error) {
	p, err := ParsePDU(raw)
	if err != nil {
		return nil, err
	}
	if p.CallID != callID {
		return nil, malformed("%v PDU for call %d, the bind was call %d", p.Type, p.CallID, callID)
	}
	switch p.Type {
	case PacketBindAck:
	case PacketBindNak:
		nak, err := DecodeBindNak(p)
		if err != nil {
			return nil, err
		}
		return nil, &BindError{Nak: true, Reason: nak.Reason}
	case PacketFault:
		f, err := DecodeFault(p)
		if err != nil {
			return nil, err
		}
		return nil, f.Err()
	default:
		return nil, malformed("%v PDU in reply to bind", p.Type)
	}
	ack, err := DecodeBindAck(p)
	if err != nil {
		return nil, err
	}
	if len(ack.Results) != 1 {
		return nil, malformed("bind_ack with %d results for 1 proposed context", len(ack.Results))
	}
	r := ack.Results[0]
	if r.Result != ResultAcceptance {
		return nil, &BindError{Result: r.Result, Reason: r.Reason}
	}
	if r.Transfer != NDR {
		return nil, malformed("bind_ack accepted transfer syntax %v, which was not proposed", r.Transfer)
	}
	if int(ack.MaxRecvFrag) < minFrag || int(ack.MaxXmitFrag) < minFrag {
		return nil, malformed("bind_ack fragment sizes %d/%d below the minimum %d", ack.MaxXmitFrag, ack.MaxRecvFrag, minFrag)
	}
	return ack, nil
}

// BindAck returns the server's bind_ack.
func (c *Client) BindAck() BindAck { return c.ack }

// Call invokes operation opnum with the NDR-encoded input stub and returns
// the NDR-encoded output stub of the response, reassembled from all its
// fragments. A fault PDU is returned as a *FaultError. After a transport or
// protocol error the Client is unusable: the stream position is lost.
func (c *Client) Call(ctx context.Context, opnum uint16, stub []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return nil, fmt.Errorf("dcerpc call %d: client unusable after an earlier failure: %w", opnum, c.broken)
	}
	out, err := c.call(ctx, opnum, stub)
	if err != nil {
		var fe *FaultError
		if !errors.As(err, &fe) {
			c.broken = err
		}
		return nil, fmt.Errorf("dcerpc call %d: %w", opnum, err)
	}
	return out, nil
}

func (c *Client) call(ctx context.Context, opnum uint16, stub []byte) ([]byte, error) {
	req := &Request{CallID: c.nextCallID(), ContextID: c.contextID, Opnum: opnum, Stub: stub}
	frags, err := req.Fragments(c.maxXmit)
	if err != nil {
		return nil, err
	}
	// All fragments but the last are plain writes; the last one goes out
	// with the transceive that starts the reply (the RPC-over-named-pipe
	// primitives of MS-CIFS 3.4.4.2 and 3.4.4.4).
	for _, f := range frags[:len(frags)-1] {
		if err := c.t.Write(ctx, f); err != nil {
			return nil, err
		}
	}
	out, err := c.t.Transact(ctx, frags[len(frags)-1], c.maxRecv)
	if err != nil {
		return nil, err
	}
	c.pending = append(c.pending, out...)
	r := NewReassembler(req.CallID, c.maxResponse)
	for {
		pdu, err := c.readPDU(ctx)
		if err != nil {
			return nil, err
		}
		done, err := r.Add(pdu)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	if len(c.pending) > 0 {
		return nil, malformed("%d unexpected bytes after the last response fragment", len(c.pending))
	}
	return r.Stub(), nil
}

// readPDU returns the next whole PDU, from bytes already received or by
// reading more from the transport. It reads only while a PDU is incomplete,
// so it never waits on a pipe the server has nothing more to send on.
func (c *Client) readPDU(ctx context.Context) ([]byte, error) {
	for {
		pdu, rest, err := SplitPDU(c.pending)
		if err != nil {
			return nil, err
		}
		if pdu != nil {
			c.pending = rest
			return pdu, nil
		}
		more, err := c.t.ReadMessage(ctx, readLimit)
		if err != nil {
			return nil, err
		}
		if len(more) == 0 {
			return nil, malformed("transport returned an empty message inside a PDU")
		}
		c.pending = append(c.pending, more...)
	}
}

// nextCallID returns a fresh call_id (C706 12.6.3.1: unique per call on the
// association).
func (c *Client) nextCallID() uint32 {
	id := c.callID
	c.callID++
	if c.callID == 0 {
		c.callID = 1
	}
	return id
}
