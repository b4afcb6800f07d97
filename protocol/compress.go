package protocol

import (
	"fmt"

	"github.com/pierrec/lz4/v4"

	"github.com/smbfs/smbfs/protocol/wire"
)

// SMB2 compression (MS-SMB2 3.1.4.4, 3.2.5.1.10) with LZ4 and Pattern_V1.
// The client compresses WRITE payloads — only when that makes the message
// smaller — and decompresses whatever the server compressed, refusing
// anything that would decompress beyond what the negotiated sizes allow (no
// decompression bombs).

// minCompressSize is the smallest payload worth trying to compress.
const minCompressSize = 4096

// minPatternRun is the shortest run of one byte sent as a Pattern_V1
// payload rather than left to LZ4.
const minPatternRun = 64

// decompress expands a compressed frame payload into the SMB2 message it
// carries. limit bounds the decompressed size.
func decompress(frame []byte, limit int) ([]byte, error) {
	m, err := wire.ParseCompressed(frame)
	if err != nil {
		return nil, err
	}
	var orig uint32
	if m.Unchained != nil {
		orig = m.Unchained.OriginalSize
	} else {
		orig = m.Chained.OriginalSize
	}
	if int64(orig) > int64(limit) {
		return nil, fmt.Errorf("%w: compressed message claims %d bytes, more than the %d allowed", wire.ErrMalformed, orig, limit)
	}
	out := make([]byte, 0, orig+16) // spare room, as for frames read from the socket
	if u := m.Unchained; u != nil {
		if len(u.Uncompressed) > int(orig) {
			return nil, fmt.Errorf("%w: %d uncompressed bytes exceed the original size %d", wire.ErrMalformed, len(u.Uncompressed), orig)
		}
		out = append(out, u.Uncompressed...)
		if out, err = expand(out, u.Algorithm, u.Compressed, int(orig)-len(out)); err != nil {
			return nil, err
		}
	} else {
		for _, p := range m.Chained.Payloads {
			if int64(len(out))+int64(p.OriginalSize) > int64(orig) {
				return nil, fmt.Errorf("%w: chained payloads exceed the original size %d", wire.ErrMalformed, orig)
			}
			switch p.Algorithm {
			case wire.CompressionNone:
				out = append(out, p.Data...)
			case wire.CompressionPatternV1:
				c, count, _ := wire.ParsePatternV1(p.Data)
				for range count {
					out = append(out, c)
				}
			default:
				if out, err = expand(out, p.Algorithm, p.Data, int(p.OriginalSize)); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(out) != int(orig) {
		return nil, fmt.Errorf("%w: decompressed %d bytes, header said %d", wire.ErrMalformed, len(out), orig)
	}
	return out, nil
}

// expand appends exactly n bytes decompressed from src with algorithm alg.
func expand(out []byte, alg uint16, src []byte, n int) ([]byte, error) {
	if alg != wire.CompressionLZ4 {
		return nil, fmt.Errorf("%w: compression algorithm %#x was not negotiated", wire.ErrMalformed, alg)
	}
	start := len(out)
	out = out[:start+n]
	got, err := lz4.UncompressBlock(src, out[start:])
	if err != nil || got != n {
		return nil, fmt.Errorf("%w: LZ4 block decompressed to %d of %d bytes: %v", wire.ErrMalformed, got, n, err)
	}
	return out, nil
}

// compressMessage returns a compressed frame payload for msg — one SMB2
// message, already signed — whose first keep bytes (header and fixed body)
// travel as they are, or nil when compression would not make it smaller.
// With chained compression negotiated and Pattern_V1 allowed, a run of one
// byte at the end of the data becomes a Pattern_V1 payload.
func compressMessage(msg []byte, keep int, chained, pattern bool) []byte {
	data := msg[keep:]
	if len(data) < minCompressSize {
		return nil
	}
	body, tail := data, 0
	if chained && pattern {
		tail = trailingRun(data)
		if tail < minPatternRun {
			tail = 0
		}
		body = data[:len(data)-tail]
	}
	var block []byte
	if len(body) > 0 {
		block = make([]byte, lz4.CompressBlockBound(len(body)))
		n, err := lz4.CompressBlock(body, block, nil)
		if err != nil || n == 0 || n >= len(body) {
			if tail == 0 {
				return nil // incompressible
			}
			block = nil
		} else {
			block = block[:n]
		}
	}
	if !chained {
		if 16+keep+len(block) >= len(msg) {
			return nil
		}
		return wire.AppendUnchainedCompressed(nil, &wire.UnchainedCompressed{
			OriginalSize: uint32(len(msg)), Algorithm: wire.CompressionLZ4, Uncompressed: msg[:keep], Compressed: block,
		})
	}
	payloads := []wire.CompressedPayload{{Algorithm: wire.CompressionNone, OriginalSize: uint32(keep), Data: msg[:keep]}}
	switch {
	case block != nil:
		payloads = append(payloads, wire.CompressedPayload{Algorithm: wire.CompressionLZ4, OriginalSize: uint32(len(body)), Data: block})
	case len(body) > 0:
		payloads[0].Data = msg[:keep+len(body)]
		payloads[0].OriginalSize = uint32(keep + len(body))
	}
	if tail > 0 {
		payloads = append(payloads, wire.PatternV1(data[len(data)-1], uint32(tail)))
	}
	out := wire.AppendChainedCompressed(nil, &wire.ChainedCompressed{OriginalSize: uint32(len(msg)), Payloads: payloads})
	if len(out) >= len(msg) {
		return nil
	}
	return out
}

// trailingRun returns the length of the run of one byte value that ends b.
func trailingRun(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	last := b[len(b)-1]
	i := len(b) - 1
	for i > 0 && b[i-1] == last {
		i--
	}
	return len(b) - i
}
