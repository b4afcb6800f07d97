package protocol

import (
	"sort"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// Stats is a snapshot of a connection: what was negotiated, the credit
// pool, counters since the connection opened, and the requests still
// waiting for an answer.
type Stats struct {
	Dialect          string `json:"dialect"`
	SigningAlgorithm string `json:"signing_algorithm"`
	Cipher           string `json:"cipher,omitempty"` // empty: none negotiated

	// Credits granted by the server and not yet spent.
	CreditsAvailable int `json:"credits_available"`
	// Credits charged by requests still waiting for their responses.
	CreditsInFlight int `json:"credits_in_flight"`
	// RTT is the estimated round-trip time (a moving average over
	// single-credit requests the server answered at once).
	RTT time.Duration `json:"rtt_ns"`

	// Totals since the connection opened.
	Requests      int64 `json:"requests"`
	Responses     int64 `json:"responses"`
	BytesSent     int64 `json:"bytes_sent"`
	BytesReceived int64 `json:"bytes_received"`

	// Responses by outcome: disjoint buckets.
	Outcomes Outcomes `json:"responses_by_outcome"`
	// Requests that got no response, by cause: disjoint buckets.
	Errors ErrorCounts `json:"errors_by_kind"`

	// Outstanding lists the requests awaiting a response, oldest first
	// (abandoned ones included: the server still owes their answer).
	Outstanding []OutstandingRequest `json:"outstanding"`
	// Failure is why the connection failed; empty while it is healthy.
	Failure string `json:"failure,omitempty"`
}

// Outcomes counts responses by the severity of their status.
type Outcomes struct {
	Success int64 `json:"success"`
	Warning int64 `json:"warning"` // e.g. STATUS_BUFFER_OVERFLOW
	Error   int64 `json:"error"`   // a failure NTSTATUS
	Interim int64 `json:"interim"` // STATUS_PENDING, the final answer to follow
}

// ErrorCounts counts requests that ended without their response.
type ErrorCounts struct {
	Timeouts    int64 `json:"timeouts"`     // RequestTimeout passed in silence
	Cancelled   int64 `json:"cancelled"`    // the caller's context ended
	CreditWaits int64 `json:"credit_waits"` // no credits within CreditWait
	// Probes counts keepalive ECHOs sent because the server was silent.
	Probes int64 `json:"keepalive_probes"`
}

// OutstandingRequest is one request awaiting its response.
type OutstandingRequest struct {
	Command   string        `json:"command"`
	MessageID uint64        `json:"message_id"`
	Age       time.Duration `json:"age_ns"`
	// Pending reports an interim STATUS_PENDING: the server is working
	// on it (a change notification, a slow disk).
	Pending bool `json:"pending"`
}

// Stats returns a snapshot of the connection. It is cheap: one short lock
// (to copy the credit counters and list outstanding requests) and atomic
// loads.
func (c *Conn) Stats() Stats {
	now := time.Now()
	s := Stats{
		Dialect:          c.dialect.String(),
		SigningAlgorithm: signingName(c.signingAlg),
		Cipher:           cipherName(c.cipher),
	}
	c.mu.Lock()
	s.CreditsAvailable, s.CreditsInFlight = c.credits, c.inFlight
	s.Outstanding = make([]OutstandingRequest, 0, len(c.pending))
	for id, cl := range c.pending {
		s.Outstanding = append(s.Outstanding, OutstandingRequest{Command: cl.cmd.String(), MessageID: id, Age: now.Sub(cl.sent), Pending: cl.interim})
	}
	if c.err != nil {
		s.Failure = c.err.Error()
	}
	c.mu.Unlock()
	sort.Slice(s.Outstanding, func(i, j int) bool { return s.Outstanding[i].MessageID < s.Outstanding[j].MessageID })
	st := &c.stats
	s.RTT = time.Duration(st.rttNanos.Load())
	s.Requests, s.Responses = st.requests.Load(), st.responses.Load()
	s.BytesSent, s.BytesReceived = st.bytesSent.Load(), st.bytesReceived.Load()
	s.Outcomes = Outcomes{Success: st.success.Load(), Warning: st.warning.Load(), Error: st.failure.Load(), Interim: st.interim.Load()}
	s.Errors = ErrorCounts{Timeouts: st.timeouts.Load(), Cancelled: st.cancels.Load(), CreditWaits: st.creditWaits.Load(), Probes: st.probes.Load()}
	return s
}

// signingName names a signing algorithm id.
func signingName(id uint16) string {
	switch id {
	case wire.SigningHMACSHA256:
		return "HMAC-SHA256"
	case wire.SigningAESCMAC:
		return "AES-128-CMAC"
	case wire.SigningAESGMAC:
		return "AES-128-GMAC"
	}
	return "unknown"
}

// cipherName names a cipher id ("" for none).
func cipherName(id uint16) string {
	switch id {
	case 0:
		return ""
	case wire.CipherAES128CCM:
		return "AES-128-CCM"
	case wire.CipherAES128GCM:
		return "AES-128-GCM"
	case wire.CipherAES256CCM:
		return "AES-256-CCM"
	case wire.CipherAES256GCM:
		return "AES-256-GCM"
	}
	return "unknown"
}
