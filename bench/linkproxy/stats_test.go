package linkproxy

import "testing"

// exchange is one step of a conversation seen by the tracker.
type exchange struct {
	conn uint64
	up   bool
	data []byte
}

func TestTrackerRoundTrips(t *testing.T) {
	const resp = flagServerToRedir
	cases := []struct {
		name       string
		steps      []exchange
		roundTrips int64
		upMsgs     int64
		upFrames   int64
		interim    int64
	}{
		{
			name: "three sequential requests",
			steps: []exchange{
				{0, true, frame(message(5, 0, 1, 57))}, {0, false, frame(message(5, resp, 1, 88))},
				{0, true, frame(message(8, 0, 2, 49))}, {0, false, frame(message(8, resp, 2, 16))},
				{0, true, frame(message(6, 0, 3, 24))}, {0, false, frame(message(6, resp, 3, 60))},
			},
			roundTrips: 3, upMsgs: 3, upFrames: 3,
		},
		{
			name: "one compound",
			steps: []exchange{
				{0, true, frame(chain(message(5, 0, 1, 57), message(8, 4, 2, 49), message(6, 4, 3, 24)))},
				{0, false, frame(chain(message(5, resp, 1, 88), message(8, resp|4, 2, 16), message(6, resp|4, 3, 60)))},
			},
			roundTrips: 1, upMsgs: 3, upFrames: 1,
		},
		{
			name: "pipelined window",
			steps: []exchange{
				{0, true, frame(message(8, 0, 1, 49))}, {0, true, frame(message(8, 0, 2, 49))},
				{0, false, frame(message(8, resp, 1, 16))},
				{0, true, frame(message(8, 0, 3, 49))},
				{0, false, frame(message(8, resp, 2, 16))}, {0, false, frame(message(8, resp, 3, 16))},
			},
			roundTrips: 1, upMsgs: 3, upFrames: 3,
		},
		{
			name: "interim response keeps the request outstanding",
			steps: []exchange{
				{0, true, frame(message(9, 0, 1, 49))},
				{0, false, frame(append(header(9, resp|flagAsync, 0, 1, statusPending), make([]byte, 9)...))},
				{0, true, frame(message(13, 0, 2, 4))}, // sent while the write is pending
				{0, false, frame(message(13, resp, 2, 4))},
				{0, false, frame(message(9, resp|flagAsync, 1, 16))},
			},
			roundTrips: 1, upMsgs: 2, upFrames: 2, interim: 1,
		},
		{
			name: "cancel expects no answer",
			steps: []exchange{
				{0, true, frame(message(12, 0, 0, 4))},
				{0, true, frame(message(13, 0, 1, 4))}, {0, false, frame(message(13, resp, 1, 4))},
			},
			roundTrips: 2, upMsgs: 2, upFrames: 2,
		},
		{
			name: "two connections in parallel",
			steps: []exchange{
				{0, true, frame(message(5, 0, 1, 57))}, {1, true, frame(message(5, 0, 1, 57))},
				{1, false, frame(message(5, resp, 1, 88))}, {0, false, frame(message(5, resp, 1, 88))},
			},
			roundTrips: 1, upMsgs: 2, upFrames: 2,
		},
		{
			name: "encrypted frames balance",
			steps: []exchange{
				{0, true, frame(transform(300))}, {0, false, frame(transform(100))},
				{0, true, frame(transform(300))}, {0, true, frame(transform(300))},
				{0, false, frame(transform(100))}, {0, false, frame(transform(100))},
			},
			roundTrips: 2, upMsgs: 0, upFrames: 3,
		},
		{
			name: "oplock break notification is not a response",
			steps: []exchange{
				{0, true, frame(message(8, 0, 5, 49))},
				{0, false, frame(message(18, resp, unsolicitedMessageID, 24))},
				{0, true, frame(message(13, 0, 6, 4))},
			},
			roundTrips: 1, upMsgs: 2, upFrames: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTracker()
			obs := map[[2]uint64]*observer{}
			for _, s := range tc.steps {
				dir := uint64(0)
				if s.up {
					dir = 1
				}
				o := obs[[2]uint64{s.conn, dir}]
				if o == nil {
					o = &observer{t: tr, conn: s.conn, up: s.up}
					obs[[2]uint64{s.conn, dir}] = o
				}
				o.observe(s.data)
			}
			st := tr.snapshot()
			if st.RoundTrips != tc.roundTrips || st.Up.Messages != tc.upMsgs || st.Up.Frames != tc.upFrames || st.Down.Interim != tc.interim {
				t.Fatalf("round trips %d, up messages %d, up frames %d, interim %d; want %d, %d, %d, %d",
					st.RoundTrips, st.Up.Messages, st.Up.Frames, st.Down.Interim, tc.roundTrips, tc.upMsgs, tc.upFrames, tc.interim)
			}
		})
	}
}

func TestTrackerConnClosedForgetsOutstanding(t *testing.T) {
	tr := newTracker()
	up := &observer{t: tr, conn: 3, up: true}
	up.observe(frame(message(5, 0, 1, 57)))
	up.observe(frame(transform(10)))
	tr.connClosed(3)
	other := &observer{t: tr, conn: 4, up: true}
	other.observe(frame(message(5, 0, 1, 57)))
	if got := tr.snapshot().RoundTrips; got != 2 {
		t.Fatalf("round trips = %d, want 2 (the closed connection's requests must not count as outstanding)", got)
	}
}

func TestStatsSub(t *testing.T) {
	a := Stats{Conns: 3, RoundTrips: 10, Up: DirStats{Bytes: 100, Frames: 4, Messages: 6}}
	a.Up.Commands[5] = 2
	b := Stats{Conns: 1, RoundTrips: 4, Up: DirStats{Bytes: 40, Frames: 1, Messages: 2}}
	b.Up.Commands[5] = 1
	d := a.Sub(b)
	if d.Conns != 2 || d.RoundTrips != 6 || d.Up.Bytes != 60 || d.Up.Frames != 3 || d.Up.Messages != 4 || d.Up.Commands[5] != 1 {
		t.Fatalf("Sub = %+v", d)
	}
}

func TestCommandName(t *testing.T) {
	for _, tc := range []struct {
		code int
		want string
	}{{0, "NEGOTIATE"}, {5, "CREATE"}, {0x12, "OPLOCK_BREAK"}, {0x13, "0x13"}} {
		if got := CommandName(tc.code); got != tc.want {
			t.Errorf("CommandName(%d) = %q, want %q", tc.code, got, tc.want)
		}
	}
}
