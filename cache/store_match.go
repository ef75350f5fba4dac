package cache

import (
	"cmp"
	"os"
	"slices"
	"strings"
)

// find returns the entry a restore of keys (the primary key, then the
// restore keys) and version gets, in GitHub's order: for each readable
// ref in turn (the run's own, a pull request's base, the default branch),
// for each key in turn, the entry of exactly that key, else the newest
// entry whose key starts with it. Keys compare without regard to case.
func (s *store) find(c claims, keys []string, version string) (record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ref := range c.Read {
		var cands []*entry
		for _, e := range s.entries {
			if e.committed && e.Repo == c.Repo && e.Ref == ref && e.Version == version {
				cands = append(cands, e)
			}
		}
		if len(cands) == 0 {
			continue
		}
		// Newest first; the ID breaks ties of equal times.
		slices.SortFunc(cands, func(a, b *entry) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(b.ID, a.ID)
		})
		for _, key := range keys {
			if key == "" {
				continue
			}
			if e := first(cands, func(e *entry) bool { return strings.EqualFold(e.Key, key) }); e != nil {
				return e.record, true
			}
			lk := strings.ToLower(key)
			if e := first(cands, func(e *entry) bool { return strings.HasPrefix(strings.ToLower(e.Key), lk) }); e != nil {
				return e.record, true
			}
		}
	}
	return record{}, false
}

func first(es []*entry, ok func(*entry) bool) *entry {
	for _, e := range es {
		if ok(e) {
			return e
		}
	}
	return nil
}

// list returns the committed entries of key (exactly) that c may read,
// whatever their version: @actions/cache lists them to explain a miss.
func (s *store) list(c claims, key string) []record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []record
	for _, e := range s.entries {
		if e.committed && e.Repo == c.Repo && c.reads(e.Ref) && strings.EqualFold(e.Key, key) {
			out = append(out, e.record)
		}
	}
	slices.SortFunc(out, func(a, b record) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out
}

// get returns committed entry id.
func (s *store) get(id uint64) (record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entries[id]; e != nil && e.committed {
		return e.record, true
	}
	return record{}, false
}

// reservedEntry returns upload id.
func (s *store) reservedEntry(id uint64) (*entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[id]
	return e, e != nil && !e.committed
}

// openBlob opens committed entry id's data and marks the entry used.
func (s *store) openBlob(id uint64) (*os.File, record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[id]
	if e == nil || !e.committed {
		return nil, record{}, notFoundf("the cache entry is gone (evicted or never saved)")
	}
	f, err := os.Open(s.blobPath(id))
	if err != nil {
		return nil, record{}, err
	}
	e.UsedAt = s.now()
	// The last use only orders eviction: no sync, and a failed write
	// costs nothing but an earlier eviction after a restart.
	_ = s.writeRecord(e.record, false)
	return f, e.record, nil
}
