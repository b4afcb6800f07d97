package srvsvc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smbfs/smbfs/protocol/dcerpc"
)

// Stubs of NetrShareEnum responses from Samba 4.17, reassembled from the
// fragments this project's client received; see testdata/README.md.
const (
	captureMainStub = "samba-main-stub.bin"      // the Main test preset: 4 shares and IPC$
	capture31Stub   = "samba-31-shares-stub.bin" // 30 shares with 205-character comments, and IPC$
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodeShareEnumRequestBytes(t *testing.T) {
	// Built by hand from MS-SRVS 3.1.4.8 and 2.2.4.38 with the NDR rules
	// of C706 14: ServerName is a unique pointer (referent ID) followed
	// by its conformant varying string; InfoStruct is a ref pointer (no
	// wire form) to {Level, union discriminant, unique pointer to the
	// container}, the container {EntriesRead 0, null Buffer} deferred to
	// the end of the structure; PreferedMaximumLength; ResumeHandle as a
	// unique pointer and its value.
	tests := []struct {
		name   string
		server string
		resume uint32
		want   string
	}{
		{`\\127.0.0.1`, `\\127.0.0.1`, 0, `
			00000200
			0c000000 00000000 0c000000
			5c00 5c00 3100 3200 3700 2e00 3000 2e00 3000 2e00 3100 0000
			01000000 01000000 04000200
			00000000 00000000
			ffffffff
			08000200 00000000`},
		{"null server, resume handle", "", 0x11223344, `
			00000000
			01000000 01000000 00000200
			00000000 00000000
			ffffffff
			04000200 44332211`},
		{"no padding needed", `\\a`, 0, `
			00000200
			04000000 00000000 04000000
			5c00 5c00 6100 0000
			01000000 01000000 04000200
			00000000 00000000
			ffffffff
			08000200 00000000`},
		{"name needing padding", `\\ab`, 0, `
			00000200
			05000000 00000000 05000000
			5c00 5c00 6100 6200 0000 0000
			01000000 01000000 04000200
			00000000 00000000
			ffffffff
			08000200 00000000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeShareEnumRequest(tt.server, tt.resume)
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Fatalf("got % x\nwant % x", got, want)
			}
		})
	}
	if _, err := EncodeShareEnumRequest("a\x00b", 0); err == nil {
		t.Error("a server name with NUL was accepted")
	}
}

func TestDecodeShareEnumResponseSambaMain(t *testing.T) {
	r, err := DecodeShareEnumResponse(readTestdata(t, captureMainStub))
	if err != nil {
		t.Fatal(err)
	}
	want := []ShareInfo1{
		{"public", TypeDiskTree, "writable, guest ok"},
		{"private", TypeDiskTree, "writable, smbuser only"},
		{"ro", TypeDiskTree, "read only, guest ok"},
		{"secret", TypeDiskTree, "encryption required on this share"},
		{"IPC$", TypeIPC | TypeSpecial, "IPC Service (smbfs test server (main))"},
	}
	if !slices.Equal(r.Shares, want) {
		t.Errorf("shares\n got %+v\nwant %+v", r.Shares, want)
	}
	if r.TotalEntries != 5 || !r.HasResumeHandle || r.ResumeHandle != 0 || r.Result != 0 {
		t.Errorf("total %d, resume %v/%d, result %v", r.TotalEntries, r.HasResumeHandle, r.ResumeHandle, r.Result)
	}
}

func TestDecodeShareEnumResponseSamba31(t *testing.T) {
	r, err := DecodeShareEnumResponse(readTestdata(t, capture31Stub))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Shares) != 31 || r.TotalEntries != 31 || r.Result != 0 {
		t.Fatalf("%d shares, total %d, result %v", len(r.Shares), r.TotalEntries, r.Result)
	}
	for i, s := range r.Shares[:30] {
		want := ShareInfo1{fmt.Sprintf("share%03d", i), TypeDiskTree, fmt.Sprintf("%03d ", i) + strings.Repeat("c", 201)}
		if s != want {
			t.Errorf("share %d: got %+v, want %+v", i, s, want)
		}
	}
	if s := r.Shares[30]; s.Name != "IPC$" || s.Type != TypeIPC|TypeSpecial {
		t.Errorf("last share %+v", s)
	}
}

// responseStub builds a level-1 response stub with the dcerpc encoder.
// A share name or remark of "<null>" is sent as a null pointer.
func responseStub(shares []ShareInfo1, total uint32, resume *uint32, result WError) []byte {
	e := dcerpc.NewEncoder()
	e.Uint32(1)
	e.Uint32(1)
	e.Pointer(false)
	e.Uint32(uint32(len(shares)))
	e.Pointer(len(shares) == 0)
	if len(shares) > 0 {
		e.Uint32(uint32(len(shares)))
		for _, s := range shares {
			e.Pointer(s.Name == "<null>")
			e.Uint32(s.Type)
			e.Pointer(s.Remark == "<null>")
		}
		for _, s := range shares {
			if s.Name != "<null>" {
				e.WString(s.Name)
			}
			if s.Remark != "<null>" {
				e.WString(s.Remark)
			}
		}
	}
	e.Uint32(total)
	e.Pointer(resume == nil)
	if resume != nil {
		e.Uint32(*resume)
	}
	e.Uint32(uint32(result))
	return e.Bytes()
}

func TestDecodeShareEnumResponseShapes(t *testing.T) {
	seven := uint32(7)
	t.Run("empty list", func(t *testing.T) {
		r, err := DecodeShareEnumResponse(responseStub(nil, 0, nil, 0))
		if err != nil || len(r.Shares) != 0 || r.HasResumeHandle {
			t.Fatalf("%+v, %v", r, err)
		}
	})
	t.Run("null name and remark", func(t *testing.T) {
		r, err := DecodeShareEnumResponse(responseStub([]ShareInfo1{{"<null>", 0, "x"}, {"a", 1, "<null>"}}, 2, &seven, ErrorMoreData))
		if err != nil {
			t.Fatal(err)
		}
		want := []ShareInfo1{{"", 0, "x"}, {"a", 1, ""}}
		if !slices.Equal(r.Shares, want) || r.ResumeHandle != 7 || r.Result != ErrorMoreData {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("null container", func(t *testing.T) {
		stub := unhex(t, "01000000 01000000 00000000  00000000  00000000  05000000")
		r, err := DecodeShareEnumResponse(stub)
		if err != nil || len(r.Shares) != 0 || r.Result != ErrorAccessDenied {
			t.Fatalf("%+v, %v", r, err)
		}
	})
	t.Run("alignment padding at the end", func(t *testing.T) {
		if _, err := DecodeShareEnumResponse(append(responseStub(nil, 0, nil, 0), 0, 0, 0, 0)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDecodeShareEnumResponseErrors(t *testing.T) {
	main := readTestdata(t, captureMainStub)
	t.Run("every truncation", func(t *testing.T) {
		for n := range len(main) {
			if _, err := DecodeShareEnumResponse(main[:n]); !errors.Is(err, dcerpc.ErrMalformed) {
				t.Fatalf("%d of %d bytes: err = %v", n, len(main), err)
			}
		}
	})
	patchIn := func(b []byte, off int, v uint32) []byte {
		b = bytes.Clone(b)
		b[off], b[off+1], b[off+2], b[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		return b
	}
	patch := func(off int, v uint32) []byte { return patchIn(main, off, v) }
	// Offsets in the capture: Level 0, discriminant 4, container pointer
	// 8, EntriesRead 12, array pointer 16, conformance 20, then the
	// entries from 24 and the first name's maximum count, offset and
	// actual count at 84, 88 and 92.
	tests := []struct {
		name string
		stub []byte
	}{
		{"level 2", patch(0, 2)},
		{"discriminant differs", patch(4, 0)},
		{"EntriesRead differs from the array", patch(12, 4)},
		{"EntriesRead with a null array", append(unhex(t, "01000000 01000000 00000200 03000000 00000000"), make([]byte, 12)...)},
		{"huge array", patch(20, 0x10000000)},
		{"string longer than the data", patchIn(patch(84, 0x7fffffff), 92, 0x7fffffff)},
		{"string actual count above maximum", patch(92, 8)},
		{"trailing bytes", append(bytes.Clone(main), make([]byte, 8)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeShareEnumResponse(tt.stub); !errors.Is(err, dcerpc.ErrMalformed) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestShareEnumWErrorText(t *testing.T) {
	if got, want := ErrorAccessDenied.Error(), "srvsvc: ERROR_ACCESS_DENIED (0x00000005)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := WError(0x1234).Error(), "srvsvc: Win32 error 0x00001234"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzDecodeShareEnumResponse checks that no stub makes the decoder panic,
// allocate for counts the data cannot hold, or return more strings than
// the input could carry.
func FuzzDecodeShareEnumResponse(f *testing.F) {
	for _, name := range []string{captureMainStub, capture31Stub} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add(responseStub(nil, 0, nil, 0))
	f.Add(responseStub([]ShareInfo1{{"<null>", 0, "x"}, {"a", 1, "<null>"}}, 2, new(uint32), ErrorMoreData))
	f.Fuzz(func(t *testing.T, stub []byte) {
		r, err := DecodeShareEnumResponse(stub)
		if err != nil {
			return
		}
		if len(r.Shares)*12 > len(stub) {
			t.Fatalf("%d shares from %d bytes", len(r.Shares), len(stub))
		}
		chars := 0
		for _, s := range r.Shares {
			chars += len([]rune(s.Name)) + len([]rune(s.Remark))
		}
		if 2*chars > len(stub) {
			t.Fatalf("%d characters from %d bytes", chars, len(stub))
		}
	})
}
