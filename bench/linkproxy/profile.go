package linkproxy

import (
	"fmt"
	"strings"
	"time"
)

// Profile describes an emulated link. The same delay and cap apply to each
// direction independently (a full-duplex link).
type Profile struct {
	// Name labels the profile in output ("lan", "wan", "direct").
	Name string
	// Delay is the one-way propagation delay.
	Delay time.Duration
	// Rate is the bandwidth cap of each direction in bits per second; 0
	// means no cap.
	Rate int64
	// Burst is how many bytes an idle direction may pass at once, without
	// waiting for serialization (the token bucket's depth). 0 selects
	// DefaultBurst.
	Burst int
}

// DefaultBurst is the burst allowance used when Profile.Burst is 0: one
// maximum-size chunk. Throughput does not depend on it (see the package
// documentation); it only lets the first chunk after an idle period go
// without serialization delay, as a NIC's ring does.
const DefaultBurst = 16 << 10

// LAN is 1 Gbit/s with 1 ms each way: a Wi-Fi-class LAN, and the smallest
// delay Go timers can honour on the project's machines.
func LAN() Profile { return Profile{Name: "lan", Delay: time.Millisecond, Rate: 1_000_000_000} }

// WAN is 200 Mbit/s with 5 ms each way.
func WAN() Profile { return Profile{Name: "wan", Delay: 5 * time.Millisecond, Rate: 200_000_000} }

// Direct is plain loopback: no proxy at all.
func Direct() Profile { return Profile{Name: "direct"} }

// ProfileNames lists the names ParseProfile accepts.
func ProfileNames() []string { return []string{"direct", "lan", "wan"} }

// ParseProfile returns the profile called name ("direct", "lan", "wan").
func ParseProfile(name string) (Profile, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "direct":
		return Direct(), nil
	case "lan":
		return LAN(), nil
	case "wan":
		return WAN(), nil
	}
	return Profile{}, fmt.Errorf("linkproxy: unknown profile %q (have %s)", name, strings.Join(ProfileNames(), ", "))
}

// IsDirect reports whether the profile needs no proxy: no delay and no cap.
func (p Profile) IsDirect() bool { return p.Delay == 0 && p.Rate == 0 }

// Floor returns the time the link needs just to serialize n bytes in one
// direction (n*8/Rate), the lower bound of any transfer of n bytes; 0 when
// the link has no cap.
func (p Profile) Floor(n int64) time.Duration {
	if p.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(n) * 8 * float64(time.Second) / float64(p.Rate))
}

// burst returns the effective burst allowance in bytes.
func (p Profile) burst() int {
	if p.Burst > 0 {
		return p.Burst
	}
	return DefaultBurst
}

// chunkSize is the largest piece the proxy reads and schedules as one
// unit: about one millisecond of line time (the timer resolution), between
// 16 KiB and 64 KiB.
func (p Profile) chunkSize() int {
	const lo, hi = 16 << 10, 64 << 10
	if p.Rate <= 0 {
		return hi
	}
	perMs := int(p.Rate / 8 / 1000)
	return min(max(perMs, lo), hi)
}

// String describes the profile, e.g. "lan (1 Gbit/s, 1ms each way)".
func (p Profile) String() string {
	if p.IsDirect() {
		return p.Name + " (loopback, no proxy)"
	}
	rate := "no cap"
	if p.Rate > 0 {
		rate = FormatRate(float64(p.Rate))
	}
	return fmt.Sprintf("%s (%s, %v each way)", p.Name, rate, p.Delay)
}

// FormatRate formats bits per second with a unit: "1 Gbit/s", "200 Mbit/s",
// "943.2 Mbit/s".
func FormatRate(bps float64) string {
	units := []struct {
		div  float64
		name string
	}{{1e9, "Gbit/s"}, {1e6, "Mbit/s"}, {1e3, "kbit/s"}}
	for _, u := range units {
		if bps >= u.div {
			v := bps / u.div
			if v == float64(int64(v)) {
				return fmt.Sprintf("%d %s", int64(v), u.name)
			}
			return fmt.Sprintf("%.1f %s", v, u.name)
		}
	}
	return fmt.Sprintf("%.0f bit/s", bps)
}
