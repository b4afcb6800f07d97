package pipeline

import (
	"context"
	"testing"
)

// BenchmarkRunWindow measures the window's own scheduling: 64 MiB in
// chunks, each "request" a memmove of its chunk, so what is left over the
// copy is the cost of handing chunks to the workers and collecting their
// counts. MB/s counts the data; allocs/op are per 64 MiB.
func BenchmarkRunWindow(b *testing.B) {
	const total = 64 << 20
	src := make([]byte, total)
	dst := make([]byte, total)
	for _, bc := range []struct {
		name          string
		chunk, window int
	}{
		{"1MiB-w8", 1 << 20, 8},
		{"64KiB-w8", 64 << 10, 8},
		{"64KiB-w32", 64 << 10, 32},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := &Share{window: bc.window}
			ctx := context.Background()
			b.SetBytes(total)
			b.ReportAllocs()
			for b.Loop() {
				counts, err := s.runWindow(ctx, total, bc.chunk, func(_ context.Context, i int) (int, bool, error) {
					lo := i * bc.chunk
					return copy(dst[lo:min(lo+bc.chunk, total)], src[lo:]), false, nil
				})
				if err != nil || prefixCount(counts, bc.chunk, total) != total {
					b.Fatal(err)
				}
			}
		})
	}
}
