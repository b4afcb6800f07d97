package protocol

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/smbfs/smbfs/protocol/wire"
)

// The pipe tests stand in for the server with a function that answers each
// request with a response message built here, byte by byte from MS-SMB2
// 2.2.32 (IOCTL), 2.2.20 (READ), 2.2.22 (WRITE) and 2.2.16 (CLOSE).

var testPipeID = wire.FileID{Persistent: 0x11, Volatile: 0x22}

// pipeResp builds a response message: header with status, then body.
func pipeResp(cmd wire.Command, status wire.Status, body []byte) *Response {
	h := wire.Header{Command: cmd, Status: status, Flags: wire.FlagServerToRedir, MessageID: 7}
	msg := h.Encode(nil)
	return &Response{Header: h, Msg: append(msg, body...)}
}

// pipeIoctlResp is an FSCTL_PIPE_TRANSCEIVE response carrying out.
func pipeIoctlResp(status wire.Status, out []byte) *Response {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, 49)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, wire.FsctlPipeTransceive)
	b = le.AppendUint64(b, testPipeID.Persistent)
	b = le.AppendUint64(b, testPipeID.Volatile)
	b = le.AppendUint32(b, wire.HeaderSize+48) // InputOffset
	b = le.AppendUint32(b, 0)                  // InputCount
	b = le.AppendUint32(b, wire.HeaderSize+48) // OutputOffset
	b = le.AppendUint32(b, uint32(len(out)))
	b = le.AppendUint32(b, 0) // Flags
	b = le.AppendUint32(b, 0) // Reserved2
	return pipeResp(wire.CommandIoctl, status, append(b, out...))
}

// pipeReadResp is a READ response carrying data.
func pipeReadResp(status wire.Status, data []byte) *Response {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, 17)
	b = append(b, wire.HeaderSize+16, 0) // DataOffset, Reserved
	b = le.AppendUint32(b, uint32(len(data)))
	b = le.AppendUint32(b, 0) // DataRemaining
	b = le.AppendUint32(b, 0) // Reserved2
	return pipeResp(wire.CommandRead, status, append(b, data...))
}

// pipeWriteResp is a WRITE response reporting count bytes written.
func pipeWriteResp(count uint32) *Response {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, 17)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, count)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 0)
	return pipeResp(wire.CommandWrite, wire.StatusSuccess, b)
}

// pipeErrResp is an SMB2 ERROR response (MS-SMB2 2.2.2) with status.
func pipeErrResp(cmd wire.Command, status wire.Status) *Response {
	return pipeResp(cmd, status, []byte{9, 0, 0, 0, 0, 0, 0, 0, 0})
}

// pipeServer answers requests from a list of responses and records them.
type pipeServer struct {
	t     *testing.T
	resps []*Response
	reqs  []wire.Request
}

func (f *pipeServer) do(_ context.Context, body wire.Request) (*Response, error) {
	f.reqs = append(f.reqs, body)
	if len(f.resps) == 0 {
		f.t.Fatalf("unexpected request %T: the server has nothing to answer", body)
	}
	r := f.resps[0]
	f.resps = f.resps[1:]
	return r, r.Err()
}

func newTestPipe(t *testing.T, resps ...*Response) (*Pipe, *pipeServer) {
	f := &pipeServer{t: t, resps: resps}
	return &Pipe{name: "srvsvc", id: testPipeID, do: f.do, maxTransact: 65536, maxRead: 65536, maxWrite: 65536}, f
}

func TestPipeTransact(t *testing.T) {
	t.Run("whole reply at once", func(t *testing.T) {
		p, f := newTestPipe(t, pipeIoctlResp(wire.StatusSuccess, []byte("reply")))
		got, err := p.Transact(context.Background(), []byte("request"), 4280)
		if err != nil || string(got) != "reply" {
			t.Fatalf("got %q, %v", got, err)
		}
		req := f.reqs[0].(*wire.IoctlRequest)
		if req.CtlCode != wire.FsctlPipeTransceive || req.FileID != testPipeID || string(req.Input) != "request" ||
			req.MaxOutputResponse != 4280 || req.Flags != wire.IoctlIsFSCTL {
			t.Errorf("request %+v", req)
		}
	})
	t.Run("BUFFER_OVERFLOW is read on", func(t *testing.T) {
		p, f := newTestPipe(t,
			pipeIoctlResp(wire.StatusBufferOverflow, []byte("abc")),
			pipeReadResp(wire.StatusBufferOverflow, []byte("def")),
			pipeReadResp(wire.StatusSuccess, []byte("gh")),
		)
		got, err := p.Transact(context.Background(), []byte("x"), 3)
		if err != nil || string(got) != "abcdefgh" {
			t.Fatalf("got %q, %v", got, err)
		}
		if len(f.reqs) != 3 {
			t.Fatalf("%d requests", len(f.reqs))
		}
		for _, r := range f.reqs[1:] {
			rr, ok := r.(*wire.ReadRequest)
			if !ok || rr.FileID != testPipeID || rr.Length != pipeReadChunk {
				t.Errorf("read request %+v", r)
			}
		}
	})
	t.Run("MaxOutputResponse capped at MaxTransactSize", func(t *testing.T) {
		p, f := newTestPipe(t, pipeIoctlResp(wire.StatusSuccess, nil))
		p.maxTransact = 4096
		if _, err := p.Transact(context.Background(), nil, 1<<20); err != nil {
			t.Fatal(err)
		}
		if got := f.reqs[0].(*wire.IoctlRequest).MaxOutputResponse; got != 4096 {
			t.Errorf("MaxOutputResponse %d", got)
		}
	})
	t.Run("input above MaxTransactSize", func(t *testing.T) {
		p, f := newTestPipe(t)
		p.maxTransact = 16
		if _, err := p.Transact(context.Background(), make([]byte, 17), 16); err == nil {
			t.Fatal("no error")
		}
		if len(f.reqs) != 0 {
			t.Error("the request was sent")
		}
	})
	t.Run("more output than asked for", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeIoctlResp(wire.StatusSuccess, make([]byte, 10)))
		if _, err := p.Transact(context.Background(), nil, 8); !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("failure status", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeErrResp(wire.CommandIoctl, wire.StatusPipeDisconnected))
		_, err := p.Transact(context.Background(), nil, 8)
		var st wire.Status
		if !errors.As(err, &st) || st != wire.StatusPipeDisconnected {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("BUFFER_OVERFLOW with an error body", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeErrResp(wire.CommandIoctl, wire.StatusBufferOverflow))
		if _, err := p.Transact(context.Background(), nil, 8); !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("connection failure", func(t *testing.T) {
		cerr := &ConnectionError{Op: "read frame", Err: ErrClosed}
		p := &Pipe{name: "srvsvc", maxTransact: 100, do: func(context.Context, wire.Request) (*Response, error) { return nil, cerr }}
		if _, err := p.Transact(context.Background(), nil, 8); !errors.Is(err, ErrClosed) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestPipeReadMessage(t *testing.T) {
	t.Run("message in three reads", func(t *testing.T) {
		p, _ := newTestPipe(t,
			pipeReadResp(wire.StatusBufferOverflow, []byte("ab")),
			pipeReadResp(wire.StatusBufferOverflow, []byte("cd")),
			pipeReadResp(wire.StatusSuccess, []byte("e")),
		)
		got, err := p.ReadMessage(context.Background(), 100)
		if err != nil || string(got) != "abcde" {
			t.Fatalf("got %q, %v", got, err)
		}
	})
	t.Run("message longer than the limit", func(t *testing.T) {
		p, f := newTestPipe(t,
			pipeReadResp(wire.StatusBufferOverflow, []byte("abcd")),
			pipeReadResp(wire.StatusBufferOverflow, []byte("ef")),
		)
		if _, err := p.ReadMessage(context.Background(), 6); err == nil {
			t.Fatal("no error")
		}
		if n := f.reqs[1].(*wire.ReadRequest).Length; n != 2 {
			t.Errorf("second read asked for %d bytes, want the 2 left under the limit", n)
		}
	})
	t.Run("message exactly at the limit", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeReadResp(wire.StatusBufferOverflow, []byte("abcd")), pipeReadResp(wire.StatusSuccess, []byte("ef")))
		if got, err := p.ReadMessage(context.Background(), 6); err != nil || string(got) != "abcdef" {
			t.Fatalf("got %q, %v", got, err)
		}
	})
	t.Run("overflow without data", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeReadResp(wire.StatusBufferOverflow, nil))
		if _, err := p.ReadMessage(context.Background(), 100); !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("read capped at MaxReadSize", func(t *testing.T) {
		p, f := newTestPipe(t, pipeReadResp(wire.StatusSuccess, []byte("x")))
		p.maxRead = 1000
		if _, _, err := p.Read(context.Background(), 5000); err != nil {
			t.Fatal(err)
		}
		if n := f.reqs[0].(*wire.ReadRequest).Length; n != 1000 {
			t.Errorf("READ of %d bytes", n)
		}
	})
	t.Run("more data than asked for", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeReadResp(wire.StatusSuccess, make([]byte, 10)))
		if _, _, err := p.Read(context.Background(), 5); !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("zero-byte read", func(t *testing.T) {
		p, _ := newTestPipe(t)
		if _, _, err := p.Read(context.Background(), 0); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("pipe broken", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeErrResp(wire.CommandRead, wire.StatusPipeBroken))
		_, err := p.ReadMessage(context.Background(), 100)
		var st wire.Status
		if !errors.As(err, &st) || st != wire.StatusPipeBroken {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestPipeWrite(t *testing.T) {
	t.Run("split at MaxWriteSize", func(t *testing.T) {
		p, f := newTestPipe(t, pipeWriteResp(4), pipeWriteResp(4), pipeWriteResp(2))
		p.maxWrite = 4
		data := []byte("0123456789")
		if err := p.Write(context.Background(), data); err != nil {
			t.Fatal(err)
		}
		var joined []byte
		for _, r := range f.reqs {
			w := r.(*wire.WriteRequest)
			if w.FileID != testPipeID || len(w.Data) > 4 {
				t.Errorf("write %+v", w)
			}
			joined = append(joined, w.Data...)
		}
		if !bytes.Equal(joined, data) {
			t.Errorf("wrote %q", joined)
		}
	})
	t.Run("short write", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeWriteResp(3))
		if err := p.Write(context.Background(), []byte("0123")); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("failure", func(t *testing.T) {
		p, _ := newTestPipe(t, pipeErrResp(wire.CommandWrite, wire.StatusPipeClosing))
		if err := p.Write(context.Background(), []byte("x")); !errors.Is(err, wire.StatusPipeClosing) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestPipeClose(t *testing.T) {
	p, f := newTestPipe(t, pipeErrResp(wire.CommandClose, wire.StatusFileClosed))
	err := p.Close(context.Background())
	if !errors.Is(err, wire.StatusFileClosed) {
		t.Fatalf("err = %v", err)
	}
	if err2 := p.Close(context.Background()); err2 != err {
		t.Errorf("second Close: %v", err2)
	}
	if len(f.reqs) != 1 || f.reqs[0].(*wire.CloseRequest).FileID != testPipeID {
		t.Errorf("requests %+v", f.reqs)
	}
}

func TestPipeName(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"srvsvc", "srvsvc", false},
		{`\srvsvc`, "srvsvc", false},
		{`\PIPE\srvsvc`, "srvsvc", false},
		{`\pipe\lsarpc`, "lsarpc", false},
		{`PIPE\srvsvc`, "srvsvc", false},
		{"", "", true},
		{`\`, "", true},
		{`\PIPE\`, "", true},
		{`a\b`, "", true},
		{"a/b", "", true},
		{"a\x00", "", true},
	}
	for _, tt := range tests {
		got, err := pipeName(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("pipeName(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPipeOpenNeedsIPCShare(t *testing.T) {
	disk := &Tree{share: "public", resp: wire.TreeConnectResponse{ShareType: wire.ShareTypeDisk}}
	if _, err := disk.OpenPipe(context.Background(), "srvsvc"); err == nil {
		t.Fatal("a pipe was opened on a disk share")
	}
	ipc := &Tree{share: "IPC$", resp: wire.TreeConnectResponse{ShareType: wire.ShareTypePipe}}
	if _, err := ipc.OpenPipe(context.Background(), `a\b`); err == nil {
		t.Fatal("an invalid pipe name was accepted")
	}
}
