package smbfs

import (
	"time"

	"github.com/smbfs/smbfs/protocol"
)

// DFSReferralsForTest returns how many referral requests the client sent.
func DFSReferralsForTest(c *Client) int64 { return c.dfsPool().referrals.Load() }

// SetDFSClockForTest gives the client's referral cache the clock now
// (emptying it). Call it before the client follows any link.
func SetDFSClockForTest(c *Client, now func() time.Time) {
	c.dfsPool().cache = protocol.NewReferralCache(now)
}

// DFSConnectionsForTest returns the connections the client opened to DFS
// targets on other servers.
func DFSConnectionsForTest(c *Client) []*protocol.Conn {
	p := c.dfsPool()
	p.mu.Lock()
	defer p.mu.Unlock()
	var conns []*protocol.Conn
	for _, e := range p.clients {
		select {
		case <-e.done:
			if e.err == nil {
				conns = append(conns, e.v.Conn())
			}
		default:
		}
	}
	return conns
}
