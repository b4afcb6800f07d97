package protocol

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/pierrec/lz4/v4"

	"github.com/smbfs/smbfs/protocol/smbcrypto"

	"github.com/smbfs/smbfs/protocol/wire"
)

// peerDecompress expands a compressed frame the way a server would, written
// here independently of compress.go: parse the MS-SMB2 2.2.42 layout, then
// LZ4 blocks with the library, NONE and Pattern_V1 by hand.
func peerDecompress(t testing.TB, frame []byte) []byte {
	t.Helper()
	m, err := wire.ParseCompressed(frame)
	if err != nil {
		t.Fatalf("peer: client sent a bad compressed frame: %v", err)
	}
	lz := func(src []byte, n int) []byte {
		out := make([]byte, n)
		if got, err := lz4.UncompressBlock(src, out); err != nil || got != n {
			t.Fatalf("peer: LZ4 block: %d of %d bytes, %v", got, n, err)
		}
		return out
	}
	var out []byte
	if u := m.Unchained; u != nil {
		if u.Algorithm != wire.CompressionLZ4 {
			t.Fatalf("peer: unchained algorithm %#x", u.Algorithm)
		}
		out = append(append(out, u.Uncompressed...), lz(u.Compressed, int(u.OriginalSize)-len(u.Uncompressed))...)
	} else {
		for _, p := range m.Chained.Payloads {
			switch p.Algorithm {
			case wire.CompressionNone:
				out = append(out, p.Data...)
			case wire.CompressionPatternV1:
				c, n, _ := wire.ParsePatternV1(p.Data)
				out = append(out, bytes.Repeat([]byte{c}, int(n))...)
			case wire.CompressionLZ4:
				out = append(out, lz(p.Data, int(p.OriginalSize))...)
			default:
				t.Fatalf("peer: chained algorithm %#x", p.Algorithm)
			}
		}
		if len(out) != int(m.Chained.OriginalSize) {
			t.Fatalf("peer: decompressed %d bytes, header says %d", len(out), m.Chained.OriginalSize)
		}
	}
	return out
}

// compressionNeg is a 3.1.1 NEGOTIATE response granting LZ4 (and
// Pattern_V1 and chaining, when chained).
func compressionNeg(chained bool) negResp {
	n := defaultNeg(wire.Dialect311)
	algs, flags := []uint16{wire.CompressionLZ4}, uint32(0)
	if chained {
		algs, flags = []uint16{wire.CompressionLZ4, wire.CompressionPatternV1}, wire.CompressionFlagChained
	}
	n.contexts = append(n.contexts, wire.CompressionContext(algs, flags))
	return n
}

// compressibleData is text-like data with a long run of zeros at the end.
func compressibleData() []byte {
	b := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. "), 1500)
	return append(b, make([]byte, 20000)...)
}

// connectTree sets up a session and a tree with the given share flags.
func connectTree(t *testing.T, c *Conn, p *peer, flags wire.ShareFlags) *Tree {
	t.Helper()
	s := p.session(c, sessOpts{})
	call := goAsync(func() (*Tree, error) { return s.TreeConnect(context.Background(), "share") })
	m := p.wantMsg(wire.CommandTreeConnect)
	r := respTo(m, 0, 64, treeConnectBody(flags))
	r.h.TreeID = 7
	p.send(r.signed())
	tree, err := call.wait(t)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestCompressionNegotiation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cli, p := newPeer(t)
		res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, nil) })
		m := p.wantMsg(wire.CommandNegotiate)
		req := parseNegReq(t, m.msg)
		data, ok := req.context(wire.ContextCompression)
		if !ok {
			t.Fatal("no compression context offered")
		}
		algs, flags, err := wire.ParseCompression(data)
		if err != nil || flags != wire.CompressionFlagChained || len(algs) != 2 || algs[0] != wire.CompressionLZ4 || algs[1] != wire.CompressionPatternV1 {
			t.Fatalf("offered %v flags %#x, %v", algs, flags, err)
		}
		p.answerNegotiate(m, compressionNeg(true))
		c, err := res.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if !c.compressLZ4 || !c.compressPattern || !c.compressChained {
			t.Fatalf("negotiated lz4 %v pattern %v chained %v", c.compressLZ4, c.compressPattern, c.compressChained)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		cli, p := newPeer(t)
		res := goAsync(func() (*Conn, error) { return NewConn(context.Background(), cli, &Config{Compression: CompressOff}) })
		m := p.wantMsg(wire.CommandNegotiate)
		if _, ok := parseNegReq(t, m.msg).context(wire.ContextCompression); ok {
			t.Error("compression offered with CompressOff")
		}
		p.answerNegotiate(m, defaultNeg(wire.Dialect311))
		c, err := res.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	})
}

// TestCompressedWrite: on a share that asks for compression, a compressible
// WRITE goes out compressed — chained with a Pattern_V1 tail when chaining
// was negotiated, unchained LZ4 otherwise — and decompresses (by the
// server's own means) to exactly the signed message; random data goes out
// as it is.
func TestCompressedWrite(t *testing.T) {
	for _, chained := range []bool{true, false} {
		name := map[bool]string{true: "chained", false: "unchained"}[chained]
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := compressionNeg(chained)
				n.secMode |= wire.SigningRequired
				c, p := handshake(t, nil, n)
				tree := connectTree(t, c, p, wire.ShareFlagCompressData)
				data := compressibleData()
				call := goAsync(func() (*Response, error) {
					return tree.Do(context.Background(), &wire.WriteRequest{FileID: wire.FileID{Persistent: 1, Volatile: 2}, Data: data})
				})
				f := p.wantFrame()
				if f.compressed == nil {
					t.Fatal("compressible WRITE sent uncompressed")
				}
				if len(f.compressed) > len(data)/4 {
					t.Errorf("compressed to %d bytes from %d", len(f.compressed), len(data))
				}
				m, err := wire.ParseCompressed(f.compressed)
				if err != nil {
					t.Fatal(err)
				}
				if chained {
					pl := m.Chained.Payloads
					if m.Chained == nil || len(pl) != 3 || pl[0].Algorithm != wire.CompressionNone || pl[1].Algorithm != wire.CompressionLZ4 || pl[2].Algorithm != wire.CompressionPatternV1 || pl[2].OriginalSize != 20000 {
						t.Fatalf("chained payloads %+v", m.Chained)
					}
				} else if m.Unchained == nil || m.Unchained.Algorithm != wire.CompressionLZ4 || len(m.Unchained.Uncompressed) != wire.HeaderSize+wire.WriteRequestFixedSize {
					t.Fatalf("unchained form %+v", m.Unchained)
				}
				msg := f.msgs[0]
				if msg.Flags&wire.FlagSigned == 0 {
					t.Fatal("WRITE not signed")
				}
				if !smbVerify(p, msg.msg) {
					t.Fatal("signature over the decompressed message does not verify: sign, then compress")
				}
				body := msg.msg[wire.HeaderSize:]
				if got := body[wire.WriteRequestFixedSize:]; !bytes.Equal(got, data) {
					t.Fatalf("decompressed WRITE data differs (%d bytes)", len(got))
				}
				p.send(respTo(msg, 0, 16, writeBody(len(data))).signed())
				if _, err := call.wait(t); err != nil {
					t.Fatal(err)
				}

				// Incompressible data travels as it is.
				random := make([]byte, 64<<10)
				rand.Read(random)
				call = goAsync(func() (*Response, error) {
					return tree.Do(context.Background(), &wire.WriteRequest{FileID: wire.FileID{Persistent: 1}, Data: random})
				})
				f = p.wantFrame()
				if f.compressed != nil {
					t.Error("random data sent compressed")
				}
				p.send(respTo(f.msgs[0], 0, 16, writeBody(len(random))).signed())
				if _, err := call.wait(t); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestCompressedReadResponses: READs ask for compression, and compressed
// responses of every form — unchained LZ4, chained NONE+LZ4+Pattern_V1,
// compressed then encrypted — decode to the exact data.
func TestCompressedReadResponses(t *testing.T) {
	data := compressibleData()
	lzBlock := func(src []byte) []byte {
		b := make([]byte, lz4.CompressBlockBound(len(src)))
		n, err := lz4.CompressBlock(src, b, nil)
		if err != nil || n == 0 {
			t.Fatal(n, err)
		}
		return b[:n]
	}
	forms := map[string]func(msg []byte) []byte{
		"unchained": func(msg []byte) []byte {
			keep := wire.HeaderSize + 16
			return wire.AppendUnchainedCompressed(nil, &wire.UnchainedCompressed{OriginalSize: uint32(len(msg)), Algorithm: wire.CompressionLZ4, Uncompressed: msg[:keep], Compressed: lzBlock(msg[keep:])})
		},
		"chained": func(msg []byte) []byte {
			keep := wire.HeaderSize + 16
			body := msg[keep : len(msg)-20000]
			return wire.AppendChainedCompressed(nil, &wire.ChainedCompressed{OriginalSize: uint32(len(msg)), Payloads: []wire.CompressedPayload{
				{Algorithm: wire.CompressionNone, OriginalSize: uint32(keep), Data: msg[:keep]},
				{Algorithm: wire.CompressionLZ4, OriginalSize: uint32(len(body)), Data: lzBlock(body)},
				wire.PatternV1(0, 20000),
			}})
		},
	}
	for name, form := range forms {
		for _, encrypted := range []bool{false, true} {
			t.Run(name+map[bool]string{true: "-encrypted", false: ""}[encrypted], func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					c, p := handshake(t, &Config{Compression: CompressAlways}, compressionNeg(true))
					s := p.session(c, sessOpts{flags: map[bool]wire.SessionFlags{true: wire.SessionEncryptData}[encrypted]})
					req := s.Request(&wire.ReadRequest{Length: uint32(len(data)), FileID: wire.FileID{Persistent: 3}})
					req.TreeID, req.Compress = 9, true
					call := goSend(context.Background(), c, req)
					f := p.wantFrame()
					rr := f.msgs[0].msg[wire.HeaderSize:]
					if wire.ReadFlags(rr[3])&wire.ReadFlagRequestCompressed == 0 {
						t.Error("READ does not ask for a compressed response")
					}
					resp := p.chain(respTo(f.msgs[0], 0, 16, readBody(data)))
					frame := form(resp)
					if encrypted {
						frame = p.seal(frame)
					}
					p.writeFrame(frame)
					resps, err := call.wait(t)
					if err != nil {
						t.Fatal(err)
					}
					var r wire.ReadResponse
					if err := resps[0].Decode(&r); err != nil || !bytes.Equal(r.Data, data) {
						t.Fatalf("read back %d bytes, %v", len(r.Data), err)
					}
					if resps[0].Encrypted != encrypted {
						t.Errorf("Encrypted = %v", resps[0].Encrypted)
					}
				})
			})
		}
	}
}

// TestDecompressionBounded: a server cannot make the client allocate or
// write beyond the negotiated sizes.
func TestDecompressionBounded(t *testing.T) {
	hdr := make([]byte, wire.HeaderSize)
	bombs := map[string][]byte{
		"huge original size": wire.AppendChainedCompressed(nil, &wire.ChainedCompressed{OriginalSize: 1 << 30, Payloads: []wire.CompressedPayload{wire.PatternV1(0, 1<<30)}}),
		"pattern overruns": wire.AppendChainedCompressed(nil, &wire.ChainedCompressed{OriginalSize: 100, Payloads: []wire.CompressedPayload{
			{Algorithm: wire.CompressionNone, OriginalSize: 64, Data: hdr}, wire.PatternV1(0, 1000)}}),
		"lz4 longer than claimed": wire.AppendUnchainedCompressed(nil, &wire.UnchainedCompressed{OriginalSize: 70, Algorithm: wire.CompressionLZ4,
			Uncompressed: hdr, Compressed: func() []byte {
				src := bytes.Repeat([]byte{'a'}, 5000)
				b := make([]byte, lz4.CompressBlockBound(len(src)))
				n, _ := lz4.CompressBlock(src, b, nil)
				return b[:n]
			}()}),
		"unknown algorithm": wire.AppendUnchainedCompressed(nil, &wire.UnchainedCompressed{OriginalSize: 70, Algorithm: wire.CompressionLZNT1, Uncompressed: hdr, Compressed: []byte{1, 2, 3}}),
	}
	for name, frame := range bombs {
		if _, err := decompress(frame, 8<<20); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("%s: %v; want an error wrapping ErrMalformed", name, err)
		}
	}
	// Over the wire the connection fails with a clear error.
	synctest.Test(t, func(t *testing.T) {
		c, p := handshake(t, nil, compressionNeg(true))
		call := goSend(context.Background(), c, echo())
		p.wantMsg(wire.CommandEcho)
		p.writeFrame(bombs["huge original size"])
		_, err := call.wait(t)
		if !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("bomb over the wire: %v", err)
		}
	})
}

// TestLZ4BlockVector decodes an LZ4 block derived by hand from the LZ4
// block format: a sequence of 8 literals and a 16-byte match at offset 8,
// then a final sequence of 5 literals.
func TestLZ4BlockVector(t *testing.T) {
	block := []byte{0x8C, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x08, 0x00, 0x50, '1', '2', '3', '4', '5'}
	want := "abcdefgh" + "abcdefghabcdefgh" + "12345"
	hdr := make([]byte, wire.HeaderSize)
	frame := wire.AppendChainedCompressed(nil, &wire.ChainedCompressed{OriginalSize: uint32(64 + len(want) + 3), Payloads: []wire.CompressedPayload{
		{Algorithm: wire.CompressionNone, OriginalSize: 64, Data: hdr},
		{Algorithm: wire.CompressionLZ4, OriginalSize: uint32(len(want)), Data: block},
		wire.PatternV1('z', 3),
	}})
	got, err := decompress(frame, 1<<20)
	if err != nil || string(got[64:]) != want+"zzz" {
		t.Fatalf("decompress: %q, %v", got[min(64, len(got)):], err)
	}
}

func TestCompressMessageRoundTrip(t *testing.T) {
	msg := append(make([]byte, 112), compressibleData()...)
	for _, f := range []struct{ chained, pattern bool }{{false, false}, {true, false}, {true, true}} {
		comp := compressMessage(msg, 112, f.chained, f.pattern)
		if comp == nil || len(comp) >= len(msg) {
			t.Fatalf("%+v: not compressed", f)
		}
		back, err := decompress(comp, 1<<20)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("%+v: round trip failed: %v", f, err)
		}
	}
	// All zeros: a NONE header and one Pattern_V1 payload.
	zeros := make([]byte, 112+65536)
	comp := compressMessage(zeros, 112, true, true)
	if comp == nil || len(comp) > 200 {
		t.Fatalf("zeros compressed to %d bytes", len(comp))
	}
	if back, err := decompress(comp, 1<<20); err != nil || !bytes.Equal(back, zeros) {
		t.Fatalf("zeros round trip: %v", err)
	}
}

func FuzzDecompress(f *testing.F) {
	f.Add(compressMessage(append(make([]byte, 112), compressibleData()...), 112, true, true))
	f.Add(compressMessage(append(make([]byte, 112), compressibleData()...), 112, false, false))
	f.Fuzz(func(t *testing.T, frame []byte) {
		out, err := decompress(frame, 1<<20)
		if err == nil && len(out) > 1<<20 {
			t.Fatalf("decompressed %d bytes past the limit", len(out))
		}
		if err != nil && !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("error not wrapping ErrMalformed: %v", err)
		}
	})
}

// writeBody is a WRITE response body reporting count bytes written
// (MS-SMB2 2.2.22).
func writeBody(count int) []byte {
	b := []byte{17, 0, 0, 0}
	b = append(b, byte(count), byte(count>>8), byte(count>>16), byte(count>>24))
	return append(b, make([]byte, 9)...)
}

// smbVerify checks a client message's signature with the peer's key.
func smbVerify(p *peer, msg []byte) bool {
	return smbcrypto.Verify(p.sess.signer, bytes.Clone(msg))
}
