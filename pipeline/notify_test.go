package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/smbfs/smbfs/protocol/wire"
)

// ent is one FILE_NOTIFY_INFORMATION entry.
func ent(action wire.FileAction, name string) wire.FileNotifyInformation {
	return wire.FileNotifyInformation{Action: action, FileName: name}
}

// notifyBuf encodes entries as a FILE_NOTIFY_INFORMATION chain.
func notifyBuf(entries ...wire.FileNotifyInformation) []byte {
	return wire.AppendFileNotifyInformation(nil, entries)
}

func TestDecodeChanges(t *testing.T) {
	cases := []struct {
		name     string
		buf      []byte
		modified ChangeAction
		want     []Change
	}{
		{"every action", notifyBuf(
			ent(wire.FileActionAdded, "a"),
			ent(wire.FileActionRemoved, "b"),
			ent(wire.FileActionModified, "c"),
			ent(wire.FileActionRenamedOldName, "d"),
			ent(wire.FileActionRenamedNewName, `sub\e`),
			ent(wire.FileActionRemovedByDelete, "f"),
		), ChangeContent, []Change{
			{ChangeAdded, "a"}, {ChangeRemoved, "b"}, {ChangeContent, "c"},
			{ChangeRenamedFrom, "d"}, {ChangeRenamedTo, `sub\e`}, {ChangeRemoved, "f"},
		}},
		{"modified on the metadata handle", notifyBuf(ent(wire.FileActionModified, "c")), ChangeMetadata,
			[]Change{{ChangeMetadata, "c"}}},
		{"streams report their file", notifyBuf(
			ent(wire.FileActionAddedStream, "file.txt:extra"),
			ent(wire.FileActionModifiedStream, `dir\f:s:$DATA`),
			ent(wire.FileActionRemovedStream, `d:x\f`),
		), ChangeContent, []Change{{ChangeContent, "file.txt"}, {ChangeContent, `dir\f`}, {ChangeContent, `d:x\f`}}},
		{"tunnelling actions dropped", notifyBuf(
			ent(wire.FileActionIDNotTunnelled, "a"),
			ent(wire.FileActionTunnelledIDCollision, "b"),
			ent(0x77, "c"),
		), ChangeContent, []Change{}},
		{"repeated modifications coalesced", notifyBuf(
			ent(wire.FileActionModified, "a"),
			ent(wire.FileActionModified, "a"),
			ent(wire.FileActionModified, "b"),
			ent(wire.FileActionModified, "a"),
		), ChangeContent, []Change{{ChangeContent, "a"}, {ChangeContent, "b"}, {ChangeContent, "a"}}},
		{"repeated names kept", notifyBuf(
			ent(wire.FileActionAdded, "a"),
			ent(wire.FileActionAdded, "a"),
		), ChangeContent, []Change{{ChangeAdded, "a"}, {ChangeAdded, "a"}}},
		{"empty", nil, ChangeContent, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeChanges(c.buf, c.modified)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) || (len(got) > 0 && !slices.Equal(got, c.want)) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDecodeChangesMalformed(t *testing.T) {
	good := notifyBuf(wire.FileNotifyInformation{Action: wire.FileActionAdded, FileName: "abc"}, wire.FileNotifyInformation{Action: wire.FileActionAdded, FileName: "d"})
	cases := map[string][]byte{
		"truncated header": good[:8],
		"truncated name":   good[:14],
		"offset past end":  append([]byte{0xF0, 0, 0, 0}, good[4:]...),
		"offset into self": append([]byte{4, 0, 0, 0}, good[4:]...),
	}
	for name, buf := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := decodeChanges(buf, ChangeContent); !errors.Is(err, wire.ErrMalformed) {
				t.Errorf("got %v, %v; want an ErrMalformed error", got, err)
			}
		})
	}
}

// FuzzDecodeChanges checks that any completion buffer decodes to changes
// or an error, never a panic, and that every change has a known action.
func FuzzDecodeChanges(f *testing.F) {
	f.Add(notifyBuf(wire.FileNotifyInformation{Action: wire.FileActionAdded, FileName: "a.txt"}))
	f.Add(notifyBuf(
		wire.FileNotifyInformation{Action: wire.FileActionRenamedOldName, FileName: `dir\old name.txt`},
		wire.FileNotifyInformation{Action: wire.FileActionRenamedNewName, FileName: `dir\new.txt`},
		wire.FileNotifyInformation{Action: wire.FileActionModifiedStream, FileName: `f:s:$DATA`},
	))
	f.Add([]byte{})
	f.Add([]byte{4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, buf []byte) {
		changes, err := decodeChanges(buf, ChangeMetadata)
		if err != nil {
			return
		}
		for _, c := range changes {
			if c.Action < ChangeAdded || c.Action > ChangeRenamedTo {
				t.Fatalf("change %+v has an unknown action", c)
			}
		}
	})
}

func TestFullSizeBytes(t *testing.T) {
	cases := []struct {
		name string
		in   wire.FileFsFullSizeInformation
		want DiskUsage
		err  bool
	}{
		{"typical", wire.FileFsFullSizeInformation{TotalAllocationUnits: 1000, CallerAvailableAllocationUnits: 300, ActualAvailableAllocationUnits: 400, SectorsPerAllocationUnit: 8, BytesPerSector: 512},
			DiskUsage{Total: 4096000, Free: 1638400, Available: 1228800}, false},
		{"zero", wire.FileFsFullSizeInformation{}, DiskUsage{}, false},
		{"largest unit", wire.FileFsFullSizeInformation{TotalAllocationUnits: 1, SectorsPerAllocationUnit: 1 << 31, BytesPerSector: 1 << 31}, DiskUsage{Total: 1 << 62}, false},
		{"total overflows", wire.FileFsFullSizeInformation{TotalAllocationUnits: 1 << 60, SectorsPerAllocationUnit: 16, BytesPerSector: 4096}, DiskUsage{}, true},
		{"free overflows", wire.FileFsFullSizeInformation{ActualAvailableAllocationUnits: ^uint64(0), SectorsPerAllocationUnit: 1, BytesPerSector: 2}, DiskUsage{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := fullSizeBytes(&c.in)
			if (err != nil) != c.err {
				t.Fatalf("error %v, want error: %v", err, c.err)
			}
			if err == nil && got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestWatchRearmReplaces re-arms every 10 ms while files appear: the
// replaced requests come back STATUS_CANCELLED (so the CANCEL went out by
// AsyncId and was honoured), and no creation is lost.
func TestWatchRearmReplaces(t *testing.T) {
	ctx := t.Context()
	s := connect(t, servers.main, "private", Config{})
	other := connect(t, servers.main, "private", Config{})
	dir := fmt.Sprintf("rearm-%d", time.Now().UnixNano())
	if err := s.Mkdir(ctx, dir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := range 30 {
			_ = other.Remove(context.Background(), fmt.Sprintf(`%s\f%02d`, dir, i))
		}
		_ = other.Remove(context.Background(), dir)
	})
	w, err := s.Watch(ctx, dir, WatchOptions{Kinds: WatchNames, RearmInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	const n = 30
	time.Sleep(200 * time.Millisecond) // let smbd hand the watch to its notifyd
	go func() {
		for i := range n {
			_ = other.WriteFile(ctx, fmt.Sprintf(`%s\f%02d`, dir, i), nil, 0)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	seen := map[string]bool{}
	deadline, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for len(seen) < n {
		changes, err := w.Next(deadline)
		if err != nil {
			t.Fatalf("after %d creations: %v", len(seen), err)
		}
		for _, c := range changes {
			if c.Action == ChangeAdded {
				seen[c.Name] = true
			}
		}
	}
	// Keep reading until a replaced request has come back.
	for w.replaced == 0 {
		if _, err := w.Next(deadline); err != nil {
			t.Fatalf("no re-armed request came back cancelled: %v", err)
		}
	}
	t.Logf("%d creations seen; %d requests replaced", len(seen), w.replaced)
	if n := len(w.subs[0].queue); n < notifyDepth {
		t.Errorf("%d requests outstanding, want at least %d", n, notifyDepth)
	}
}

// TestWatchCloseCancels checks that Close ends every outstanding request
// and leaves the connection usable.
func TestWatchCloseCancels(t *testing.T) {
	ctx := t.Context()
	s := connect(t, servers.main, "private", Config{})
	w, err := s.Watch(ctx, "", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.subs) != 2 {
		t.Fatalf("%d handles for all kinds, want 2", len(w.subs))
	}
	calls := append(slices.Clone(w.subs[0].queue), w.subs[1].queue...)
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, nc := range calls {
		select {
		case <-nc.done:
		default:
			t.Error("a request still waits after Close")
		}
	}
	if _, err := w.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Stat(ctx, "", false); err != nil {
		t.Errorf("Stat after Close: %v", err)
	}
}
