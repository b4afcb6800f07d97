package protocol

import (
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// ReferralCache keeps DFS referrals until their TTL runs out and finds the
// one that covers a path: the longest cached prefix, compared component by
// component and without regard to case, as DFS names are (MS-DFSC 3.1.1:
// ReferralCache, 3.1.4.1 step 4). Many goroutines may use one cache.
type ReferralCache struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*cachedReferral // by foldPath(Prefix)
}

// cachedReferral is one cache entry.
type cachedReferral struct {
	ref     Referral // Targets ordered with the one last known to work first
	expires time.Time
}

// NewReferralCache returns an empty cache that reads the time from now
// (time.Now when nil; tests pass a fake clock).
func NewReferralCache(now func() time.Time) *ReferralCache {
	if now == nil {
		now = time.Now
	}
	return &ReferralCache{now: now, entries: make(map[string]*cachedReferral)}
}

// Add caches r for its TTL, replacing any referral for the same prefix. A
// referral with no TTL or no target is not cached. Expired entries are
// dropped on the way.
func (c *ReferralCache) Add(r *Referral) {
	if r == nil || r.TTL <= 0 || len(r.Targets) == 0 {
		return
	}
	now := c.now()
	ref := *r
	ref.Prefix = strings.TrimRight(ref.Prefix, `\`)
	ref.Targets = append([]ReferralTarget(nil), r.Targets...)
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	c.entries[foldPath(ref.Prefix)] = &cachedReferral{ref: ref, expires: now.Add(ref.TTL)}
}

// Lookup returns a copy of the unexpired referral with the longest prefix
// of path (`\server\share[\…]`) and the rest of path below that prefix
// ("" when path is the prefix itself), with the target that last worked
// first. ok is false when no referral covers path.
func (c *ReferralCache) Lookup(path string) (r *Referral, rest string, ok bool) {
	path = strings.TrimRight(path, `\`)
	folded := foldPath(path)
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) == 0 {
		return nil, "", false
	}
	// Try path, then each shorter prefix that ends at a component
	// boundary, down to `\server\share`.
	for end := len(folded); end > 0; {
		if e, hit := c.entries[folded[:end]]; hit {
			if now.Before(e.expires) {
				ref := e.ref
				ref.Targets = append([]ReferralTarget(nil), e.ref.Targets...)
				return &ref, strings.TrimPrefix(path[end:], `\`), true
			}
			delete(c.entries, folded[:end])
		}
		i := strings.LastIndexByte(folded[:end], '\\')
		if i <= 0 || strings.Count(folded[:i], `\`) < 2 {
			break // shorter than `\server\share`
		}
		end = i
	}
	return nil, "", false
}

// Prefer moves target to the front of the cached referral for prefix, so
// that later lookups try first the target that worked (MS-DFSC 3.1.1:
// TargetHint).
func (c *ReferralCache) Prefer(prefix string, target ReferralTarget) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[foldPath(strings.TrimRight(prefix, `\`))]
	if !ok {
		return
	}
	for i, t := range e.ref.Targets {
		if t == target {
			copy(e.ref.Targets[1:i+1], e.ref.Targets[:i])
			e.ref.Targets[0] = t
			return
		}
	}
}

// Remove forgets the referral for prefix.
func (c *ReferralCache) Remove(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, foldPath(strings.TrimRight(prefix, `\`)))
}

// Len returns the number of cached referrals, expired ones included until
// they are next looked at.
func (c *ReferralCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// foldPath returns the case-folded form of a DFS path that cache keys are
// compared in. It has the byte length of p, rune for rune, so an index
// into the folded path is the same position in p (Lookup cuts the rest of
// the path from p with it), and backslashes stay where they were.
func foldPath(p string) string {
	if !utf8.ValidString(p) {
		return p // strings.Map would change the length of invalid bytes
	}
	return strings.Map(foldRune, p)
}

// foldRune upper-cases r when that keeps its UTF-8 length, so folded paths
// stay byte-aligned with the originals (SMB servers compare names with an
// upcase table of single UTF-16 units, MS-FSCC 2.1.5; the few runes whose
// upper case is longer in UTF-8 are kept as they are).
func foldRune(r rune) rune {
	u := unicode.ToUpper(r)
	if utf8.RuneLen(u) != utf8.RuneLen(r) {
		return r
	}
	return u
}
