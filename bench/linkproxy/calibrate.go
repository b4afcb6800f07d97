package linkproxy

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"
)

// Calibration is what a profile's proxy measurably does, as opposed to
// what the profile asks for.
type Calibration struct {
	Profile Profile
	// RTT is the median round trip of a one-byte ping through the proxy;
	// RTTMin and RTTMax bound the samples.
	RTT, RTTMin, RTTMax time.Duration
	// Pings is the number of samples.
	Pings int
	// Size is the number of bytes of each bulk transfer.
	Size int64
	// Up and Down are the achieved rates in bits per second of a bulk
	// transfer client→server and server→client, the median of
	// BulkRounds transfers: Size over the transfer's time less one round
	// trip (the request and the final acknowledgement each cross the delay
	// line once; they are latency, not throughput).
	Up, Down float64
	// BulkRounds is the number of transfers each way.
	BulkRounds int
}

// UpShare and DownShare return the achieved rates as fractions of the
// cap (0 when the profile has no cap).
func (c Calibration) UpShare() float64 { return share(c.Up, c.Profile.Rate) }

// DownShare is the server→client counterpart of UpShare.
func (c Calibration) DownShare() float64 { return share(c.Down, c.Profile.Rate) }

func share(rate float64, limit int64) float64 {
	if limit <= 0 {
		return 0
	}
	return rate / float64(limit)
}

// String summarizes the calibration in one line.
func (c Calibration) String() string {
	s := fmt.Sprintf("%s: RTT %s (min %s, max %s, %d pings)", c.Profile.Name,
		c.RTT.Round(10*time.Microsecond), c.RTTMin.Round(10*time.Microsecond),
		c.RTTMax.Round(10*time.Microsecond), c.Pings)
	if c.Size > 0 {
		s += fmt.Sprintf("; %d MiB bulk (median of %d): up %s, down %s", c.Size>>20, c.BulkRounds, FormatRate(c.Up), FormatRate(c.Down))
		if c.Profile.Rate > 0 {
			s += fmt.Sprintf(" (%.1f %% / %.1f %% of %s)", 100*c.UpShare(), 100*c.DownShare(), FormatRate(float64(c.Profile.Rate)))
		}
	}
	return s
}

// Requests of the calibration server's protocol: one byte, for the bulk
// ones followed by a big-endian uint64 length.
const (
	opPing     = 'p' // answer one byte
	opUpload   = 'u' // read length bytes, then answer one byte
	opDownload = 'd' // send length bytes
)

// echoServer answers calibration requests on a loopback port.
type echoServer struct {
	ln net.Listener
	wg sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func startEchoServer() (*echoServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &echoServer{ln: ln, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = struct{}{}
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
		}
	}()
	return s, nil
}

func (s *echoServer) close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *echoServer) serve(c net.Conn) {
	r := bufio.NewReaderSize(c, 64<<10)
	buf := make([]byte, 256<<10)
	for {
		op, err := r.ReadByte()
		if err != nil {
			return
		}
		var n uint64
		if op == opUpload || op == opDownload {
			var lenBuf [8]byte
			if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
				return
			}
			n = binary.BigEndian.Uint64(lenBuf[:])
		}
		switch op {
		case opPing:
		case opUpload:
			if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
				return
			}
		case opDownload:
			for n > 0 {
				k := min(n, uint64(len(buf)))
				if _, err := c.Write(buf[:k]); err != nil {
					return
				}
				n -= k
			}
			continue
		default:
			return
		}
		if _, err := c.Write([]byte{op}); err != nil {
			return
		}
	}
}

// bulkRounds is how many bulk transfers each way Calibrate makes; the
// median keeps one transfer slowed by a busy host from misreporting the
// link.
const bulkRounds = 3

// Calibrate starts a throwaway proxy with profile p in front of a local
// echo server and measures it: pings one-byte round trips, then moves size
// bytes each way, three times (skipped when size is 0).
func Calibrate(ctx context.Context, p Profile, pings int, size int64) (Calibration, error) {
	srv, err := startEchoServer()
	if err != nil {
		return Calibration{}, fmt.Errorf("linkproxy: calibrate: %w", err)
	}
	defer srv.close()
	addr := srv.ln.Addr().String()
	if !p.IsDirect() {
		px, err := Start(addr, p)
		if err != nil {
			return Calibration{}, err
		}
		defer px.Close()
		addr = px.Addr()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Calibration{}, fmt.Errorf("linkproxy: calibrate: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	cal := Calibration{Profile: p, Pings: pings, Size: size}
	if pings > 0 {
		if err := measurePings(conn, &cal); err != nil {
			return cal, calibrateErr(ctx, err)
		}
	}
	if size > 0 {
		var ups, downs []float64
		for range bulkRounds {
			up, err := bulk(conn, opUpload, size)
			if err != nil {
				return cal, calibrateErr(ctx, err)
			}
			down, err := bulk(conn, opDownload, size)
			if err != nil {
				return cal, calibrateErr(ctx, err)
			}
			ups = append(ups, rate(size, up-cal.RTT))
			downs = append(downs, rate(size, down-cal.RTT))
		}
		slices.Sort(ups)
		slices.Sort(downs)
		cal.Up, cal.Down, cal.BulkRounds = ups[len(ups)/2], downs[len(downs)/2], bulkRounds
	}
	return cal, nil
}

func calibrateErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return fmt.Errorf("linkproxy: calibrate: %w", err)
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) * 8 / d.Seconds()
}

func measurePings(conn net.Conn, cal *Calibration) error {
	samples := make([]time.Duration, 0, cal.Pings)
	var b [1]byte
	for range cal.Pings {
		start := time.Now()
		if _, err := conn.Write([]byte{opPing}); err != nil {
			return err
		}
		if _, err := io.ReadFull(conn, b[:]); err != nil {
			return err
		}
		samples = append(samples, time.Since(start))
		if b[0] != opPing {
			return errors.New("bad ping answer")
		}
	}
	slices.Sort(samples)
	cal.RTT = samples[len(samples)/2]
	cal.RTTMin, cal.RTTMax = samples[0], samples[len(samples)-1]
	return nil
}

// bulk moves n bytes in one direction and returns the time from the first
// byte of the request to the last byte of the answer.
func bulk(conn net.Conn, op byte, n int64) (time.Duration, error) {
	var req [9]byte
	req[0] = op
	binary.BigEndian.PutUint64(req[1:], uint64(n))
	start := time.Now()
	if _, err := conn.Write(req[:]); err != nil {
		return 0, err
	}
	switch op {
	case opUpload:
		buf := make([]byte, 256<<10)
		for left := n; left > 0; {
			k := min(left, int64(len(buf)))
			if _, err := conn.Write(buf[:k]); err != nil {
				return 0, err
			}
			left -= k
		}
		var ack [1]byte
		if _, err := io.ReadFull(conn, ack[:]); err != nil {
			return 0, err
		}
	case opDownload:
		if _, err := io.CopyN(io.Discard, conn, n); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
