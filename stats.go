package smbfs

import (
	"errors"
	"expvar"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/smbfs/smbfs/protocol"
)

// Stats is a snapshot of a Client for diagnostics: what the connection
// negotiated, how the session is protected, the credit pool and round-trip
// estimate, counters since the connection opened, and every request still
// awaiting an answer. String formats it for people; the JSON tags serve
// tools; PublishExpvar exposes it at /debug/vars.
type Stats struct {
	Server    string `json:"server"`
	Signing   bool   `json:"signing"`   // the session signs its messages
	Encrypted bool   `json:"encrypted"` // the session encrypts everything
	// Reconnects counts connections re-established after a failure.
	Reconnects int64 `json:"reconnects"`
	protocol.Stats
}

// Stats returns a snapshot of the client. It is cheap (atomic loads and one
// short lock) and safe to call from any goroutine at any time.
func (c *Client) Stats() Stats {
	return Stats{
		Server:     c.host,
		Signing:    c.Session().Signing(),
		Encrypted:  c.Session().Encrypted(),
		Reconnects: c.reconnects.Load(),
		Stats:      c.Conn().Stats(),
	}
}

// String formats the snapshot for a person.
func (s Stats) String() string {
	var b strings.Builder
	prot := "none"
	switch {
	case s.Encrypted:
		prot = "encrypted (" + s.Cipher + ")"
	case s.Signing:
		prot = "signed (" + s.SigningAlgorithm + ")"
	}
	fmt.Fprintf(&b, "smb %s on %s, %s, rtt %v, reconnects %d\n", s.Dialect, s.Server, prot, s.RTT.Round(time.Microsecond), s.Reconnects)
	fmt.Fprintf(&b, "credits: %d available, %d in flight\n", s.CreditsAvailable, s.CreditsInFlight)
	fmt.Fprintf(&b, "requests %d, responses %d (success %d, warning %d, error %d, interim %d)\n",
		s.Requests, s.Responses, s.Outcomes.Success, s.Outcomes.Warning, s.Outcomes.Error, s.Outcomes.Interim)
	fmt.Fprintf(&b, "bytes sent %d, received %d; timeouts %d, cancelled %d, credit waits %d\n",
		s.BytesSent, s.BytesReceived, s.Errors.Timeouts, s.Errors.Cancelled, s.Errors.CreditWaits)
	if s.Failure != "" {
		fmt.Fprintf(&b, "connection failed: %s\n", s.Failure)
	}
	fmt.Fprintf(&b, "outstanding: %d\n", len(s.Outstanding))
	for _, o := range s.Outstanding {
		pending := ""
		if o.Pending {
			pending = " (pending)"
		}
		fmt.Fprintf(&b, "  #%d %s %v%s\n", o.MessageID, o.Command, o.Age.Round(time.Millisecond), pending)
	}
	return b.String()
}

// PublishExpvar publishes the client's live Stats as the expvar variable
// name (served as JSON by expvar's /debug/vars handler). Names are global
// to the process: publishing a name twice is an error.
func (c *Client) PublishExpvar(name string) error {
	if expvar.Get(name) != nil {
		return errors.New("smbfs: expvar " + name + " is already published")
	}
	expvar.Publish(name, expvar.Func(func() any { return c.Stats() }))
	return nil
}

// reconnectCounter is embedded in Client (see client.go).
type reconnectCounter = atomic.Int64
