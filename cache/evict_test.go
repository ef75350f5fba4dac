package cache_test

import (
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/cache"
)

func TestEvictionByAge(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{MaxAge: 48 * time.Hour})
	c := f.client(t, mainA)
	save(t, c, "used", "v1", 1)
	save(t, c, "unused", "v1", 2)
	f.clock.Advance(30 * time.Hour)
	c = f.client(t, mainA) // a credential lasts 24 hours: a new job's
	restore(t, c, []string{"used"}, "v1")
	f.clock.Advance(30 * time.Hour) // unused: 60h without use; used: 30h
	f.srv.Sweep()
	c = f.client(t, mainA)
	if got, _ := restore(t, c, []string{"used"}, "v1"); got != "used" {
		t.Errorf("restore of the entry used 30h ago = %q, want used", got)
	}
	if got, _ := restore(t, c, []string{"unused"}, "v1"); got != "" {
		t.Errorf("restore of the entry unused for 60h = %q, want it evicted", got)
	}
}

// Over MaxSize, the least recently used entries go first, and the order
// of last use survives a restart.
func TestEvictionBySizeIsLRU(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{MaxSize: 3500})
	c := f.client(t, mainA)
	// save writes 1000+seed bytes.
	save(t, c, "one", "v1", 1)
	f.clock.Advance(time.Minute)
	save(t, c, "two", "v1", 2)
	f.clock.Advance(time.Minute)
	save(t, c, "three", "v1", 3)
	f.clock.Advance(time.Minute)
	restore(t, c, []string{"one"}, "v1") // "two" is now the least recently used
	f.clock.Advance(time.Minute)
	f.restart(t)
	c = f.client(t, mainA)
	save(t, c, "four", "v1", 4) // 4010 bytes: one entry must go
	for key, want := range map[string]bool{"one": true, "two": false, "three": true, "four": true} {
		got, _ := restore(t, c, []string{key}, "v1")
		if (got != "") != want {
			t.Errorf("after eviction, restore of %s = %q, want kept=%v", key, got, want)
		}
	}
	if n, size := f.srv.Usage(); n != 3 || size > 3500 {
		t.Errorf("Usage() = %d entries, %d bytes; want 3 within 3500", n, size)
	}
}
