package cache_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/cache"
)

// countingObserver counts lookups and bytes.
type countingObserver struct {
	mu           sync.Mutex
	hits, misses int
	bytes        map[string]int64
}

func (o *countingObserver) Lookup(hit bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if hit {
		o.hits++
	} else {
		o.misses++
	}
}

func (o *countingObserver) Transferred(direction string, n int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.bytes[direction] += n
}

func TestObserverCountsLookupsAndBytes(t *testing.T) {
	t.Parallel()
	obs := &countingObserver{bytes: map[string]int64{}}
	f := start(t, cache.Options{Observer: obs})
	c := f.client(t, mainA)
	c.ChunkSize = 64 << 10
	const v1Size, v2Size = 3*64<<10 + 5, 100_000
	if _, err := c.SaveV1(t.Context(), "v1-key", "v1", archive(t, v1Size, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SaveV2(t.Context(), "v2-key", "v1", archive(t, v2Size, 2)); err != nil {
		t.Fatal(err)
	}
	if got, _ := restore(t, c, []string{"v1-key"}, "v1"); got != "v1-key" {
		t.Fatalf("v1 restore matched %q", got)
	}
	if got, err := c.RestoreV2(t.Context(), "v2-key", nil, "v1", filepath.Join(t.TempDir(), "out")); err != nil || got != "v2-key" {
		t.Fatalf("RestoreV2() = %q, %v", got, err)
	}
	if got, _ := restore(t, c, []string{"absent"}, "v1"); got != "" {
		t.Fatalf("restore of an absent key matched %q", got)
	}
	if got, err := c.RestoreV2(t.Context(), "absent", nil, "v1", filepath.Join(t.TempDir(), "out")); err != nil || got != "" {
		t.Fatalf("RestoreV2(absent) = %q, %v", got, err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.hits != 2 || obs.misses != 2 {
		t.Errorf("hits, misses = %d, %d; want 2, 2", obs.hits, obs.misses)
	}
	want := map[string]int64{"upload": v1Size + v2Size, "download": v1Size + v2Size}
	if diff := cmp.Diff(obs.bytes, want); diff != "" {
		t.Errorf("bytes (-got +want):\n%s", diff)
	}
}
