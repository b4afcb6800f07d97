package srvsvc

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/smbfs/smbfs/protocol/dcerpc"
)

// fakeCaller answers calls from a list of replies and records requests.
type fakeCaller struct {
	replies  [][]byte
	err      error
	requests [][]byte
	opnums   []uint16
}

func (f *fakeCaller) Call(_ context.Context, opnum uint16, stub []byte) ([]byte, error) {
	f.opnums = append(f.opnums, opnum)
	f.requests = append(f.requests, bytes.Clone(stub))
	if f.err != nil {
		return nil, f.err
	}
	if len(f.replies) == 0 {
		return nil, errors.New("fake caller: no reply left")
	}
	r := f.replies[0]
	f.replies = f.replies[1:]
	return r, nil
}

func TestShareEnum(t *testing.T) {
	a := ShareInfo1{"a", TypeDiskTree, "first"}
	b := ShareInfo1{"IPC$", TypeIPC | TypeSpecial, "ipc"}
	u32 := func(v uint32) *uint32 { return &v }
	t.Run("one call", func(t *testing.T) {
		f := &fakeCaller{replies: [][]byte{responseStub([]ShareInfo1{a, b}, 2, u32(0), 0)}}
		got, err := ShareEnum(context.Background(), f, `\\srv`)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []ShareInfo1{a, b}) {
			t.Errorf("got %+v", got)
		}
		want, _ := EncodeShareEnumRequest(`\\srv`, 0)
		if len(f.requests) != 1 || f.opnums[0] != OpNetrShareEnum || !bytes.Equal(f.requests[0], want) {
			t.Errorf("requests %d, opnum %v", len(f.requests), f.opnums)
		}
	})
	t.Run("ERROR_MORE_DATA resumes", func(t *testing.T) {
		f := &fakeCaller{replies: [][]byte{
			responseStub([]ShareInfo1{a}, 2, u32(17), ErrorMoreData),
			responseStub([]ShareInfo1{b}, 2, u32(0), 0),
		}}
		got, err := ShareEnum(context.Background(), f, "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []ShareInfo1{a, b}) {
			t.Errorf("got %+v", got)
		}
		want, _ := EncodeShareEnumRequest("", 17)
		if len(f.requests) != 2 || !bytes.Equal(f.requests[1], want) {
			t.Errorf("second request % x, want % x", f.requests[1:], want)
		}
	})
	failures := []struct {
		name  string
		f     *fakeCaller
		check func(error) bool
	}{
		{"access denied", &fakeCaller{replies: [][]byte{responseStub(nil, 0, nil, ErrorAccessDenied)}}, func(err error) bool {
			var we WError
			return errors.As(err, &we) && we == ErrorAccessDenied
		}},
		{"ERROR_MORE_DATA without entries", &fakeCaller{replies: [][]byte{responseStub(nil, 5, u32(3), ErrorMoreData)}}, isErr},
		{"ERROR_MORE_DATA without resume handle", &fakeCaller{replies: [][]byte{responseStub([]ShareInfo1{a}, 5, nil, ErrorMoreData)}}, isErr},
		{"ERROR_MORE_DATA with the same handle", &fakeCaller{replies: [][]byte{
			responseStub([]ShareInfo1{a}, 5, u32(3), ErrorMoreData),
			responseStub([]ShareInfo1{a}, 5, u32(3), ErrorMoreData),
		}}, isErr},
		{"malformed reply", &fakeCaller{replies: [][]byte{{1, 2, 3}}}, func(err error) bool { return errors.Is(err, dcerpc.ErrMalformed) }},
		{"call fails", &fakeCaller{err: &dcerpc.FaultError{Status: dcerpc.StatusAccessDenied}}, func(err error) bool {
			var fe *dcerpc.FaultError
			return errors.As(err, &fe)
		}},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ShareEnum(context.Background(), tt.f, "")
			if got != nil || !tt.check(err) {
				t.Fatalf("got %v, err %v", got, err)
			}
		})
	}
	t.Run("a server that never finishes", func(t *testing.T) {
		f := &endlessCaller{}
		if _, err := ShareEnum(context.Background(), f, ""); err == nil {
			t.Fatal("no error")
		}
		if f.calls != maxEnumRounds {
			t.Errorf("%d calls, want %d", f.calls, maxEnumRounds)
		}
	})
}

func isErr(err error) bool { return err != nil }

// endlessCaller answers every call with one entry, ERROR_MORE_DATA and a
// new resume handle.
type endlessCaller struct{ calls int }

func (e *endlessCaller) Call(context.Context, uint16, []byte) ([]byte, error) {
	e.calls++
	h := uint32(e.calls)
	return responseStub([]ShareInfo1{{"x", 0, ""}}, 1<<30, &h, ErrorMoreData), nil
}
