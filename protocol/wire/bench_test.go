package wire

import (
	"testing"
)

// The hot path of a transfer, per chunk: encoding a WRITE (header, body
// and data) into a reused buffer, and decoding a READ response's header
// and body, whose Data aliases the frame. MB/s counts the chunk's data;
// allocs/op are per chunk, so per MiB moved they are allocs/op ÷ (size in
// MiB).

var benchChunkSizes = []struct {
	name string
	size int
}{{"64KiB", 64 << 10}, {"1MiB", 1 << 20}}

func BenchmarkEncodeWrite(b *testing.B) {
	for _, sz := range benchChunkSizes {
		b.Run(sz.name, func(b *testing.B) {
			data := make([]byte, sz.size)
			buf := make([]byte, 0, HeaderSize+WriteRequestFixedSize+sz.size)
			h := Header{Command: CommandWrite, CreditCharge: uint16((sz.size + 65535) / 65536), Credits: 64, MessageID: 7, TreeID: 1, SessionID: 2}
			req := WriteRequest{Offset: 1 << 30, FileID: FileID{Persistent: 1, Volatile: 2}, Data: data}
			b.SetBytes(int64(sz.size))
			b.ReportAllocs()
			for b.Loop() {
				msg := h.Encode(buf[:0])
				msg = req.Encode(msg)
				if len(msg) != HeaderSize+WriteRequestFixedSize+sz.size {
					b.Fatalf("encoded %d bytes", len(msg))
				}
			}
		})
	}
}

func BenchmarkDecodeRead(b *testing.B) {
	for _, sz := range benchChunkSizes {
		b.Run(sz.name, func(b *testing.B) {
			h := Header{Command: CommandRead, Flags: FlagServerToRedir, Credits: 64, MessageID: 7, TreeID: 1, SessionID: 2}
			msg := h.Encode(nil)
			body := make([]byte, 16)
			le.PutUint16(body[0:], 17)
			body[2] = HeaderSize + 16 // DataOffset
			le.PutUint32(body[4:], uint32(sz.size))
			msg = append(msg, body...)
			msg = append(msg, make([]byte, sz.size)...)
			b.SetBytes(int64(sz.size))
			b.ReportAllocs()
			var r ReadResponse
			for b.Loop() {
				hdr, err := DecodeHeader(msg)
				if err != nil || hdr.Command != CommandRead {
					b.Fatal(hdr, err)
				}
				if err := r.Decode(msg); err != nil || len(r.Data) != sz.size {
					b.Fatal(len(r.Data), err)
				}
			}
		})
	}
}
