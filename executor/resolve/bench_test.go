package resolve_test

import (
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// BenchmarkResolveCached measures resolving an action whose commit is in
// the cache: by tag in a run that resolved it already, by tag in a new run
// (one git ls-remote to the loopback server), pinned to a commit (no
// network), and offline by tag (the recorded ref map).
func BenchmarkResolveCached(b *testing.B) {
	srv := gittest.NewServer(b, gittest.Options{})
	repo := srv.NewRepo(b, "acme/composite", false)
	sha := repo.CommitDir(b, "main", "testdata/repos/composite", "", "v1")
	repo.Tag(b, "v1", "main")
	cache := b.TempDir()
	warm, err := resolve.New(resolve.Config{Sources: []string{srv.URL}, CacheDir: cache})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := warm.ResolveAction(b.Context(), "acme/composite@v1"); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name    string
		uses    string
		offline bool
		reuse   bool // the same Resolver for every resolution (one run)
	}{
		{name: "same-run-tag", uses: "acme/composite@v1", reuse: true},
		{name: "new-run-tag", uses: "acme/composite@v1"},
		{name: "new-run-sha", uses: "acme/composite@" + sha},
		{name: "offline-tag", uses: "acme/composite@v1", offline: true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			n := 0
			for b.Loop() {
				r := warm
				if !c.reuse {
					if r, err = resolve.New(resolve.Config{Sources: []string{srv.URL}, CacheDir: cache, Offline: c.offline}); err != nil {
						b.Fatal(err)
					}
				}
				start := time.Now()
				if _, err := r.ResolveAction(b.Context(), c.uses); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				n++
			}
			b.ReportMetric(float64(total.Microseconds())/float64(n), "µs/resolve")
			if srv.Stats("acme/composite").Fetches != 1 {
				b.Errorf("a cached resolution fetched again: %+v", srv.Stats("acme/composite"))
			}
		})
	}
}
