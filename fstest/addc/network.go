package addc

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// linkPrefix starts the name of both ends of every DC's veth pair.
const linkPrefix = "adc"

// subnetPool is where each DC's /30 comes from: 198.18.0.0/15 is reserved
// for network benchmark tests (RFC 2544), so no real network uses it.
var subnetPool = netip.MustParsePrefix("198.18.0.0/15")

// link is one DC's point-to-point network: a /30 with the host end at .1
// and the DC at .2, over a veth pair.
type link struct {
	hostIf, nsIf string // interface names (at most 15 characters)
	hostIP, dcIP netip.Addr
	prefixBits   int
	subnet       netip.Prefix
}

// newLink picks random interface names and a random /30 of the pool that
// no interface of the host uses.
func newLink() (link, error) {
	used, err := hostPrefixes()
	if err != nil {
		return link{}, err
	}
	for range 64 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return link{}, err
		}
		id := hex.EncodeToString(b[:4])
		// The pool has 2^15 addresses: 2^13 blocks of four.
		block := binary.BigEndian.Uint32(b[4:]) % (1 << (32 - subnetPool.Bits() - 2))
		base := subnetPool.Addr().As4()
		n := binary.BigEndian.Uint32(base[:]) + block*4
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], n)
		subnet := netip.PrefixFrom(netip.AddrFrom4(a), 30)
		if overlaps(used, subnet) {
			continue
		}
		l := link{
			hostIf:     linkPrefix + id + "h",
			nsIf:       linkPrefix + id + "n",
			hostIP:     subnet.Addr().Next(),
			prefixBits: 30,
			subnet:     subnet,
		}
		l.dcIP = l.hostIP.Next()
		return l, nil
	}
	return link{}, fmt.Errorf("addc: no free /30 in %v", subnetPool)
}

// hostPrefixes lists the networks of the host's interface addresses.
func hostPrefixes() ([]netip.Prefix, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("addc: list interface addresses: %w", err)
	}
	var out []netip.Prefix
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out, nil
}

// overlaps reports whether p shares an address with any of ps.
func overlaps(ps []netip.Prefix, p netip.Prefix) bool {
	for _, q := range ps {
		if q.Overlaps(p) {
			return true
		}
	}
	return false
}

// createVeth makes the veth pair with its namespace end inside the network
// namespace of pid, and configures and raises the host end. The namespace
// end is configured from inside (see startScript).
func (dc *DC) createVeth(ctx context.Context, pid int) error {
	ip := tool{limit: toolLimit, env: baseEnv()}
	steps := [][]string{
		{"link", "add", dc.link.hostIf, "type", "veth", "peer", "name", dc.link.nsIf, "netns", fmt.Sprint(pid)},
		{"addr", "add", fmt.Sprintf("%s/%d", dc.link.hostIP, dc.link.prefixBits), "dev", dc.link.hostIf},
		{"link", "set", dc.link.hostIf, "up"},
	}
	for _, args := range steps {
		if _, err := ip.run(ctx, dc.bin["ip"], args...); err != nil {
			return err
		}
	}
	return nil
}

// deleteVeth removes the host end of the pair (which removes both ends);
// a pair that is already gone (its namespace died) is not an error.
func deleteVeth(ctx context.Context, ipPath, hostIf string) error {
	ip := tool{limit: toolLimit, env: baseEnv()}
	if _, err := ip.run(ctx, ipPath, "link", "del", hostIf); err != nil {
		if strings.Contains(err.Error(), "Cannot find device") {
			return nil
		}
		return err
	}
	return nil
}

// waitTCP waits until addr accepts a TCP connection.
func waitTCP(ctx context.Context, addr string) error {
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("addc: %s does not accept connections: %w (last: %v)", addr, context.Cause(ctx), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
