package protocol

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/smbfs/smbfs/protocol/wire"
)

// MaxPipeMessage bounds the size of one named-pipe message that
// Pipe.Transact and Pipe.ReadMessage assemble from partial reads. DCE/RPC
// fragments are at most 64 KiB; a server sending more than this is broken
// or hostile, and the caller gets an error rather than unbounded memory use.
const MaxPipeMessage = 16 << 20

// pipeReadChunk is the READ size used to fetch the rest of a message after
// STATUS_BUFFER_OVERFLOW: pipe messages are small, and 64 KiB costs one
// credit (MS-SMB2 3.1.5.2).
const pipeReadChunk = 64 << 10

// pipeAccess is what a client needs on a named pipe it talks through: read
// and write data and attributes (MS-SMB2 2.2.13.1.1, the rights Windows
// asks for when it opens \PIPE\srvsvc).
const pipeAccess = wire.FileReadData | wire.FileWriteData | wire.FileAppendData |
	wire.FileReadEA | wire.FileWriteEA | wire.FileReadAttributes |
	wire.FileWriteAttributes | wire.ReadControl | wire.Synchronize

// Pipe is an open named pipe on an IPC$ tree (MS-SMB2 3.2.4.3 with a pipe
// share), such as "srvsvc" for DCE/RPC over SMB (ncacn_np). A Pipe carries
// one conversation: callers serialise their use of it.
type Pipe struct {
	name string
	id   wire.FileID
	// do sends one request on the pipe's tree (Tree.Do); a field so that
	// unit tests can stand in for a server.
	do func(ctx context.Context, body wire.Request) (*Response, error)
	// Negotiated limits of the connection (MS-SMB2 3.2.5.2).
	maxTransact, maxRead, maxWrite uint32

	closeOnce sync.Once
	closeErr  error
}

// OpenPipe opens the named pipe name (e.g. "srvsvc"; a leading `\` or
// `\PIPE\` is accepted and removed) on t, which must be a connection to
// IPC$ (a pipe share, MS-SMB2 2.2.10).
func (t *Tree) OpenPipe(ctx context.Context, name string) (*Pipe, error) {
	clean, err := pipeName(name)
	if err != nil {
		return nil, err
	}
	if t.resp.ShareType != wire.ShareTypePipe {
		return nil, fmt.Errorf("smb2 open pipe %s: share %s is not an IPC share (type %d)", clean, t.share, t.resp.ShareType)
	}
	create := &wire.CreateRequest{
		RequestedOplockLevel: wire.OplockNone,
		ImpersonationLevel:   wire.Impersonation,
		DesiredAccess:        pipeAccess,
		ShareAccess:          wire.ShareRead | wire.ShareWrite,
		CreateDisposition:    wire.FileOpen,
		CreateOptions:        wire.FileNonDirectoryFile,
		Name:                 clean,
	}
	// A CREATE abandoned because ctx ended may still open the pipe on the
	// server: close that handle rather than leak it.
	orphan := func(resps []*Response) {
		var cr wire.CreateResponse
		if len(resps) == 1 && resps[0] != nil && resps[0].Decode(&cr) == nil {
			_, _ = t.Do(context.Background(), &wire.CloseRequest{FileID: cr.FileID})
		}
	}
	resps, err := t.Compound(ctx, orphan, create)
	if err != nil {
		return nil, fmt.Errorf("smb2 open pipe %s: %w", clean, err)
	}
	var cr wire.CreateResponse
	if err := resps[0].Decode(&cr); err != nil {
		return nil, fmt.Errorf("smb2 open pipe %s: %w", clean, err)
	}
	c := t.Conn()
	return &Pipe{
		name:        clean,
		id:          cr.FileID,
		do:          t.Do,
		maxTransact: c.MaxTransactSize(),
		maxRead:     c.MaxReadSize(),
		maxWrite:    c.MaxWriteSize(),
	}, nil
}

// pipeName returns the name CREATE takes for the pipe name: without a
// leading `\` or `\PIPE\` (any case), a single path component.
func pipeName(name string) (string, error) {
	clean := strings.TrimPrefix(name, `\`)
	if len(clean) > 5 && strings.EqualFold(clean[:5], `PIPE\`) {
		clean = clean[5:]
	}
	if clean == "" || strings.ContainsAny(clean, `\/`) || strings.ContainsRune(clean, 0) {
		return "", fmt.Errorf("smb2 open pipe: invalid pipe name %q", name)
	}
	return clean, nil
}

// Name returns the pipe's name as opened (without `\PIPE\`).
func (p *Pipe) Name() string { return p.name }

// FileID returns the handle of the open pipe.
func (p *Pipe) FileID() wire.FileID { return p.id }

// Transact writes in to the pipe and reads the reply message in one round
// trip, with FSCTL_PIPE_TRANSCEIVE (MS-SMB2 3.2.4.20.4, MS-FSCC 2.3.47).
// maxOut is the MaxOutputResponse asked for; it is capped at the server's
// MaxTransactSize. When the reply is longer, the server answers
// STATUS_BUFFER_OVERFLOW with the first part (MS-SMB2 3.3.5.15.3, MS-FSCC
// 2.3.48), and Transact reads the rest
// of the message with READ: it always returns a whole message (at most
// MaxPipeMessage bytes).
func (p *Pipe) Transact(ctx context.Context, in []byte, maxOut int) ([]byte, error) {
	if uint64(len(in)) > uint64(p.maxTransact) {
		return nil, fmt.Errorf("smb2 pipe %s: transceive input of %d bytes exceeds the server's MaxTransactSize %d", p.name, len(in), p.maxTransact)
	}
	out := uint32(max(1, min(maxOut, int(min(p.maxTransact, MaxPipeMessage)))))
	resp, err := p.do(ctx, &wire.IoctlRequest{
		CtlCode:           wire.FsctlPipeTransceive,
		FileID:            p.id,
		Input:             in,
		MaxOutputResponse: out,
		Flags:             wire.IoctlIsFSCTL,
	})
	more, err := partial(resp, err)
	if err != nil {
		return nil, p.errorf("transceive", err)
	}
	var ir wire.IoctlResponse
	if err := ir.Decode(resp.Msg); err != nil {
		return nil, p.errorf("transceive", &ConnectionError{Op: "decode IOCTL response", Err: err})
	}
	if len(ir.Output) > int(out) {
		return nil, p.errorf("transceive", &ConnectionError{Op: "decode IOCTL response",
			Err: fmt.Errorf("%w: %d bytes of output, %d allowed", wire.ErrMalformed, len(ir.Output), out)})
	}
	msg := append([]byte(nil), ir.Output...)
	if !more {
		return msg, nil
	}
	return p.readRest(ctx, msg, MaxPipeMessage)
}

// Read issues one READ of at most size bytes (capped at the server's
// MaxReadSize). more reports STATUS_BUFFER_OVERFLOW: the pipe message is
// longer than what was returned, and the next Read continues it (a
// message-mode pipe; MS-SMB2 3.3.5.12). A READ on an empty
// pipe waits until the server has data; bound it with ctx.
func (p *Pipe) Read(ctx context.Context, size int) (data []byte, more bool, err error) {
	n := uint32(min(int64(size), int64(p.maxRead)))
	if size <= 0 || n == 0 {
		return nil, false, fmt.Errorf("smb2 pipe %s: read of %d bytes (MaxReadSize %d)", p.name, size, p.maxRead)
	}
	resp, err := p.do(ctx, &wire.ReadRequest{Length: n, FileID: p.id})
	more, err = partial(resp, err)
	if err != nil {
		return nil, false, p.errorf("read", err)
	}
	var rr wire.ReadResponse
	if err := rr.Decode(resp.Msg); err != nil {
		return nil, false, p.errorf("read", &ConnectionError{Op: "decode READ response", Err: err})
	}
	if uint64(len(rr.Data)) > uint64(n) {
		return nil, false, p.errorf("read", &ConnectionError{Op: "decode READ response",
			Err: fmt.Errorf("%w: %d bytes returned for a READ of %d", wire.ErrMalformed, len(rr.Data), n)})
	}
	if len(rr.Data) == 0 && more {
		// Overflow without data would make a read loop spin forever.
		return nil, false, p.errorf("read", &ConnectionError{Op: "decode READ response",
			Err: fmt.Errorf("%w: STATUS_BUFFER_OVERFLOW with no data", wire.ErrMalformed)})
	}
	return append([]byte(nil), rr.Data...), more, nil
}

// ReadMessage reads one whole pipe message: READs until one completes
// without STATUS_BUFFER_OVERFLOW. A message longer than limit bytes is an
// error (never a silent truncation).
func (p *Pipe) ReadMessage(ctx context.Context, limit int) ([]byte, error) {
	return p.readRest(ctx, nil, limit)
}

// readRest appends READs to msg until the pipe message ends. Called with
// a non-nil msg after an overflowing transceive, or with nil to read a
// message from its start.
func (p *Pipe) readRest(ctx context.Context, msg []byte, limit int) ([]byte, error) {
	for {
		if len(msg) >= limit {
			return nil, p.errorf("read", fmt.Errorf("pipe message exceeds %d bytes", limit))
		}
		data, more, err := p.Read(ctx, min(pipeReadChunk, limit-len(msg)))
		if err != nil {
			return nil, err
		}
		msg = append(msg, data...)
		if !more {
			return msg, nil
		}
	}
}

// Write writes data to the pipe, in as many WRITEs as the server's
// MaxWriteSize requires. A short write is an error.
func (p *Pipe) Write(ctx context.Context, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), int(p.maxWrite))
		if n <= 0 {
			return p.errorf("write", errors.New("server allows no WRITE payload"))
		}
		resp, err := p.do(ctx, &wire.WriteRequest{FileID: p.id, Data: data[:n]})
		if err != nil {
			return p.errorf("write", err)
		}
		var wr wire.WriteResponse
		if err := resp.Decode(&wr); err != nil {
			return p.errorf("write", err)
		}
		if wr.Count != uint32(n) {
			return p.errorf("write", fmt.Errorf("server took %d of %d bytes", wr.Count, n))
		}
		data = data[n:]
	}
	return nil
}

// Close closes the pipe handle. Later calls return the first result.
func (p *Pipe) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		_, err := p.do(ctx, &wire.CloseRequest{FileID: p.id})
		if err != nil {
			p.closeErr = p.errorf("close", err)
		}
	})
	return p.closeErr
}

// errorf wraps err with the pipe operation that failed.
func (p *Pipe) errorf(op string, err error) error {
	return fmt.Errorf("smb2 pipe %s: %s: %w", p.name, op, err)
}

// partial interprets the outcome of a READ or IOCTL on a pipe:
// STATUS_BUFFER_OVERFLOW is partial success (the message continues;
// MS-FSCC 2.3.48, MS-SMB2 3.3.5.15.3), any other failure is an error.
func partial(resp *Response, err error) (more bool, _ error) {
	if resp == nil {
		if err == nil {
			err = errors.New("no response")
		}
		return false, err
	}
	switch resp.Header.Status {
	case wire.StatusSuccess:
		return false, nil
	case wire.StatusBufferOverflow:
		return true, nil
	}
	if err == nil {
		err = resp.Err()
	}
	return false, err
}
