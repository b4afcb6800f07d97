package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

// copyKey is a resume key as Samba builds it: the source open's persistent
// and volatile ids, little-endian, then 8 zero bytes.
var copyKey = [ResumeKeySize]byte{
	0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,
	0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0,
}

// The layouts below follow the field tables of MS-SMB2 2.2.31.1 (SourceKey,
// ChunkCount, Reserved, Chunks), 2.2.31.1.1 (SourceOffset, TargetOffset,
// Length, Reserved), 2.2.32.1 and 2.2.32.3.
func TestCopyChunkRequestLayout(t *testing.T) {
	tests := []struct {
		name string
		req  CopyChunkRequest
		hex  string
	}{
		{"no chunks", CopyChunkRequest{SourceKey: copyKey},
			"1122334400000000" + "5566778800000000" + "0000000000000000" + // SourceKey
				"00000000" + "00000000"}, // ChunkCount, Reserved
		{"two chunks", CopyChunkRequest{SourceKey: copyKey, Chunks: []CopyChunk{
			{SourceOffset: 0, TargetOffset: 0x100000, Length: 0x100000},
			{SourceOffset: 0x123456789A, TargetOffset: 1, Length: 7},
		}},
			"1122334400000000" + "5566778800000000" + "0000000000000000" +
				"02000000" + "00000000" +
				"0000000000000000" + "0000100000000000" + "00001000" + "00000000" +
				"9A78563412000000" + "0100000000000000" + "07000000" + "00000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			got := tt.req.Encode(nil)
			if !bytes.Equal(got, want) {
				t.Fatalf("Encode\n% X\nwant\n% X", got, want)
			}
			if len(got) != tt.req.EncodedLen() {
				t.Errorf("EncodedLen %d, encoded %d bytes", tt.req.EncodedLen(), len(got))
			}
			var back CopyChunkRequest
			if err := back.Decode(want); err != nil {
				t.Fatal(err)
			}
			if back.SourceKey != tt.req.SourceKey || len(back.Chunks) != len(tt.req.Chunks) ||
				(len(back.Chunks) > 0 && !reflect.DeepEqual(back.Chunks, tt.req.Chunks)) {
				t.Errorf("Decode = %+v, want %+v", back, tt.req)
			}
		})
	}
}

func TestCopyChunkResponseLayout(t *testing.T) {
	tests := []struct {
		name string
		resp CopyChunkResponse
		hex  string
	}{
		// The limits Samba and Windows report with STATUS_INVALID_PARAMETER:
		// 256 chunks, 1 MiB per chunk, 16 MiB per request.
		{"limits", CopyChunkResponse{ChunksWritten: 256, ChunkBytesWritten: 1 << 20, TotalBytesWritten: 16 << 20},
			"00010000" + "00001000" + "00000001"},
		{"partial", CopyChunkResponse{ChunksWritten: 3, ChunkBytesWritten: 0x1234, TotalBytesWritten: 0x301234},
			"03000000" + "34120000" + "34123000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, _ := hex.DecodeString(tt.hex)
			if got := tt.resp.Encode(nil); !bytes.Equal(got, want) {
				t.Fatalf("Encode\n% X\nwant\n% X", got, want)
			}
			var back CopyChunkResponse
			if err := back.Decode(want); err != nil || back != tt.resp {
				t.Fatalf("Decode = %+v, %v", back, err)
			}
		})
	}
}

func TestResumeKeyResponseLayout(t *testing.T) {
	r := ResumeKeyResponse{ResumeKey: copyKey}
	enc := r.Encode(nil)
	want := append(append([]byte(nil), copyKey[:]...), 0, 0, 0, 0)
	if !bytes.Equal(enc, want) || len(enc) != ResumeKeyResponseSize {
		t.Fatalf("Encode\n% X\nwant\n% X", enc, want)
	}
	// A server may append a context; it is ignored.
	var back ResumeKeyResponse
	if err := back.Decode(append(enc, 0xAA, 0xBB)); err != nil || back != r {
		t.Fatalf("Decode = %+v, %v", back, err)
	}
}

func TestCopyChunkDecodeErrors(t *testing.T) {
	full := (&CopyChunkRequest{SourceKey: copyKey, Chunks: []CopyChunk{{Length: 1}, {Length: 2}}}).Encode(nil)
	huge := bytes.Clone(full)
	huge[ResumeKeySize], huge[ResumeKeySize+1], huge[ResumeKeySize+2], huge[ResumeKeySize+3] = 0xFF, 0xFF, 0xFF, 0xFF
	tests := []struct {
		name   string
		decode func([]byte) error
		in     []byte
	}{
		{"request shorter than its header", new(CopyChunkRequest).Decode, full[:copyChunkHeaderSize-1]},
		{"request missing its last chunk", new(CopyChunkRequest).Decode, full[:len(full)-1]},
		{"request with ChunkCount 0xFFFFFFFF", new(CopyChunkRequest).Decode, huge},
		{"response of 11 bytes", new(CopyChunkResponse).Decode, make([]byte, 11)},
		{"resume key of 23 bytes", new(ResumeKeyResponse).Decode, make([]byte, 23)},
		{"nothing", new(CopyChunkResponse).Decode, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.decode(tt.in); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode = %v, want ErrMalformed", err)
			}
		})
	}
}

// FuzzCopyChunk feeds the three server-side copy decoders; whatever decodes
// must re-encode to the bytes it came from (reserved fields aside).
func FuzzCopyChunk(f *testing.F) {
	f.Add((&CopyChunkRequest{SourceKey: copyKey}).Encode(nil))
	f.Add((&CopyChunkRequest{SourceKey: copyKey, Chunks: []CopyChunk{
		{SourceOffset: 0, TargetOffset: 0, Length: 1 << 20},
		{SourceOffset: 1 << 20, TargetOffset: 1 << 20, Length: 1 << 20},
	}}).Encode(nil))
	f.Add((&CopyChunkResponse{ChunksWritten: 256, ChunkBytesWritten: 1 << 20, TotalBytesWritten: 16 << 20}).Encode(nil))
	f.Add((&ResumeKeyResponse{ResumeKey: copyKey}).Encode(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var req CopyChunkRequest
		if err := req.Decode(b); err == nil {
			enc := req.Encode(nil)
			if len(enc) > len(b) {
				t.Fatalf("decoded %d chunks from %d bytes", len(req.Chunks), len(b))
			}
			var again CopyChunkRequest
			if err := again.Decode(enc); err != nil || again.SourceKey != req.SourceKey || len(again.Chunks) != len(req.Chunks) {
				t.Fatalf("request round trip: %v", err)
			}
			for i := range req.Chunks {
				if again.Chunks[i] != req.Chunks[i] {
					t.Fatalf("chunk %d: %+v != %+v", i, again.Chunks[i], req.Chunks[i])
				}
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		var resp CopyChunkResponse
		if err := resp.Decode(b); err == nil {
			if enc := resp.Encode(nil); !bytes.Equal(enc, b[:CopyChunkResponseSize]) {
				t.Fatalf("response re-encoded as % X from % X", enc, b[:CopyChunkResponseSize])
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		var key ResumeKeyResponse
		if err := key.Decode(b); err == nil {
			if !bytes.Equal(key.ResumeKey[:], b[:ResumeKeySize]) {
				t.Fatal("resume key is not the first 24 bytes")
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
	})
}
