package samba

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// This file reads Linux /proc: listening TCP sockets, the processes that
// hold them, parent links and command lines. The harness uses it to prove
// that a port is served by its own smbd alone (SO_REUSEPORT lets a second
// smbd share a port silently) and to find leftover processes at Stop.

// tcpListen is the st column value of a listening socket (TCP_LISTEN).
const tcpListen = "0A"

// tcpSocket is one row of /proc/net/tcp or /proc/net/tcp6.
type tcpSocket struct {
	Local, Remote netip.AddrPort
	State         string // two hex digits, for example tcpListen
	Inode         uint64
}

// parseProcNetTCP returns the sockets in the text of /proc/net/tcp or
// /proc/net/tcp6. The first line is the column header.
func parseProcNetTCP(data []byte) ([]tcpSocket, error) {
	lines := bytes.Split(data, []byte("\n"))
	var out []tcpSocket
	for i, line := range lines {
		f := strings.Fields(string(line))
		if i == 0 || len(f) == 0 {
			continue
		}
		if len(f) < 10 {
			return nil, fmt.Errorf("proc net tcp line %d: %d fields, want at least 10", i+1, len(f))
		}
		local, err := parseHexAddrPort(f[1])
		if err != nil {
			return nil, fmt.Errorf("proc net tcp line %d: %w", i+1, err)
		}
		remote, err := parseHexAddrPort(f[2])
		if err != nil {
			return nil, fmt.Errorf("proc net tcp line %d: %w", i+1, err)
		}
		if len(f[3]) != 2 {
			return nil, fmt.Errorf("proc net tcp line %d: state %q", i+1, f[3])
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("proc net tcp line %d: inode %q: %w", i+1, f[9], err)
		}
		out = append(out, tcpSocket{Local: local, Remote: remote, State: f[3], Inode: inode})
	}
	return out, nil
}

// parseHexAddrPort decodes "0100007F:5F5A" (IPv4) or a 32-digit IPv6
// address and port. The kernel prints each 32-bit word of the address as
// a host-order integer (so 127.0.0.1 reads 0100007F on little-endian
// machines) and the port already in host order.
func parseHexAddrPort(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok || len(p) != 4 || (len(a) != 8 && len(a) != 32) {
		return netip.AddrPort{}, fmt.Errorf("address %q: want HEX:PORT", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("address %q: port: %w", s, err)
	}
	raw, err := hex.DecodeString(a)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("address %q: %w", s, err)
	}
	// raw holds the printed (big-endian text) form of each word; turn each
	// word back into the host-order integer, then store it in memory order.
	for w := 0; w+4 <= len(raw); w += 4 {
		binary.NativeEndian.PutUint32(raw[w:], binary.BigEndian.Uint32(raw[w:]))
	}
	addr, _ := netip.AddrFromSlice(raw) // length is 4 or 16 by construction
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), nil
}

// tcpSockets returns every TCP socket (IPv4 and IPv6) in the caller's
// network namespace.
func tcpSockets() ([]tcpSocket, error) {
	var all []tcpSocket
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue // no IPv6 in this kernel
		}
		if err != nil {
			return nil, err
		}
		socks, err := parseProcNetTCP(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		all = append(all, socks...)
	}
	return all, nil
}

// listenInodes returns the inodes of every listening TCP socket (IPv4 and
// IPv6, any address) on port.
func listenInodes(port int) ([]uint64, error) {
	socks, err := tcpSockets()
	if err != nil {
		return nil, err
	}
	var inodes []uint64
	for _, s := range socks {
		if s.State == tcpListen && int(s.Local.Port()) == port {
			inodes = append(inodes, s.Inode)
		}
	}
	return inodes, nil
}

// pids lists the numeric entries of /proc.
func pids() ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(ents))
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 {
			out = append(out, pid)
		}
	}
	return out, nil
}

// socketOwners maps each of the given socket inodes to the processes that
// hold a descriptor for it. Processes that vanish while being read are
// skipped.
func socketOwners(inodes []uint64) (map[uint64][]int, error) {
	want := make(map[uint64]bool, len(inodes))
	for _, in := range inodes {
		want[in] = true
	}
	owners := make(map[uint64][]int, len(inodes))
	all, err := pids()
	if err != nil {
		return nil, err
	}
	for _, pid := range all {
		fdDir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil {
				continue
			}
			inode, ok := socketInode(link)
			if ok && want[inode] {
				owners[inode] = appendUnique(owners[inode], pid)
			}
		}
	}
	return owners, nil
}

// socketInode parses a descriptor link of the form "socket:[12345]".
func socketInode(link string) (uint64, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// parsePPID returns the parent pid from the text of /proc/<pid>/stat. The
// command name in parentheses may itself contain spaces and parentheses,
// so fields are counted from the last ')'.
func parsePPID(stat []byte) (int, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("stat: no ')'")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 2 {
		return 0, errors.New("stat: too few fields")
	}
	return strconv.Atoi(f[1])
}

// descendants returns root and every living process below it.
func descendants(root int) (map[int]bool, error) {
	all, err := pids()
	if err != nil {
		return nil, err
	}
	children := make(map[int][]int)
	for _, pid := range all {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			continue
		}
		ppid, err := parsePPID(stat)
		if err != nil {
			continue
		}
		children[ppid] = append(children[ppid], pid)
	}
	tree := map[int]bool{root: true}
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !tree[c] {
				tree[c] = true
				queue = append(queue, c)
			}
		}
	}
	return tree, nil
}

// processesUsingConfig returns the processes whose command line names
// conf exactly, either as its own argument ("-s", conf) or as the value of
// a long option ("--configfile=" + conf, as samba-dcerpcd starts its
// rpcd_* workers). Zombies have an empty command line and are not listed.
func processesUsingConfig(conf string) ([]int, error) {
	all, err := pids()
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	var out []int
	for _, pid := range all {
		if pid == self {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if err != nil || len(data) == 0 {
			continue
		}
		if cmdlineNames(data, conf) {
			out = append(out, pid)
		}
	}
	return out, nil
}

// cmdlineNames reports whether the NUL-separated command line names conf.
func cmdlineNames(cmdline []byte, conf string) bool {
	for _, arg := range bytes.Split(cmdline, []byte{0}) {
		a := string(arg)
		if a == conf || strings.HasSuffix(a, "="+conf) {
			return true
		}
	}
	return false
}

// describePIDs returns the command lines of pids, for error messages.
func describePIDs(pids []int) string {
	var parts []string
	for _, pid := range pids {
		data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if err != nil || len(data) == 0 {
			continue
		}
		args := strings.Join(strings.Fields(strings.ReplaceAll(string(data), "\x00", " ")), " ")
		parts = append(parts, fmt.Sprintf("%d: %s", pid, args))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, "; ") + ")"
}
