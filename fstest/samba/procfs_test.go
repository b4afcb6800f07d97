package samba

import (
	"encoding/binary"
	"net/netip"
	"os"
	"slices"
	"testing"
)

// Rows captured from /proc/net/tcp and /proc/net/tcp6 on the project's
// (little-endian, x86-64) machines.
const (
	procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 617 1 00000000e9e088cc 100 0 0 10 0                       
   1: 0100007F:5F5A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40213 1 0000000000000000 100 0 0 10 0
   2: 0100007F:C2DE 0100007F:5766 06 00000000:00000000 03:0000025B 00000000     0        0 0 3 00000000f5523dd2                                      
`
	procNetTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:EA8D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 106382 1 00000000f82365ad 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:5F5A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 106383 1 00000000f82365ad 100 0 0 10 0
`
)

func littleEndianOnly(t *testing.T) {
	t.Helper()
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	if b[0] != 1 {
		t.Skip("fixtures were captured on a little-endian machine")
	}
}

func TestParseProcNetTCP(t *testing.T) {
	littleEndianOnly(t)
	tests := []struct {
		name string
		in   string
		want []tcpSocket
	}{
		{"ipv4", procNetTCP, []tcpSocket{
			{Local: netip.MustParseAddrPort("0.0.0.0:2024"), Remote: netip.MustParseAddrPort("0.0.0.0:0"), State: "0A", Inode: 617},
			{Local: netip.MustParseAddrPort("127.0.0.1:24410"), Remote: netip.MustParseAddrPort("0.0.0.0:0"), State: "0A", Inode: 40213},
			{Local: netip.MustParseAddrPort("127.0.0.1:49886"), Remote: netip.MustParseAddrPort("127.0.0.1:22374"), State: "06", Inode: 0},
		}},
		{"ipv6", procNetTCP6, []tcpSocket{
			{Local: netip.MustParseAddrPort("[::1]:60045"), Remote: netip.MustParseAddrPort("[::]:0"), State: "0A", Inode: 106382},
			// v4-mapped addresses come back unmapped.
			{Local: netip.MustParseAddrPort("127.0.0.1:24410"), Remote: netip.MustParseAddrPort("[::]:0"), State: "0A", Inode: 106383},
		}},
		{"header only", "  sl  local_address rem_address   st\n", nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcNetTCP([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseProcNetTCPErrors(t *testing.T) {
	header := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	tests := []struct {
		name string
		row  string
	}{
		{"short row", "0: 0100007F:5F5A 00000000:0000 0A"},
		{"bad address", "0: 0100007G:5F5A 00000000:0000 0A 0:0 0:0 0 0 0 1"},
		{"no port", "0: 0100007F 00000000:0000 0A 0:0 0:0 0 0 0 1"},
		{"odd length", "0: 0100007:5F5A 00000000:0000 0A 0:0 0:0 0 0 0 1"},
		{"bad inode", "0: 0100007F:5F5A 00000000:0000 0A 0:0 0:0 0 0 0 x"},
		{"bad state", "0: 0100007F:5F5A 00000000:0000 A 0:0 0:0 0 0 0 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := parseProcNetTCP([]byte(header + tc.row + "\n")); err == nil {
				t.Errorf("accepted %q as %+v", tc.row, got)
			}
		})
	}
}

func FuzzParseProcNetTCP(f *testing.F) {
	f.Add([]byte(procNetTCP))
	f.Add([]byte(procNetTCP6))
	f.Add([]byte("h\n0: 0100007F:5F5A 00000000:0000 0A 0:0 0:0 0 0 0 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		socks, err := parseProcNetTCP(data)
		if err != nil {
			return
		}
		for _, s := range socks {
			if !s.Local.IsValid() || !s.Remote.IsValid() || len(s.State) != 2 {
				t.Fatalf("parsed an invalid row: %+v", s)
			}
		}
	})
}

func TestParsePPID(t *testing.T) {
	tests := []struct {
		stat string
		want int
	}{
		{"8540 (cat) R 8495 8495 2951 0 -1", 8495},
		// A command name may hold spaces and parentheses.
		{"17 (smbd: a) b) S 1 17 17 0", 1},
		{"2 (x) S 0 0 0", 0},
	}
	for _, tc := range tests {
		got, err := parsePPID([]byte(tc.stat))
		if err != nil || got != tc.want {
			t.Errorf("parsePPID(%q) = %d, %v; want %d", tc.stat, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "1 (x", "1 (x) S", "1 (x) S y"} {
		if _, err := parsePPID([]byte(bad)); err == nil {
			t.Errorf("parsePPID(%q) accepted", bad)
		}
	}
}

func TestSocketInode(t *testing.T) {
	tests := []struct {
		link string
		want uint64
		ok   bool
	}{
		{"socket:[12345]", 12345, true},
		{"socket:[]", 0, false},
		{"pipe:[12345]", 0, false},
		{"socket:[12345", 0, false},
		{"/dev/null", 0, false},
	}
	for _, tc := range tests {
		got, ok := socketInode(tc.link)
		if got != tc.want || ok != tc.ok {
			t.Errorf("socketInode(%q) = %d, %v; want %d, %v", tc.link, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCmdlineNames(t *testing.T) {
	conf := "/tmp/smbfs-samba-main-1/smb.conf"
	tests := []struct {
		name    string
		cmdline string
		want    bool
	}{
		{"smbd -s", "smbd\x00-F\x00-s\x00" + conf + "\x00", true},
		{"rpcd --configfile=", "/usr/libexec/samba/rpcd_classic\x00--configfile=" + conf + "\x00--worker-group=3\x00", true},
		{"other instance", "smbd\x00-s\x00/tmp/smbfs-samba-main-12/smb.conf\x00", false},
		{"prefix only", "smbd\x00-s\x00" + conf + ".bak\x00", false},
		{"client conf in same dir", "smbclient\x00-s\x00/tmp/smbfs-samba-main-1/client.conf\x00", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cmdlineNames([]byte(tc.cmdline), conf); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDescendants(t *testing.T) {
	tree, err := descendants(os.Getppid())
	if err != nil {
		t.Fatal(err)
	}
	if !tree[os.Getppid()] || !tree[os.Getpid()] {
		t.Errorf("tree of our parent lacks it or us: %v", tree)
	}
	if tree[1] && os.Getppid() != 1 {
		t.Errorf("tree of pid %d contains init", os.Getppid())
	}
}
