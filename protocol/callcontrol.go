package protocol

// Control of a started Call short of giving up on it, for long-lived
// requests such as CHANGE_NOTIFY: a watcher needs to know when the server
// has taken a request on (so that no change can slip past unobserved), and
// to withdraw an old request while still collecting whatever it answers.

// Acknowledged reports whether the server has taken every part of the call
// on: each part has either its final response or an interim STATUS_PENDING
// response (MS-SMB2 3.2.5.1.5). A CHANGE_NOTIFY that is acknowledged is
// registered with the server, so changes made from then on are reported.
func (call *Call) Acknowledged() bool {
	return call.c.allPending(call.ex)
}

// Cancel sends SMB2 CANCEL (MS-SMB2 3.2.4.24) for every part of the call
// the server has not answered yet, naming each by its AsyncId once an
// interim response gave it one, by MessageId before. Unlike ending the
// context of Wait, Cancel does not abandon the call: Wait still returns the
// final responses — STATUS_CANCELLED, or the real result when the server
// finished first — so nothing the server sent is lost. Cancelling a call
// that has completed does nothing.
func (call *Call) Cancel() error {
	c := call.c
	type target struct {
		id, asyncID uint64
		interim     bool
		sess        *Session
		treeID      uint32
		encrypted   bool
	}
	var targets []target
	c.mu.Lock()
	if call.ex.err == nil {
		for _, cl := range call.ex.calls {
			if cl.resp == nil {
				targets = append(targets, target{cl.id, cl.asyncID, cl.interim, cl.sess, cl.treeID, cl.encrypted})
			}
		}
	}
	c.mu.Unlock()
	for _, t := range targets {
		if err := c.sendCancel(t.id, t.asyncID, t.interim, t.sess, t.treeID, t.encrypted); err != nil {
			return err
		}
	}
	return nil
}
