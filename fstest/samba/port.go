package samba

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sort"
	"strconv"
	"time"
)

// ErrPortInUse is returned when the requested port is already served, or
// when another process turned out to listen on the port next to this
// instance's smbd (SO_REUSEPORT lets that happen silently).
var ErrPortInUse = errors.New("samba: port in use")

// Ports are drawn from below Linux's default ephemeral range (32768-60999)
// so that they do not collide with the local ends of outgoing connections.
const (
	portRangeLow  = 20000
	portRangeHigh = 32000
)

// loopback is the only address instances listen on.
const loopback = "127.0.0.1"

// checkPortFree binds port on the loopback address without SO_REUSEPORT
// and closes it again. A plain bind fails when anyone listens there, even a
// socket that set SO_REUSEPORT; smbd's own bind would not.
func checkPortFree(port int) error {
	ln, err := net.Listen("tcp4", net.JoinHostPort(loopback, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%w: %s:%d: %v", ErrPortInUse, loopback, port, err)
	}
	return ln.Close()
}

// pickFreePort returns a random port in the harness range that a plain
// bind found free just now.
func pickFreePort() (int, error) {
	var last error
	for range 50 {
		port := portRangeLow + rand.IntN(portRangeHigh-portRangeLow)
		if last = checkPortFree(port); last == nil {
			return port, nil
		}
	}
	return 0, fmt.Errorf("samba: no free port found in %d-%d: %w", portRangeLow, portRangeHigh, last)
}

// portState is one look at who listens on a port.
type portState struct {
	ours    bool  // at least one listening socket belongs to the tree
	foreign []int // pids outside the tree that hold a listening socket
	unowned int   // listening sockets no visible process holds
}

// inspectPort reports who holds the listening sockets on port, relative to
// the process tree rooted at root.
func inspectPort(port, root int) (portState, error) {
	var st portState
	inodes, err := listenInodes(port)
	if err != nil || len(inodes) == 0 {
		return st, err
	}
	owners, err := socketOwners(inodes)
	if err != nil {
		return st, err
	}
	tree, err := descendants(root)
	if err != nil {
		return st, err
	}
	for _, in := range inodes {
		pids := owners[in]
		if len(pids) == 0 {
			st.unowned++
		}
		for _, p := range pids {
			if tree[p] {
				st.ours = true
			} else {
				st.foreign = appendUnique(st.foreign, p)
			}
		}
	}
	sort.Ints(st.foreign)
	return st, nil
}

// waitListening waits until the process tree rooted at root, and nothing
// else, listens on port and a TCP connection to it succeeds. exited is
// closed when root exits. Every listening socket on the port must belong to
// the tree: a foreign one means a second server shares the port (the
// SO_REUSEPORT trap), and one without a visible owner (a process in another
// PID namespace) is treated the same once the deadline passes.
func waitListening(ctx context.Context, port, root int, exited <-chan struct{}, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	addr := net.JoinHostPort(loopback, strconv.Itoa(port))
	var last portState
	for {
		select {
		case <-exited:
			return errors.New("exited before listening")
		default:
		}
		// Connecting is cheap; reading /proc/net/tcp and every process's
		// descriptors costs milliseconds, so do that only once something
		// answers.
		if connectable(ctx, addr) {
			st, err := inspectPort(port, root)
			if err != nil {
				return fmt.Errorf("inspect port %d: %w", port, err)
			}
			last = st
			if len(st.foreign) > 0 {
				return fmt.Errorf("%w: %s is also served by pid(s) %v %s", ErrPortInUse, addr, st.foreign, describePIDs(st.foreign))
			}
			if st.ours && st.unowned == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			if last.unowned > 0 {
				return fmt.Errorf("%w: %s has %d listening socket(s) held by no visible process", ErrPortInUse, addr, last.unowned)
			}
			return fmt.Errorf("not listening on %s after %v: %w", addr, limit, ctx.Err())
		case <-exited:
			return errors.New("exited before listening")
		case <-tick.C:
		}
	}
}

// connectable reports whether a TCP connection to addr succeeds.
func connectable(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp4", addr)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
