package protocol

import (
	"reflect"
	"testing"
	"time"
)

// fakeClock is a settable time source.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestReferralCacheLookup(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c := NewReferralCache(clock.now)
	link := &Referral{Prefix: `\srv\root\link`, TTL: time.Minute, Targets: []ReferralTarget{{Server: "a", Share: "x"}}}
	deep := &Referral{Prefix: `\srv\root\link\deeper`, TTL: time.Minute, Targets: []ReferralTarget{{Server: "b", Share: "y"}}}
	uni := &Referral{Prefix: `\srv\root\Ärger`, TTL: time.Minute, Targets: []ReferralTarget{{Server: "c", Share: "z"}}}
	for _, r := range []*Referral{link, deep, uni} {
		c.Add(r)
	}
	tests := []struct {
		path     string
		want     *Referral
		wantRest string
	}{
		{`\srv\root\link`, link, ""},
		{`\srv\root\link\`, link, ""},
		{`\srv\root\link\a\b.txt`, link, `a\b.txt`},
		{`\SRV\Root\LINK\A\b.txt`, link, `A\b.txt`}, // the rest keeps its case
		{`\srv\root\link\deeper\f`, deep, "f"},      // the longest prefix wins
		{`\srv\root\link\DEEPER`, deep, ""},
		{`\srv\root\link\deeperx`, link, "deeperx"}, // whole components only
		{`\srv\root\linkx\f`, nil, ""},
		{`\srv\root\äRGER\f`, uni, "f"}, // case folding beyond ASCII
		{`\srv\root`, nil, ""},
		{`\other\root\link`, nil, ""},
		{``, nil, ""},
	}
	for _, tt := range tests {
		got, rest, ok := c.Lookup(tt.path)
		if ok != (tt.want != nil) || ok && (got.Prefix != tt.want.Prefix || rest != tt.wantRest) {
			t.Errorf("Lookup(%q) = %v, %q, %v; want %v, %q", tt.path, got, rest, ok, tt.want, tt.wantRest)
		}
	}

	// A looked-up referral is a copy: changing it changes nothing cached.
	got, _, _ := c.Lookup(`\srv\root\link`)
	got.Targets[0].Server = "changed"
	if again, _, _ := c.Lookup(`\srv\root\link`); again.Targets[0].Server != "a" {
		t.Error("Lookup returned the cache's own targets")
	}

	// Expiry: at the TTL the entry is gone, and the shorter prefix that
	// is still valid is found instead.
	clock.t = clock.t.Add(30 * time.Second)
	c.Add(&Referral{Prefix: `\srv\root\link`, TTL: time.Minute, Targets: link.Targets}) // refreshed
	clock.t = clock.t.Add(30 * time.Second)
	if r, rest, ok := c.Lookup(`\srv\root\link\deeper\f`); !ok || r.Prefix != `\srv\root\link` || rest != `deeper\f` {
		t.Errorf("after deep's TTL: %v, %q, %v; want link with rest deeper\\f", r, rest, ok)
	}
	clock.t = clock.t.Add(30 * time.Second)
	if r, _, ok := c.Lookup(`\srv\root\link\x`); ok {
		t.Errorf("after link's TTL: still %v", r)
	}
	if r, _, ok := c.Lookup(`\srv\root\ärger\f`); ok {
		t.Errorf("after uni's TTL: still %v", r)
	}
	if c.Len() != 0 {
		t.Errorf("%d entries left after everything expired and was looked at", c.Len())
	}
}

func TestReferralCacheAddRemovePrefer(t *testing.T) {
	c := NewReferralCache(nil)
	a, b, d := ReferralTarget{Server: "a", Share: "s"}, ReferralTarget{Server: "b", Share: "s"}, ReferralTarget{Server: "d", Share: "s"}
	c.Add(&Referral{Prefix: `\s\r\l`, TTL: 0, Targets: []ReferralTarget{a}})                // no TTL: not cached
	c.Add(&Referral{Prefix: `\s\r\m`, TTL: time.Hour})                                      // no target: not cached
	c.Add(nil)                                                                              // ignored
	c.Add(&Referral{Prefix: `\s\r\l\`, TTL: time.Hour, Targets: []ReferralTarget{a, b, d}}) // trailing backslash
	if c.Len() != 1 {
		t.Fatalf("Len %d, want 1", c.Len())
	}
	c.Prefer(`\S\R\L`, d)
	r, _, _ := c.Lookup(`\s\r\l\f`)
	if want := []ReferralTarget{d, a, b}; !reflect.DeepEqual(r.Targets, want) {
		t.Errorf("after Prefer(d): %v, want %v", r.Targets, want)
	}
	c.Prefer(`\s\r\l`, ReferralTarget{Server: "zz", Share: "s"}) // unknown target: no change
	c.Prefer(`\s\r\nope`, a)                                     // unknown prefix: no change
	r, _, _ = c.Lookup(`\s\r\l`)
	if want := []ReferralTarget{d, a, b}; !reflect.DeepEqual(r.Targets, want) {
		t.Errorf("after no-op Prefers: %v, want %v", r.Targets, want)
	}
	c.Remove(`\s\R\l`)
	if _, _, ok := c.Lookup(`\s\r\l`); ok || c.Len() != 0 {
		t.Error("Remove left the referral")
	}
}

func TestFoldPathKeepsLength(t *testing.T) {
	// Lookup cuts the rest of the path with an index into the folded
	// path, so folding must keep every byte position.
	for _, s := range []string{`\a\b`, `\ı\ſ\ß\ﬀ`, `\Ⱥ\ⱥ`, "\\\xff\\x", `\😀\é`} {
		if f := foldPath(s); len(f) != len(s) {
			t.Errorf("foldPath(%q) = %q: length %d, want %d", s, f, len(f), len(s))
		}
	}
}
