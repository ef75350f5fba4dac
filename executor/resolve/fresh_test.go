package resolve_test

import (
	"path/filepath"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// TestCacheDirCreatedOnFirstUse: on a fresh machine the action cache and
// its parents do not exist; resolving a tag (git ls-remote first) and a
// branch creates them.
func TestCacheDirCreatedOnFirstUse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{})
	cache := filepath.Join(t.TempDir(), "home", ".cache", "anvil", "actions")
	r := f.resolver(t, resolve.Config{CacheDir: cache})
	for _, uses := range []string{"acme/composite@v1", "acme/composite@dev"} {
		dir, err := resolveAction(t, r, uses)
		if err != nil {
			t.Fatalf("ResolveAction(%s) with no cache directory yet: %v", uses, err)
		}
		if rel, err := filepath.Rel(cache, dir); err != nil || !filepath.IsLocal(rel) {
			t.Errorf("ResolveAction(%s) = %s, want a directory under %s", uses, dir, cache)
		}
	}
}
