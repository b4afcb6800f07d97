package protocol

// Stats is a snapshot of a connection's counters.
type Stats struct {
	// Credits granted by the server and not yet spent.
	CreditsAvailable int `json:"credits_available"`
	// Credits charged by requests still waiting for their responses.
	CreditsInFlight int `json:"credits_in_flight"`
	// Requests awaiting a response (abandoned ones included: the server
	// still owes their answer).
	Outstanding int `json:"outstanding"`
	// Totals since the connection opened.
	Requests      int64 `json:"requests"`
	Responses     int64 `json:"responses"`
	BytesSent     int64 `json:"bytes_sent"`
	BytesReceived int64 `json:"bytes_received"`
}

// Stats returns a snapshot of the connection's counters. It is cheap: a
// short lock and a few atomic loads.
func (c *Conn) Stats() Stats {
	c.mu.Lock()
	s := Stats{CreditsAvailable: c.credits, CreditsInFlight: c.inFlight, Outstanding: len(c.pending)}
	c.mu.Unlock()
	s.Requests = c.stats.requests.Load()
	s.Responses = c.stats.responses.Load()
	s.BytesSent = c.stats.bytesSent.Load()
	s.BytesReceived = c.stats.bytesReceived.Load()
	return s
}
