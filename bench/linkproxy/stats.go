package linkproxy

import (
	"fmt"
	"sync"
)

// NumCommands is the number of SMB2 command codes (MS-SMB2 2.2.1:
// NEGOTIATE 0x00 through OPLOCK_BREAK 0x12).
const NumCommands = 0x13

// commandNames are the SMB2 command names by code (MS-SMB2 2.2.1).
var commandNames = [NumCommands]string{
	"NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT",
	"CREATE", "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL",
	"ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO",
	"OPLOCK_BREAK",
}

// cmdCancel is SMB2 CANCEL, the one request that gets no response.
const cmdCancel = 0x0C

// CommandName returns the name of SMB2 command code c, or "0x.." for an
// unknown code.
func CommandName(c int) string {
	if c >= 0 && c < NumCommands {
		return commandNames[c]
	}
	return fmt.Sprintf("0x%02x", c)
}

// DirStats counts one direction's traffic.
type DirStats struct {
	// Bytes is every byte carried, framing included.
	Bytes int64
	// Frames counts Direct TCP frames: what the network carries as one
	// message (a compound chain is one frame).
	Frames int64
	// Messages counts SMB2 messages in clear frames; each part of a
	// compound counts.
	Messages int64
	// Encrypted counts frames sealed in a TRANSFORM header; their messages
	// cannot be seen.
	Encrypted int64
	// Interim counts interim responses (async, STATUS_PENDING; MS-SMB2
	// 3.3.4.2): the server's "still working" before the final answer.
	Interim int64
	// Commands counts clear messages by command code.
	Commands [NumCommands]int64
}

func (d DirStats) sub(o DirStats) DirStats {
	r := DirStats{
		Bytes:     d.Bytes - o.Bytes,
		Frames:    d.Frames - o.Frames,
		Messages:  d.Messages - o.Messages,
		Encrypted: d.Encrypted - o.Encrypted,
		Interim:   d.Interim - o.Interim,
	}
	for i := range r.Commands {
		r.Commands[i] = d.Commands[i] - o.Commands[i]
	}
	return r
}

// Stats is a snapshot of a proxy's counters since it started.
type Stats struct {
	// Conns counts accepted connections.
	Conns int64
	// Up is the client-to-server direction, counted as the data leaves the
	// client; Down is server-to-client, counted as it reaches the client.
	Up, Down DirStats
	// RoundTrips counts the frames the client sent while it had no request
	// outstanding on any of its connections through this proxy: each is
	// the start of a round trip the client waited for. A strictly
	// sequential client that sends one request per round trip scores one
	// per request; a pipelined one scores one per burst.
	RoundTrips int64
}

// Sub returns s minus o, counter by counter: the traffic between two
// snapshots.
func (s Stats) Sub(o Stats) Stats {
	return Stats{
		Conns:      s.Conns - o.Conns,
		Up:         s.Up.sub(o.Up),
		Down:       s.Down.sub(o.Down),
		RoundTrips: s.RoundTrips - o.RoundTrips,
	}
}

// msgKey identifies a request: MessageIds are unique per connection.
type msgKey struct {
	conn uint64
	id   uint64
}

// tracker holds a proxy's counters and the set of requests in flight,
// shared by all its connections.
type tracker struct {
	mu          sync.Mutex
	stats       Stats
	pending     map[msgKey]struct{} // clear requests awaiting a final response
	sealed      map[uint64]int      // per connection: encrypted request frames not yet answered
	sealedTotal int
}

func newTracker() *tracker {
	return &tracker{pending: map[msgKey]struct{}{}, sealed: map[uint64]int{}}
}

func (t *tracker) snapshot() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

func (t *tracker) connOpened() {
	t.mu.Lock()
	t.stats.Conns++
	t.mu.Unlock()
}

// connClosed forgets what a connection left outstanding, so that a client
// that dropped a connection mid-request does not look busy forever.
func (t *tracker) connClosed(conn uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.pending {
		if k.conn == conn {
			delete(t.pending, k)
		}
	}
	t.sealedTotal -= t.sealed[conn]
	delete(t.sealed, conn)
}

// observer feeds one direction of one connection into the tracker. It
// implements frameSink; its methods run with t.mu held (see observe).
type observer struct {
	t      *tracker
	conn   uint64
	up     bool // client to server
	parser frameParser
}

// observe counts p, which just left the client (up) or reached it (down).
func (o *observer) observe(p []byte) {
	o.t.mu.Lock()
	defer o.t.mu.Unlock()
	o.dir().Bytes += int64(len(p))
	o.parser.feed(p, o)
}

func (o *observer) dir() *DirStats {
	if o.up {
		return &o.t.stats.Up
	}
	return &o.t.stats.Down
}

func (o *observer) frame(kind frameKind) {
	t := o.t
	d := o.dir()
	d.Frames++
	if o.up && len(t.pending)+t.sealedTotal == 0 {
		t.stats.RoundTrips++
	}
	if kind != frameEncrypted {
		return
	}
	d.Encrypted++
	// Encrypted frames hide their MessageIds: count request frames and
	// take one off for each response frame (Samba answers a sealed chain
	// in one sealed frame).
	switch {
	case o.up:
		t.sealed[o.conn]++
		t.sealedTotal++
	case t.sealed[o.conn] > 0:
		t.sealed[o.conn]--
		t.sealedTotal--
	}
}

func (o *observer) message(h smb2Header) {
	t := o.t
	d := o.dir()
	d.Messages++
	if int(h.Command) < NumCommands {
		d.Commands[h.Command]++
	}
	key := msgKey{o.conn, h.MessageID}
	switch {
	case o.up:
		if h.Flags&flagServerToRedir == 0 && h.Command != cmdCancel {
			t.pending[key] = struct{}{}
		}
	case h.MessageID == unsolicitedMessageID:
	case h.Flags&flagAsync != 0 && h.Status == statusPending:
		// Interim response: the final one is still to come.
		d.Interim++
	default:
		delete(t.pending, key)
	}
}
