package smbfs

import (
	"io/fs"
	"testing"
	"unicode/utf8"

	"github.com/smbfs/smbfs/pipeline"
)

func TestOpString(t *testing.T) {
	cases := []struct {
		op   Op
		want string
	}{
		{0, "[no events]"},
		{OpCreate, "CREATE"},
		{OpWrite, "WRITE"},
		{OpRemove, "REMOVE"},
		{OpRename, "RENAME"},
		{OpChmod, "CHMOD"},
		{OpCreate | OpWrite, "CREATE|WRITE"},
		{OpChmod | OpCreate | OpRename, "CREATE|RENAME|CHMOD"},
		{allOps, "CREATE|WRITE|REMOVE|RENAME|CHMOD"},
		{OpWrite | 0x100, "WRITE|0x100"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := c.op.String(); got != c.want {
				t.Errorf("Op(%#x).String() = %q, want %q", uint32(c.op), got, c.want)
			}
		})
	}
}

func TestOpHas(t *testing.T) {
	op := OpCreate | OpWrite
	if !op.Has(OpCreate) || !op.Has(OpWrite) || !op.Has(OpCreate|OpWrite) {
		t.Errorf("%v lacks its own bits", op)
	}
	if op.Has(OpRemove) || op.Has(OpCreate|OpRemove) {
		t.Errorf("%v claims REMOVE", op)
	}
	if !(Event{Op: OpChmod}).Has(OpChmod) {
		t.Error("Event.Has(CHMOD) false for a CHMOD event")
	}
}

func TestEventString(t *testing.T) {
	cases := []struct {
		ev   Event
		want string
	}{
		{Event{Name: "a.txt", Op: OpCreate}, `CREATE "a.txt"`},
		{Event{Name: "d/b.txt", Op: OpCreate, OldName: "a.txt"}, `CREATE "d/b.txt" (renamed from "a.txt")`},
		{Event{Name: "x", Op: OpWrite | OpChmod}, `WRITE|CHMOD "x"`},
	}
	for _, c := range cases {
		if got := c.ev.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}

// TestWatchEventTranslation checks the mapping from the pipeline's neutral
// changes to Events: names unmapped per component and joined to the
// watched directory, renames paired, unusable names dropped.
func TestWatchEventTranslation(t *testing.T) {
	fsys := &FS{mapping: true}
	type step struct {
		in   pipeline.Change
		want Event
		drop bool
	}
	cases := []struct {
		name  string
		dir   string
		steps []step
	}{
		{"actions", ".", []step{
			{in: pipeline.Change{Action: pipeline.ChangeAdded, Name: "a.txt"}, want: Event{Name: "a.txt", Op: OpCreate}},
			{in: pipeline.Change{Action: pipeline.ChangeRemoved, Name: "a.txt"}, want: Event{Name: "a.txt", Op: OpRemove}},
			{in: pipeline.Change{Action: pipeline.ChangeContent, Name: "a.txt"}, want: Event{Name: "a.txt", Op: OpWrite}},
			{in: pipeline.Change{Action: pipeline.ChangeMetadata, Name: "a.txt"}, want: Event{Name: "a.txt", Op: OpChmod}},
			{in: pipeline.Change{Action: 99, Name: "a.txt"}, drop: true},
		}},
		{"rename pair", "dir", []step{
			{in: pipeline.Change{Action: pipeline.ChangeRenamedFrom, Name: "old.txt"}, want: Event{Name: "dir/old.txt", Op: OpRename}},
			{in: pipeline.Change{Action: pipeline.ChangeRenamedTo, Name: `sub\new.txt`}, want: Event{Name: "dir/sub/new.txt", Op: OpCreate, OldName: "dir/old.txt"}},
			// A new name with no old one (moved in from elsewhere).
			{in: pipeline.Change{Action: pipeline.ChangeRenamedTo, Name: "other.txt"}, want: Event{Name: "dir/other.txt", Op: OpCreate}},
		}},
		{"mapped names", "a/b", []step{
			{in: pipeline.Change{Action: pipeline.ChangeAdded, Name: "12\uF02230.log"}, want: Event{Name: "a/b/12:30.log", Op: OpCreate}},
			{in: pipeline.Change{Action: pipeline.ChangeAdded, Name: "what\uF025\\x\uF029"}, want: Event{Name: "a/b/what?/x.", Op: OpCreate}},
		}},
		{"unusable names", ".", []step{
			{in: pipeline.Change{Action: pipeline.ChangeAdded, Name: `a\..\b`}, drop: true},
			{in: pipeline.Change{Action: pipeline.ChangeAdded, Name: `a\\b`}, drop: true},
			{in: pipeline.Change{Action: pipeline.ChangeAdded, Name: "a/b"}, drop: true},
			{in: pipeline.Change{Action: pipeline.ChangeAdded, Name: "bad\xff"}, drop: true},
			{in: pipeline.Change{Action: pipeline.ChangeContent, Name: ""}, want: Event{Name: ".", Op: OpWrite}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &watchRun{fsys: fsys, dir: c.dir}
			for i, s := range c.steps {
				got, ok := r.event(s.in)
				if s.drop {
					if ok {
						t.Errorf("step %d: %+v gave %v, want it dropped", i, s.in, got)
					}
					continue
				}
				if !ok || got != s.want {
					t.Errorf("step %d: %+v gave %v (ok %v), want %v", i, s.in, got, ok, s.want)
				}
			}
		})
	}
}

// FuzzWatchEventName checks that whatever name a server sends, an Event
// either is dropped or names a valid path of the FS: callers pass Event
// names straight back to Open and Stat.
func FuzzWatchEventName(f *testing.F) {
	for _, s := range []string{"a.txt", `dir\sub\file`, "12\uF02230.log", `..\x`, `a\\b`, "", ".", "x\uF029", "a/b", "\xff"} {
		f.Add(s, ".")
		f.Add(s, "watched/dir")
	}
	f.Fuzz(func(t *testing.T, name, dir string) {
		if !fs.ValidPath(dir) {
			return
		}
		r := &watchRun{fsys: &FS{mapping: true}, dir: dir}
		for _, action := range []pipeline.ChangeAction{pipeline.ChangeAdded, pipeline.ChangeRenamedFrom, pipeline.ChangeRenamedTo} {
			ev, ok := r.event(pipeline.Change{Action: action, Name: name})
			if !ok {
				continue
			}
			if !fs.ValidPath(ev.Name) || !utf8.ValidString(ev.Name) {
				t.Fatalf("name %q in %q gave invalid path %q", name, dir, ev.Name)
			}
			if ev.OldName != "" && !fs.ValidPath(ev.OldName) {
				t.Fatalf("old name %q invalid", ev.OldName)
			}
		}
	})
}
