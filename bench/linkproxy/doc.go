// Package linkproxy is a TCP proxy that makes a loopback connection behave
// like a network link: every byte is held for a one-way delay and each
// direction is paced to a bandwidth cap. The kernel on the project's
// machines has no netem qdisc, so the benchmark (bench/peers/cmd/smbbench)
// emulates its LAN and WAN paths with this proxy instead.
//
// # The link model
//
// Each direction is a delay line behind a serializer. A chunk of n bytes
// read from the sender at time t finishes serialization at
//
//	done = max(free, t - tau) + n/rate     (free: when the link is next idle)
//
// and is written to the receiver at done + delay. This is the virtual
// scheduling form of a token bucket (GCRA): tau = Burst/rate is the bucket
// depth, so a link that has been idle may pass Burst bytes at once, and a
// busy link runs at exactly rate. Because both instants are absolute and
// computed when the data arrives, a timer that fires late (Go timers fire
// no sooner than ~1.08 ms on the project's machines) delays only the
// chunks it was waiting for; it never pushes the schedule back, so
// oversleeping costs latency of one chunk, not throughput. (Resetting the
// pacing clock to "now" after every sleep instead caps a link at about 45 %
// of its rate: see /work/shared/SAMBA-NOTES.md, "Link emulation".)
//
// Chunks are at most about one millisecond of line time (16–64 KiB), the
// timer resolution, so cutting the stream into chunks adds no latency
// beyond what the timers add anyway.
//
// The timer floor also means a delay below ~1.1 ms cannot be emulated:
// [Calibrate] measures the real round trip and throughput of a profile, and
// the benchmark prints them next to its results.
//
// # Counting SMB2 traffic
//
// The proxy parses the Direct TCP framing (a zero byte and a 24-bit length,
// MS-SMB2 2.1) in both directions and, inside each frame, the SMB2 header
// chain (MS-SMB2 2.2.1: the Command field, and NextCommand to walk a
// compound). [Stats] counts frames, messages and commands per direction and
// the number of round trips the client waited for: requests that left the
// client while it had no other request outstanding. Encrypted frames
// (TRANSFORM header, MS-SMB2 2.2.41) are counted as frames only; their
// round trips are estimated from frame balance.
package linkproxy
