package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Referral responses captured from Samba 4.17.12 ("host msdfs = yes", share
// dfsroot with "msdfs root = yes"), the output of FSCTL_DFS_GET_REFERRALS.
const (
	// sambaMultiV3Hex answers MaxReferralLevel 4 for
	// `\127.0.0.1\dfsroot\multi\f`, a link made with
	// `ln -s 'msdfs:127.0.0.1\nosuch,127.0.0.1\target' multi`: two V3
	// entries (Samba answers level 4 with version 3), PathConsumed 48
	// (`\127.0.0.1\dfsroot\multi`, 24 UTF-16 units), StorageServers,
	// TimeToLive 600, each entry's three strings in turn after the
	// entries.
	sambaMultiV3Hex = "300002000200000003002200000000005802000044007600a8000000000000000000000000000000000003002200000000005802" +
		"0000aa00dc000e01000000000000000000000000000000005c003100320037002e0030002e0030002e0031005c006400660073007200" +
		"6f006f0074005c006d0075006c007400690000005c003100320037002e0030002e0030002e0031005c0064006600730072006f006f00" +
		"74005c006d0075006c007400690000005c003100320037002e0030002e0030002e0031005c006e006f00730075006300680000005c00" +
		"3100320037002e0030002e0030002e0031005c0064006600730072006f006f0074005c006d0075006c007400690000005c0031003200" +
		"37002e0030002e0030002e0031005c0064006600730072006f006f0074005c006d0075006c007400690000005c003100320037002e00" +
		"30002e0030002e0031005c007400610072006700650074000000"
	// sambaLinkV2Hex answers MaxReferralLevel 1 (Samba sends version 2
	// all the same) for `\127.0.0.1\dfsroot\link`, a link to
	// `127.0.0.1\target`: PathConsumed 46, one V2 entry.
	sambaLinkV2Hex = "2e00010002000000020016000000000000000000580200001600460076005c003100320037002e0030002e0030002e0031005c006400" +
		"6600730072006f006f0074005c006c0069006e006b0000005c003100320037002e0030002e0030002e0031005c006400660073007200" +
		"6f006f0074005c006c0069006e006b0000005c003100320037002e0030002e0030002e0031005c007400610072006700650074000000"
)

// dfsHex decodes a hex vector, ignoring spaces.
func dfsHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// u16z is s as UTF-16LE with its NUL terminator, in hex.
func u16z(s string) string { return hex.EncodeToString(append(EncodeUTF16(s), 0, 0)) }

func TestDFSReferralRequestLayout(t *testing.T) {
	// MS-DFSC 2.2.2: MaxReferralLevel, then RequestFileName NUL-terminated.
	tests := []struct {
		name string
		req  DFSReferralRequest
		hex  string
	}{
		{"link path", DFSReferralRequest{MaxReferralLevel: 4, RequestFileName: `\srv\root\link`},
			"0400" + "5c00730072007600" + "5c0072006f006f007400" + "5c006c0069006e006b00" + "0000"},
		{"non-BMP name", DFSReferralRequest{MaxReferralLevel: 3, RequestFileName: `\s\😀`},
			"0300" + "5c007300" + "5c00" + "3dd800de" + "0000"},
		{"empty", DFSReferralRequest{MaxReferralLevel: 1}, "0100" + "0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := dfsHex(t, tt.hex)
			if got := tt.req.Encode(nil); !bytes.Equal(got, want) {
				t.Fatalf("Encode\n% X\nwant\n% X", got, want)
			}
			var back DFSReferralRequest
			if err := back.Decode(want); err != nil || back != tt.req {
				t.Fatalf("Decode = %+v, %v; want %+v", back, err, tt.req)
			}
		})
	}
}

func TestDFSReferralResponseVectors(t *testing.T) {
	// Hand-built per MS-DFSC 2.2.5.1 (V1: ShareName inline after the
	// 8-byte header), 2.2.5.4 (V4: V3 layout with TargetSetBoundary) and
	// 2.2.5.3.2 (V3 name list: SpecialNameOffset, NumberOfExpandedNames,
	// ExpandedNameOffset, then 16 bytes of padding).
	v1 := "0800" + "0100" + "00000000" + // PathConsumed 8, 1 entry, flags
		"0100" + "1a00" + "0000" + "0000" + u16z(`\h\share`) // Version 1, Size 8+18
	v4 := "0a00" + "0100" + "02000000" +
		"0400" + "2200" + "0000" + "0400" + "2c010000" + // V4, Size 34, link, TargetSetBoundary, TTL 300
		"2200" + "2c00" + "3600" + strings.Repeat("00", 16) + // offsets 34, 44, 54; ServiceSiteGuid
		u16z(`\a\b`) + u16z(`\a\b`) + u16z(`\t\s`)
	nameList := "0000" + "0100" + "00000000" +
		"0300" + "2200" + "0000" + "0200" + "84030000" + // V3, Size 34, NameListReferral, TTL 900
		"2200" + "0200" + "2e00" + strings.Repeat("00", 16) + // SpecialName at 34, 2 names at 46
		u16z(`\CORP`) + u16z(`\dc1`) + u16z(`\dc2`)
	tests := []struct {
		name string
		hex  string
		want DFSReferralResponse
	}{
		{"samba V3, two targets", sambaMultiV3Hex, DFSReferralResponse{PathConsumed: 48, Flags: StorageServers, Entries: []DFSReferralEntry{
			{Version: 3, TimeToLive: 600, DFSPath: `\127.0.0.1\dfsroot\multi`, DFSAlternatePath: `\127.0.0.1\dfsroot\multi`, NetworkAddress: `\127.0.0.1\nosuch`},
			{Version: 3, TimeToLive: 600, DFSPath: `\127.0.0.1\dfsroot\multi`, DFSAlternatePath: `\127.0.0.1\dfsroot\multi`, NetworkAddress: `\127.0.0.1\target`},
		}}},
		{"samba V2", sambaLinkV2Hex, DFSReferralResponse{PathConsumed: 46, Flags: StorageServers, Entries: []DFSReferralEntry{
			{Version: 2, TimeToLive: 600, DFSPath: `\127.0.0.1\dfsroot\link`, DFSAlternatePath: `\127.0.0.1\dfsroot\link`, NetworkAddress: `\127.0.0.1\target`},
		}}},
		{"V1", v1, DFSReferralResponse{PathConsumed: 8, Entries: []DFSReferralEntry{{Version: 1, NetworkAddress: `\h\share`}}}},
		{"V4", v4, DFSReferralResponse{PathConsumed: 10, Flags: StorageServers, Entries: []DFSReferralEntry{
			{Version: 4, Flags: ReferralTargetSetBoundary, TimeToLive: 300, DFSPath: `\a\b`, DFSAlternatePath: `\a\b`, NetworkAddress: `\t\s`},
		}}},
		{"V3 name list", nameList, DFSReferralResponse{Entries: []DFSReferralEntry{
			{Version: 3, Flags: ReferralNameList, TimeToLive: 900, SpecialName: `\CORP`, ExpandedNames: []string{`\dc1`, `\dc2`}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := dfsHex(t, tt.hex)
			var got DFSReferralResponse
			if err := got.Decode(raw); err != nil {
				t.Fatal(err)
			}
			if !sameReferrals(&got, &tt.want) {
				t.Fatalf("Decode =\n%+v\nwant\n%+v", got, tt.want)
			}
			if enc := tt.want.Encode(nil); !bytes.Equal(enc, raw) {
				t.Fatalf("Encode\n% X\nwant\n% X", enc, raw)
			}
		})
	}
}

// sameReferrals compares two responses, a nil and an empty name list alike.
func sameReferrals(a, b *DFSReferralResponse) bool {
	if a.PathConsumed != b.PathConsumed || a.Flags != b.Flags || len(a.Entries) != len(b.Entries) {
		return false
	}
	for i := range a.Entries {
		x, y := a.Entries[i], b.Entries[i]
		if len(x.ExpandedNames) == 0 && len(y.ExpandedNames) == 0 {
			x.ExpandedNames, y.ExpandedNames = nil, nil
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

func TestDFSReferralResponseMalformed(t *testing.T) {
	good := dfsHex(t, sambaLinkV2Hex)
	patch := func(at int, v ...byte) []byte {
		b := bytes.Clone(good)
		copy(b[at:], v)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "need at least 8"},
		{"header only, one entry claimed", good[:8], "need 4"},
		{"more entries than bytes", patch(2, 2, 0), "referral entry 1"},
		{"unknown version", patch(8, 5, 0), "unsupported referral version 5"},
		{"Size below the fixed part", patch(10, 20, 0), "need at least 22"},
		{"Size past the end", patch(10, 0xff, 0x7f), "bytes left"},
		{"string offset past the end", patch(24, 0xff, 0xff), "outside"},
		{"no terminator", good[:len(good)-2], "no NUL terminator"},
		{"V1 share name not terminated in the entry", dfsHex(t, "0000 0100 00000000 0100 0c00 0000 0000 4100 4200 0000"), "no NUL terminator"},
		{"name list count beyond the buffer", dfsHex(t, "0000 0100 00000000 0300 1200 0000 0200 00000000 1200 ffff 1200 0000"), "expanded names do not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r DFSReferralResponse
			err := r.Decode(tt.b)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode = %v, want ErrMalformed mentioning %q", err, tt.want)
			}
		})
	}
}

func TestDFSReferralRequestMalformed(t *testing.T) {
	for _, b := range [][]byte{nil, {4, 0}, {4, 0, 'a', 0}, {4, 0, 'a'}} {
		var r DFSReferralRequest
		if err := r.Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(% X) = %v, want ErrMalformed", b, err)
		}
	}
}

func TestConsumedPath(t *testing.T) {
	tests := []struct {
		path     string
		consumed uint16
		want     string
		bad      bool
	}{
		{`\127.0.0.1\dfsroot\link\file.txt`, 46, `\127.0.0.1\dfsroot\link`, false},
		{`\s\r\😀\x`, 14, `\s\r\😀`, false}, // the emoji is 4 bytes of UTF-16
		{`\s\r`, 8, `\s\r`, false},
		{`\s\r`, 0, "", false},
		{`\s\r`, 7, "", true},  // odd
		{`\s\r`, 10, "", true}, // longer than the path
	}
	for _, tt := range tests {
		got, err := ConsumedPath(tt.path, tt.consumed)
		if tt.bad {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("ConsumedPath(%q, %d) = %q, %v; want ErrMalformed", tt.path, tt.consumed, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ConsumedPath(%q, %d) = %q, %v; want %q", tt.path, tt.consumed, got, err, tt.want)
		}
	}
}

// FuzzDFSReferralResponse checks that the decoder never panics, reports
// only ErrMalformed, and that whatever it decodes encodes to something
// that decodes to the same referral.
func FuzzDFSReferralResponse(f *testing.F) {
	f.Add(dfsHex(f, sambaMultiV3Hex))
	f.Add(dfsHex(f, sambaLinkV2Hex))
	f.Add((&DFSReferralResponse{PathConsumed: 8, Entries: []DFSReferralEntry{{Version: 1, NetworkAddress: `\h\s`}}}).Encode(nil))
	f.Add((&DFSReferralResponse{Entries: []DFSReferralEntry{{Version: 3, Flags: ReferralNameList, SpecialName: `\D`, ExpandedNames: []string{`\a`, `\b`}}}}).Encode(nil))
	f.Add((&DFSReferralResponse{Entries: []DFSReferralEntry{{Version: 4, Flags: ReferralTargetSetBoundary, DFSPath: `\x\y`, NetworkAddress: `\t\u`}}}).Encode(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r DFSReferralResponse
		if err := r.Decode(b); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		enc := r.Encode(nil)
		if len(enc) > 0xFFFF {
			return // string offsets are 16-bit: shared strings may not fit again
		}
		var again DFSReferralResponse
		if err := again.Decode(enc); err != nil {
			t.Fatalf("re-encoded response does not decode: %v\n% X", err, enc)
		}
		if !sameReferrals(&r, &again) {
			t.Fatalf("round trip changed the referral:\n%+v\n%+v", r, again)
		}
	})
}

// FuzzDFSReferralRequest checks the request decoder the same way.
func FuzzDFSReferralRequest(f *testing.F) {
	f.Add((&DFSReferralRequest{MaxReferralLevel: 4, RequestFileName: `\srv\root\link\f`}).Encode(nil))
	f.Add([]byte{4, 0, 0, 0})
	f.Add([]byte{4, 0, 'a', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r DFSReferralRequest
		if err := r.Decode(b); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		var again DFSReferralRequest
		if err := again.Decode(r.Encode(nil)); err != nil || again != r {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, r)
		}
	})
}
