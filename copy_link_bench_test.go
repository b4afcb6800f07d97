//go:build linkbench

package smbfs_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/bench/linkproxy"
	"github.com/smbfs/smbfs/pipeline"
)

// BenchmarkCopyLink is BenchmarkCopy through an emulated link
// (bench/linkproxy's LAN and WAN profiles), at several copy-chunk depths:
// the figures behind the default depth. It needs the linkbench build tag:
//
//	go test -tags linkbench -run '^$' -bench BenchmarkCopyLink -benchtime 3x -count 5 .
func BenchmarkCopyLink(b *testing.B) {
	const size = 100 << 20
	for _, p := range []linkproxy.Profile{linkproxy.LAN(), linkproxy.WAN()} {
		px, err := linkproxy.Start(servers.main.Addr(), p)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { px.Close() })
		u, err := url.Parse(servers.main.URL("private", &user))
		if err != nil {
			b.Fatal(err)
		}
		u.Host = px.Addr()
		root, err := smbfs.Dial(context.Background(), u.String())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { root.Close() })
		fsys := scratch(b, root) // removed before the FS and proxy close
		if err := fsys.WriteFile("src", randomBytes(size), 0o666); err != nil {
			b.Fatal(err)
		}
		for _, bm := range []struct {
			name string
			o    pipeline.CopyOptions
		}{
			{"server-side-depth1", pipeline.CopyOptions{Depth: 1}},
			{"server-side-depth2", pipeline.CopyOptions{Depth: 2}},
			{"server-side-depth4", pipeline.CopyOptions{Depth: 4}},
			{"server-side-depth8", pipeline.CopyOptions{Depth: 8}},
			{"client-side", pipeline.CopyOptions{ClientSide: true}},
		} {
			b.Run(p.Name+"/"+bm.name, func(b *testing.B) {
				b.SetBytes(size)
				for b.Loop() {
					if _, err := fsys.CopyForTest("src", "dst", bm.o); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
