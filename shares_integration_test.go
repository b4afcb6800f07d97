package smbfs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smbfs/smbfs"
	"github.com/smbfs/smbfs/fstest/samba"
	"github.com/smbfs/smbfs/protocol"
	"github.com/smbfs/smbfs/protocol/dcerpc"
	"github.com/smbfs/smbfs/protocol/srvsvc"
)

// connectAs logs in to srv as u (nil: guest) and closes the client at
// cleanup.
func connectAs(t testing.TB, srv *samba.Server, u *samba.User) *smbfs.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := smbfs.Connect(ctx, srv.URL("", u))
	if err != nil {
		t.Fatalf("Connect %s: %v", srv.Name(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// listShares calls Shares with a deadline.
func listShares(t testing.TB, c *smbfs.Client) []smbfs.Share {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shares, err := c.Shares(ctx)
	if err != nil {
		t.Fatalf("Shares: %v", err)
	}
	return shares
}

// checkShares compares a listing with the shares of cfg plus IPC$, in
// the server's order (Samba lists configured shares in order, then IPC$).
func checkShares(t *testing.T, got []smbfs.Share, cfg samba.Config) {
	t.Helper()
	if len(got) != len(cfg.Shares)+1 {
		t.Fatalf("%d shares listed, want %d and IPC$: %+v", len(got), len(cfg.Shares), got)
	}
	for i, want := range cfg.Shares {
		g := got[i]
		if g.Name != want.Name || g.Comment != want.Comment || g.Type != smbfs.ShareDisk || g.Special || g.Temporary || g.Hidden {
			t.Errorf("share %d: got %+v, want disk share %q with comment %q", i, g, want.Name, want.Comment)
		}
	}
	ipc := got[len(got)-1]
	// Samba's IPC$ remark is "IPC Service (<server string>)".
	if ipc.Name != "IPC$" || ipc.Type != smbfs.ShareIPC || !ipc.Special || !ipc.Hidden || ipc.Temporary ||
		!strings.HasPrefix(ipc.Comment, "IPC Service (") {
		t.Errorf("IPC$: got %+v, want a hidden, special IPC share with Samba's comment", ipc)
	}
}

func TestSharesMain(t *testing.T) {
	for _, tc := range []struct {
		name string
		user *samba.User
	}{{"guest", nil}, {"user", &user}} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectAs(t, servers.main, tc.user)
			checkShares(t, listShares(t, c), samba.Main())
			// A second listing on the same client works too: the
			// first one cleaned up its IPC$ tree and pipe.
			checkShares(t, listShares(t, c), samba.Main())
			// And the client still mounts shares afterwards.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			fsys, err := c.Mount(ctx, "ro")
			if err != nil {
				t.Fatalf("Mount after Shares: %v", err)
			}
			fsys.Close()
		})
	}
}

func TestShareTypeString(t *testing.T) {
	for typ, want := range map[smbfs.ShareType]string{
		smbfs.ShareDisk: "disk", smbfs.SharePrinter: "printer", smbfs.ShareDevice: "device",
		smbfs.ShareIPC: "IPC", smbfs.ShareType(9): "ShareType(9)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", uint32(typ), got, want)
		}
	}
}

// manySharesConfig is a server with n shares whose comments are about 205
// characters long (some with non-ASCII text), with the RPC service.
func manySharesConfig(name string, n int, global ...[2]string) samba.Config {
	cfg := samba.Config{Name: name, RPC: true, Users: []samba.User{user}, Global: global}
	for i := range n {
		head := fmt.Sprintf("comment %03d ", i)
		if i%2 == 1 {
			head = fmt.Sprintf("Grüße %03d ✓ ", i)
		}
		cfg.Shares = append(cfg.Shares, samba.Share{
			Name:    fmt.Sprintf("share%03d", i),
			Comment: head + strings.Repeat("x", 205-len([]rune(head))),
			Guest:   true,
		})
	}
	return cfg
}

// recordingTransport passes a protocol.Pipe through to the DCE/RPC client
// and keeps what the server sent, so a test can count the fragments. A
// non-zero maxOut replaces the transceive size the client asks for.
type recordingTransport struct {
	pipe        *protocol.Pipe
	maxOut      int
	received    []byte
	reads       int
	maxTransact int // largest transceive output seen
}

func (r *recordingTransport) Transact(ctx context.Context, in []byte, maxOut int) ([]byte, error) {
	if r.maxOut > 0 {
		maxOut = r.maxOut
	}
	out, err := r.pipe.Transact(ctx, in, maxOut)
	r.received = append(r.received, out...)
	r.maxTransact = max(r.maxTransact, len(out))
	return out, err
}

func (r *recordingTransport) Write(ctx context.Context, data []byte) error {
	return r.pipe.Write(ctx, data)
}

func (r *recordingTransport) ReadMessage(ctx context.Context, limit int) ([]byte, error) {
	r.reads++
	out, err := r.pipe.ReadMessage(ctx, limit)
	r.received = append(r.received, out...)
	return out, err
}

// enumThroughPipe lists shares with the low-level API over rt and returns
// them with the number of response fragments the server sent.
func enumThroughPipe(t *testing.T, c *smbfs.Client, rt *recordingTransport) ([]srvsvc.ShareInfo1, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tree, err := c.Session().TreeConnect(ctx, "IPC$")
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Disconnect(context.Background())
	pipe, err := tree.OpenPipe(ctx, srvsvc.PipeName)
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close(context.Background())
	rt.pipe = pipe
	rpc, err := dcerpc.Bind(ctx, rt, srvsvc.Interface, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt.received = nil // count the call's fragments, not the bind_ack
	infos, err := srvsvc.ShareEnum(ctx, rpc, `\\127.0.0.1`)
	if err != nil {
		t.Fatal(err)
	}
	frags := 0
	for b := rt.received; len(b) > 0; frags++ {
		p, rest, err := dcerpc.SplitPDU(b)
		if err != nil || p == nil {
			t.Fatalf("received stream does not split into PDUs: %v", err)
		}
		if len(p) > int(rpc.BindAck().MaxXmitFrag) {
			t.Errorf("fragment of %d bytes above the negotiated %d", len(p), rpc.BindAck().MaxXmitFrag)
		}
		b = rest
	}
	return infos, frags
}

func TestShares200(t *testing.T) {
	cfg := manySharesConfig("shares200", 200)
	srv := samba.StartT(t, cfg)
	for _, tc := range []struct {
		name string
		user *samba.User
	}{{"guest", nil}, {"user", &user}} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectAs(t, srv, tc.user)
			start := time.Now()
			shares := listShares(t, c)
			t.Logf("listed %d shares in %v", len(shares), time.Since(start))
			checkShares(t, shares, cfg)
		})
	}
	t.Run("fragments", func(t *testing.T) {
		c := connectAs(t, srv, &user)
		rt := &recordingTransport{}
		infos, frags := enumThroughPipe(t, c, rt)
		t.Logf("the reply came in %d fragments, %d bytes, %d pipe reads after the transceive", frags, len(rt.received), rt.reads)
		if len(infos) != 201 {
			t.Errorf("%d shares", len(infos))
		}
		// 200 entries of ~430 bytes cannot fit one 4280-byte fragment.
		if frags < 20 || rt.reads != frags-1 {
			t.Errorf("%d fragments in %d reads: reassembly was not exercised as expected", frags, rt.reads)
		}
	})
	t.Run("BUFFER_OVERFLOW", func(t *testing.T) {
		// A transceive output buffer smaller than a fragment makes the
		// server answer STATUS_BUFFER_OVERFLOW; the pipe reads the rest
		// of each fragment with READ.
		c := connectAs(t, srv, &user)
		rt := &recordingTransport{maxOut: 1000}
		infos, frags := enumThroughPipe(t, c, rt)
		if len(infos) != 201 || infos[199].Name != "share199" || infos[199].Remark != cfg.Shares[199].Comment {
			t.Errorf("%d shares, last configured %+v", len(infos), infos[min(199, len(infos)-1)])
		}
		// A transceive returning more than its 1000-byte buffer got the
		// rest of the fragment by READ after STATUS_BUFFER_OVERFLOW.
		if rt.maxTransact <= 1000 {
			t.Errorf("largest transceive reply %d bytes: the overflow path was not taken", rt.maxTransact)
		}
		t.Logf("%d fragments with a 1000-byte transceive buffer; first fragment %d bytes", frags, rt.maxTransact)
	})
}

func TestSharesSmallTransact(t *testing.T) {
	// The server's MaxTransactSize (4096) is below the 4280-byte fragment
	// it sends: the client must cap MaxOutputResponse and read on after
	// STATUS_BUFFER_OVERFLOW.
	cfg := manySharesConfig("smalltrans", 30, [2]string{"smb2 max trans", "4096"})
	srv := samba.StartT(t, cfg)
	c := connectAs(t, srv, &user)
	if got := c.Conn().MaxTransactSize(); got != 4096 {
		t.Fatalf("MaxTransactSize %d, want 4096", got)
	}
	checkShares(t, listShares(t, c), cfg)
}

// checkNoTreeConnects fails the test if srv still has a tree connect (IPC$
// after a listing): Shares must disconnect what it connected.
func checkNoTreeConnects(t *testing.T, srv *samba.Server) {
	t.Helper()
	st, err := srv.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Tcons) != 0 {
		t.Errorf("tree connects left on the server: %+v", st.Tcons)
	}
}

func TestSharesEncryptedSession(t *testing.T) {
	// Every READ and IOCTL on the pipe is sealed; the reply spans several
	// fragments.
	cfg := manySharesConfig("sharesenc", 40, [2]string{"server smb encrypt", "required"})
	srv := samba.StartT(t, cfg)
	c := connectAs(t, srv, &user)
	checkShares(t, listShares(t, c), cfg)
	st, err := srv.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Sessions) != 1 || st.Sessions[0].EncryptionDegree != "full" {
		t.Errorf("sessions %+v, want one fully encrypted", st.Sessions)
	}
	checkNoTreeConnects(t, srv)
}

func TestSharesWithoutRPCService(t *testing.T) {
	cfg := samba.Config{Name: "norpc", Users: []samba.User{user}, Shares: []samba.Share{{Name: "public", Guest: true}}}
	srv := samba.StartT(t, cfg)
	c := connectAs(t, srv, &user)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	shares, err := c.Shares(ctx)
	elapsed := time.Since(start)
	if err == nil {
		t.Fatalf("listed %+v without an RPC service", shares)
	}
	t.Logf("error after %v: %v", elapsed, err)
	if elapsed > 5*time.Second {
		t.Errorf("took %v: the failure must be prompt, not a timeout", elapsed)
	}
	if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "srvsvc") {
		t.Errorf("error %q should say the server has no srvsvc service and match errors.ErrUnsupported", err)
	}
	checkNoTreeConnects(t, srv)
	// The failed listing left the client usable.
	fsys, err := c.Mount(ctx, "public")
	if err != nil {
		t.Fatalf("Mount after failed Shares: %v", err)
	}
	fsys.Close()
}

func TestSharesCancelled(t *testing.T) {
	c := connectAs(t, servers.main, &user)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Shares(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	checkShares(t, listShares(t, c), samba.Main())
}
