package cache

import (
	"cmp"
	"slices"
)

// sweepStats counts what a sweep removed.
type sweepStats struct {
	Stale, Expired, OverSize int
}

// sweep discards uploads idle for longer than the upload timeout, entries
// not used for MaxAge, and then the least recently used entries until
// the rest fit MaxSize.
func (s *store) sweep() sweepStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st sweepStats
	now := s.now()
	var live []*entry
	for _, e := range s.entries {
		switch {
		case !e.committed:
			if !e.committing && e.writers == 0 && now.Sub(e.lastActive) > s.uploadTimeout {
				s.removeLocked(e)
				st.Stale++
			}
		case now.Sub(e.UsedAt) > s.maxAge:
			s.removeLocked(e)
			st.Expired++
		default:
			live = append(live, e)
		}
	}
	if s.total <= s.maxSize {
		return st
	}
	slices.SortFunc(live, func(a, b *entry) int {
		if c := a.UsedAt.Compare(b.UsedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, e := range live {
		if s.total <= s.maxSize {
			break
		}
		s.removeLocked(e)
		st.OverSize++
	}
	return st
}

// usage returns the number of committed entries and their bytes.
func (s *store) usage() (n int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.committed {
			n++
		}
	}
	return n, s.total
}
