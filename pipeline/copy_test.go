package pipeline

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/wire"
)

// putFile writes data to a fresh file on s and returns its name; it is
// removed at cleanup.
func putFile(t *testing.T, s *Share, data []byte) string {
	t.Helper()
	name := tempName(t)
	if err := s.WriteFile(context.Background(), name, data, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove(context.Background(), name) })
	return name
}

// copyName returns a name for a copy on s, removed at cleanup.
func copyName(t *testing.T, s *Share) string {
	name := tempName(t) + ".copy"
	t.Cleanup(func() { s.Remove(context.Background(), name) })
	return name
}

// mustEqualFile fails unless name on s holds want.
func mustEqualFile(t *testing.T, s *Share, name string, want []byte) {
	t.Helper()
	got, err := s.ReadFile(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes differ from the %d expected", name, len(got), len(want))
	}
}

func TestShareCopy(t *testing.T) {
	s := connect(t, servers.main, "private", Config{})
	perRequest := int(DefaultCopyLimits.perRequest())
	tests := []struct {
		name string
		size int
		o    CopyOptions
		// server: all bytes copied server-side; adapted: the limits
		// came from the server.
		server, adapted bool
	}{
		{"empty", 0, CopyOptions{}, true, false},
		{"one byte", 1, CopyOptions{}, true, false},
		{"odd", 1<<20 + 7, CopyOptions{}, true, false},
		{"one request", perRequest, CopyOptions{}, true, false},
		{"several requests, depth 1", 2*perRequest + 12345, CopyOptions{Depth: 1}, true, false},
		{"several requests in flight", 5*perRequest + 1, CopyOptions{Depth: 4}, true, false},
		{"limits above the server's", 3*perRequest + 999,
			CopyOptions{Limits: CopyLimits{MaxChunks: 1024, MaxChunkSize: 4 << 20, MaxTotal: 64 << 20}}, true, true},
		{"chunks above the server's size only", perRequest + 5,
			CopyOptions{Limits: CopyLimits{MaxChunks: 8, MaxChunkSize: 2 << 20, MaxTotal: 16 << 20}}, true, true},
		{"small limits", 3<<20 + 1, CopyOptions{Limits: CopyLimits{MaxChunks: 3, MaxChunkSize: 100000, MaxTotal: 250000}}, true, false},
		{"client side", 3*perRequest/2 + 3, CopyOptions{ClientSide: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			data := randomData(tt.size)
			src := putFile(t, s, data)
			dst := copyName(t, s)
			res, err := s.Copy(ctx, src, dst, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			mustEqualFile(t, s, dst, data)
			if res.Bytes != int64(tt.size) {
				t.Errorf("Bytes = %d, want %d", res.Bytes, tt.size)
			}
			if tt.server {
				if res.ServerSide != int64(tt.size) || res.Fallback != nil {
					t.Errorf("ServerSide = %d of %d (fallback %v)", res.ServerSide, tt.size, res.Fallback)
				}
			} else if res.ServerSide != 0 || !errors.Is(res.Fallback, errClientSide) {
				t.Errorf("ServerSide = %d, Fallback = %v; want a client-side copy", res.ServerSide, res.Fallback)
			}
			if tt.size > 0 && tt.server && res.Adapted != tt.adapted {
				t.Errorf("Adapted = %v, want %v (limits %+v)", res.Adapted, tt.adapted, res.Limits)
			}
			if tt.adapted && res.Limits != DefaultCopyLimits && (res.Limits.MaxChunkSize > DefaultCopyLimits.MaxChunkSize ||
				res.Limits.MaxTotal > DefaultCopyLimits.MaxTotal || res.Limits.MaxChunks > DefaultCopyLimits.MaxChunks) {
				t.Errorf("Limits = %+v after adapting to Samba's %+v", res.Limits, DefaultCopyLimits)
			}
		})
	}
}

func TestShareCopyReplacesLongerFile(t *testing.T) {
	s := connect(t, servers.main, "private", Config{})
	ctx := context.Background()
	data := randomData(100000)
	src := putFile(t, s, data)
	dst := copyName(t, s)
	if err := s.WriteFile(ctx, dst, randomData(3<<20), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Copy(ctx, src, dst, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	mustEqualFile(t, s, dst, data)
}

func TestShareCopyOntoItself(t *testing.T) {
	s := connect(t, servers.main, "private", Config{})
	data := randomData(3<<20 + 5)
	src := putFile(t, s, data)
	for _, o := range []CopyOptions{{}, {ClientSide: true}} {
		if _, err := s.Copy(context.Background(), src, src, o); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		mustEqualFile(t, s, src, data)
	}
}

func TestShareCopyErrors(t *testing.T) {
	s := connect(t, servers.main, "private", Config{})
	ctx := context.Background()
	src := putFile(t, s, []byte("x"))
	dir := tempName(t)
	if err := s.Mkdir(ctx, dir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove(ctx, dir) })
	tests := []struct {
		name     string
		src, dst string
		want     wire.Status
	}{
		{"missing source", "no-such-file", copyName(t, s), wire.StatusObjectNameNotFound},
		{"source is a directory", dir, copyName(t, s), wire.StatusFileIsADirectory},
		{"destination is a directory", src, dir, wire.StatusFileIsADirectory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Copy(ctx, tt.src, tt.dst, CopyOptions{})
			var st wire.Status
			if !errors.As(err, &st) || st != tt.want {
				t.Fatalf("Copy = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.Stat(ctx, "no-such-file", false); err == nil {
		t.Error("copying a missing source created it")
	}
}

func TestCopyFrom(t *testing.T) {
	main := connect(t, servers.main, "private", Config{})
	other := connect(t, servers.main, "private", Config{})
	public := connect(t, servers.main, "public", Config{})
	ctx := context.Background()
	data := randomData(20<<20 + 3)
	src := putFile(t, main, data)
	tests := []struct {
		name string
		dst  *Share
		// wantServer: the server copies every byte (no fallback).
		wantServer bool
	}{
		{"same share", main, true},
		{"other connection", other, false},
		// Another share of the same session: Samba does not find the
		// source by its key there and the copy falls back.
		{"other share", public, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh, err := main.Open(ctx, src, OpenOptions{Access: AccessRead, Kind: FileOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close(ctx)
			dh, name := create(t, tt.dst)
			// Copy the second half behind a 10-byte head, then the
			// first half before it: offsets on both sides matter.
			half := int64(len(data) / 2)
			if _, err := dh.WriteAt(ctx, []byte("0123456789"), 0); err != nil {
				t.Fatal(err)
			}
			r1, err := dh.CopyFrom(ctx, sh, half, 10+half, -1, CopyOptions{})
			if err != nil || r1.Bytes != int64(len(data))-half {
				t.Fatalf("CopyFrom rest: %+v, %v", r1, err)
			}
			r2, err := dh.CopyFrom(ctx, sh, 0, 10, half, CopyOptions{})
			if err != nil || r2.Bytes != half {
				t.Fatalf("CopyFrom head: %+v, %v", r2, err)
			}
			if err := dh.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			mustEqualFile(t, tt.dst, name, append([]byte("0123456789"), data...))
			for _, r := range []CopyResult{r1, r2} {
				if server := r.ServerSide == r.Bytes && r.Fallback == nil; server != tt.wantServer {
					t.Errorf("server-side %v, want %v: %+v", server, tt.wantServer, r)
				}
			}
		})
	}
}

func TestCopyFromPastTheEnd(t *testing.T) {
	s := connect(t, servers.main, "private", Config{})
	ctx := context.Background()
	data := randomData(5000)
	src := putFile(t, s, data)
	sh, err := s.Open(ctx, src, OpenOptions{Access: AccessRead, Kind: FileOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close(ctx)
	dh, name := create(t, s)
	// Asking for more than there is copies what there is.
	res, err := dh.CopyFrom(ctx, sh, 1000, 0, 1<<20, CopyOptions{})
	if err != nil || res.Bytes != 4000 || res.ServerSide != 4000 {
		t.Fatalf("CopyFrom: %+v, %v", res, err)
	}
	if err := dh.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mustEqualFile(t, s, name, data[1000:])
	// Nothing at or past the end: nothing to do.
	if res, err := dh.CopyFrom(ctx, sh, 5000, 0, -1, CopyOptions{}); err != nil || res.Bytes != 0 {
		t.Fatalf("CopyFrom at the end: %+v, %v", res, err)
	}
}

// ioctlResponse builds an IOCTL response message with status and output,
// laid out as MS-SMB2 2.2.32 and 3.3.5.15.6.2 describe (Input empty,
// Output at the first 8-byte boundary after the fixed part).
func ioctlResponse(status wire.Status, output []byte) *protocol.Response {
	h := wire.Header{Status: status, Command: wire.CommandIoctl, Flags: wire.FlagServerToRedir}
	msg := h.Encode(nil)
	at := uint32(wire.HeaderSize + 48)
	le := binary.LittleEndian
	msg = le.AppendUint16(msg, 49)
	msg = le.AppendUint16(msg, 0)
	msg = le.AppendUint32(msg, wire.FsctlSrvCopyChunkWrite)
	msg = append(msg, make([]byte, 16)...) // FileId
	msg = le.AppendUint32(msg, at)         // InputOffset
	msg = le.AppendUint32(msg, 0)          // InputCount
	msg = le.AppendUint32(msg, at)         // OutputOffset
	msg = le.AppendUint32(msg, uint32(len(output)))
	msg = le.AppendUint32(msg, 0) // Flags
	msg = le.AppendUint32(msg, 0) // Reserved2
	msg = append(msg, output...)
	return &protocol.Response{Header: h, Msg: msg}
}

// TestAdoptLimits checks which STATUS_INVALID_PARAMETER answers make a
// copy retry with smaller limits: only those whose limits the refused
// request broke, so that a refusal for another reason cannot loop.
func TestAdoptLimits(t *testing.T) {
	limits := func(chunks, size, total uint32) []byte {
		return (&wire.CopyChunkResponse{ChunksWritten: chunks, ChunkBytesWritten: size, TotalBytesWritten: total}).Encode(nil)
	}
	errorBody := &protocol.Response{Header: wire.Header{Status: wire.StatusInvalidParameter, Command: wire.CommandIoctl},
		Msg: append((&wire.Header{Status: wire.StatusInvalidParameter}).Encode(nil), 9, 0, 0, 0, 0, 0, 0, 0, 0)}
	start := CopyLimits{MaxChunks: 64, MaxChunkSize: 4 << 20, MaxTotal: 64 << 20}
	tests := []struct {
		name  string
		resp  *protocol.Response
		adopt bool
		want  CopyLimits
	}{
		{"smaller chunks", ioctlResponse(wire.StatusInvalidParameter, limits(256, 1<<20, 16<<20)), true,
			CopyLimits{MaxChunks: 64, MaxChunkSize: 1 << 20, MaxTotal: 16 << 20}},
		{"fewer chunks", ioctlResponse(wire.StatusInvalidParameter, limits(8, 8<<20, 64<<20)), true,
			CopyLimits{MaxChunks: 8, MaxChunkSize: 4 << 20, MaxTotal: 64 << 20}},
		{"limits the request kept to", ioctlResponse(wire.StatusInvalidParameter, limits(64, 4<<20, 64<<20)), false, start},
		{"larger limits", ioctlResponse(wire.StatusInvalidParameter, limits(1000, 16<<20, 1<<30)), false, start},
		{"a zero limit", ioctlResponse(wire.StatusInvalidParameter, limits(0, 1<<20, 16<<20)), false, start},
		{"short output", ioctlResponse(wire.StatusInvalidParameter, limits(8, 1, 1)[:11]), false, start},
		{"SMB2 ERROR body", errorBody, false, start},
		{"no response", nil, false, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &serverCopy{limits: start}
			// The refused request: 16 chunks of 4 MiB.
			sub := int64(64 << 20)
			req := sc.request(0, sub, start)
			if got := sc.adopt(tt.resp, req, sub); got != tt.adopt {
				t.Fatalf("adopt = %v, want %v", got, tt.adopt)
			}
			if sc.limits != tt.want || sc.adapted != tt.adopt {
				t.Errorf("limits %+v (adapted %v), want %+v", sc.limits, sc.adapted, tt.want)
			}
		})
	}
}

func TestCopyChunkRequestCutting(t *testing.T) {
	sc := &serverCopy{srcOff: 100, dstOff: 7}
	req := sc.request(1000, 2500, CopyLimits{MaxChunks: 3, MaxChunkSize: 1000, MaxTotal: 3000})
	want := []wire.CopyChunk{
		{SourceOffset: 1100, TargetOffset: 1007, Length: 1000},
		{SourceOffset: 2100, TargetOffset: 2007, Length: 1000},
		{SourceOffset: 3100, TargetOffset: 3007, Length: 500},
	}
	if !slices.Equal(req.Chunks, want) {
		t.Fatalf("chunks %+v, want %+v", req.Chunks, want)
	}
}

func TestFallsBack(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&protocol.StatusError{Command: wire.CommandIoctl, Status: wire.StatusNotSupported}, true},
		{&protocol.StatusError{Command: wire.CommandIoctl, Status: wire.StatusInvalidDeviceRequest}, true},
		{&protocol.StatusError{Command: wire.CommandIoctl, Status: wire.StatusObjectNameNotFound}, true},
		{&protocol.StatusError{Command: wire.CommandIoctl, Status: statusInvalidViewSize}, true},
		{fmt.Errorf("x: %w", errShortCopy), true},
		{&protocol.StatusError{Command: wire.CommandIoctl, Status: wire.StatusDiskFull}, false},
		{context.Canceled, false},
		{&protocol.ConnectionError{Op: "read frame", Err: io.ErrUnexpectedEOF}, false},
	}
	for _, tt := range tests {
		if got := fallsBack(tt.err); got != tt.want {
			t.Errorf("fallsBack(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
