package linkproxy

import (
	"encoding/binary"
	"reflect"
	"testing"
)

// recorder is a frameSink that remembers what it was told.
type recorder struct {
	events []string
	msgs   []smb2Header
}

func (r *recorder) frame(k frameKind) {
	r.events = append(r.events, [...]string{"smb2", "enc", "comp", "smb1", "unknown"}[k])
}

func (r *recorder) message(h smb2Header) {
	r.events = append(r.events, CommandName(int(h.Command)))
	r.msgs = append(r.msgs, h)
}

// header builds a 64-byte SMB2 header (MS-SMB2 2.2.1.2 layout).
func header(cmd uint16, flags uint32, next uint32, msgID uint64, status uint32) []byte {
	h := make([]byte, smb2HeaderSize)
	copy(h, "\xfeSMB")
	binary.LittleEndian.PutUint16(h[4:], 64) // StructureSize
	binary.LittleEndian.PutUint32(h[8:], status)
	binary.LittleEndian.PutUint16(h[12:], cmd)
	binary.LittleEndian.PutUint32(h[16:], flags)
	binary.LittleEndian.PutUint32(h[20:], next)
	binary.LittleEndian.PutUint64(h[24:], msgID)
	return h
}

// message is a header followed by a body of bodyLen bytes.
func message(cmd uint16, flags uint32, msgID uint64, bodyLen int) []byte {
	return append(header(cmd, flags, 0, msgID, 0), make([]byte, bodyLen)...)
}

// chain links messages into a compound: each but the last gets NextCommand
// set to its length rounded up to 8 (MS-SMB2 3.2.4.1.4).
func chain(msgs ...[]byte) []byte {
	var out []byte
	for i, m := range msgs {
		if i < len(msgs)-1 {
			for len(m)%8 != 0 {
				m = append(m, 0)
			}
			binary.LittleEndian.PutUint32(m[20:], uint32(len(m)))
		}
		out = append(out, m...)
	}
	return out
}

// frame prefixes payload with the Direct TCP header (MS-SMB2 2.1).
func frame(payload []byte) []byte {
	n := len(payload)
	return append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, payload...)
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func transform(bodyLen int) []byte {
	t := make([]byte, 52+bodyLen) // MS-SMB2 2.2.41: 52-byte TRANSFORM_HEADER
	copy(t, "\xfdSMB")
	return t
}

// frameCases are streams with the events a parser must report.
var frameCases = []struct {
	name   string
	stream []byte
	want   []string
}{
	{"single", frame(message(5, 0, 1, 57)), []string{"smb2", "CREATE"}},
	{"compound", frame(chain(message(5, 0, 2, 57), message(8, 4, 3, 49), message(6, 4, 4, 24))),
		[]string{"smb2", "CREATE", "READ", "CLOSE"}},
	{"compound with big write", frame(chain(message(5, 0, 2, 57), message(9, 4, 3, 48+300000), message(7, 4, 4, 24))),
		[]string{"smb2", "CREATE", "WRITE", "FLUSH"}},
	{"two frames", concat(frame(message(13, 0, 7, 4)), frame(message(13, 1, 7, 4))),
		[]string{"smb2", "ECHO", "smb2", "ECHO"}},
	{"encrypted", concat(frame(transform(200)), frame(message(0, 0, 0, 36))),
		[]string{"enc", "smb2", "NEGOTIATE"}},
	{"smb1 negotiate", frame(append([]byte("\xffSMBr"), make([]byte, 40)...)), []string{"smb1"}},
	{"compressed", frame(append([]byte("\xfcSMB"), make([]byte, 12)...)), []string{"comp"}},
	{"short frame", frame([]byte("\xfeSM")), []string{"unknown"}},
	{"truncated header", frame(header(5, 0, 0, 1, 0)[:40]), []string{"unknown"}},
	{"zero length frame", concat(frame(nil), frame(message(13, 0, 1, 4))), []string{"unknown", "smb2", "ECHO"}},
	{"next command past frame", frame(header(5, 0, 4096, 1, 0)), []string{"smb2", "CREATE"}},
	{"next command too small", frame(concat(header(5, 0, 8, 1, 0), header(6, 0, 0, 2, 0))), []string{"smb2", "CREATE"}},
	{"not direct tcp", concat([]byte{0x85, 0, 0, 0}, frame(message(5, 0, 1, 57))), nil},
}

func TestFrameParser(t *testing.T) {
	for _, tc := range frameCases {
		t.Run(tc.name, func(t *testing.T) {
			var whole recorder
			var fp frameParser
			fp.feed(tc.stream, &whole)
			if !reflect.DeepEqual(whole.events, tc.want) {
				t.Fatalf("events = %v, want %v", whole.events, tc.want)
			}
			// The same stream cut at every position, and byte by byte,
			// must give the same events.
			for cut := 1; cut < len(tc.stream) && cut < 400; cut++ {
				var r recorder
				var fp frameParser
				fp.feed(tc.stream[:cut], &r)
				fp.feed(tc.stream[cut:], &r)
				if !reflect.DeepEqual(r.events, tc.want) {
					t.Fatalf("cut at %d: events = %v, want %v", cut, r.events, tc.want)
				}
			}
			if len(tc.stream) < 2000 {
				var r recorder
				var fp frameParser
				for i := range tc.stream {
					fp.feed(tc.stream[i:i+1], &r)
				}
				if !reflect.DeepEqual(r.events, tc.want) {
					t.Fatalf("byte by byte: events = %v, want %v", r.events, tc.want)
				}
			}
		})
	}
}

func TestFrameParserFields(t *testing.T) {
	var r recorder
	var fp frameParser
	fp.feed(frame(header(9, flagServerToRedir|flagAsync, 0, 0x1122334455667788, statusPending)), &r)
	want := smb2Header{Command: 9, Flags: flagServerToRedir | flagAsync, MessageID: 0x1122334455667788, Status: statusPending}
	if len(r.msgs) != 1 || r.msgs[0] != want {
		t.Fatalf("got %+v, want %+v", r.msgs, want)
	}
}

// FuzzFrameParser checks that the parser never panics and that the events
// do not depend on how the stream is cut into reads.
func FuzzFrameParser(f *testing.F) {
	for _, tc := range frameCases {
		if len(tc.stream) < 4096 {
			f.Add(tc.stream, uint16(3))
		}
	}
	f.Fuzz(func(t *testing.T, stream []byte, cut uint16) {
		var whole, split recorder
		var a, b frameParser
		a.feed(stream, &whole)
		c := int(cut)
		if c > len(stream) {
			c = len(stream)
		}
		b.feed(stream[:c], &split)
		b.feed(stream[c:], &split)
		if !reflect.DeepEqual(whole.events, split.events) {
			t.Fatalf("whole %v, split at %d %v", whole.events, c, split.events)
		}
		// Every message comes after a frame event, and frames never
		// outnumber the Direct TCP prefixes the stream could hold.
		frames := 0
		for _, e := range whole.events {
			switch e {
			case "smb2", "enc", "comp", "smb1", "unknown":
				frames++
			}
		}
		if frames > len(stream)/directTCPPrefix {
			t.Fatalf("%d frames in %d bytes", frames, len(stream))
		}
	})
}
