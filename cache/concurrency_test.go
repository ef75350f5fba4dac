package cache_test

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/cache/cachetest"
)

// Ten jobs save the same key at once: one entry, nine clear refusals.
func TestTenParallelSavesOfOneKey(t *testing.T) {
	t.Parallel()
	saves := map[string]func(c *cachetest.Client, t *testing.T, src string) error{
		"v1": func(c *cachetest.Client, t *testing.T, src string) error {
			_, err := c.SaveV1(t.Context(), "shared-key", "v1", src)
			return err
		},
		"v2": func(c *cachetest.Client, t *testing.T, src string) error {
			_, err := c.SaveV2(t.Context(), "shared-key", "v1", src)
			return err
		},
	}
	for name, saveFn := range saves {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := start(t, cache.Options{})
			srcs := make([]string, 10)
			for i := range srcs {
				srcs[i] = archive(t, 200<<10, uint64(i))
			}
			errs := make([]error, 10)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range 10 {
				wg.Go(func() {
					c := f.client(t, mainA)
					c.ChunkSize = 32 << 10
					<-start
					errs[i] = saveFn(c, t, srcs[i])
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Fatalf("saves %d and %d both succeeded", winner, i)
				case err == nil:
					winner = i
				case httpStatus(err) != 409 || !errors.As(err, new(*cachetest.HTTPError)):
					t.Errorf("save %d = %v, want a 409 refusal", i, err)
				case !strings.Contains(err.Error(), "right now") && !strings.Contains(err.Error(), "already exists"):
					t.Errorf("save %d = %v, want a message naming the running or finished save", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no save succeeded")
			}
			if n, _ := f.srv.Usage(); n != 1 {
				t.Errorf("Usage() = %d entries, want 1", n)
			}
			dst := filepath.Join(t.TempDir(), "restored")
			if _, err := f.client(t, mainA).RestoreV1(t.Context(), []string{"shared-key"}, "v1", dst); err != nil {
				t.Fatal(err)
			}
			sameFile(t, dst, srcs[winner])
		})
	}
}

// A saved entry is immutable: saving its key again is refused with 409,
// while another ref saves its own entry of the key.
func TestSecondSaveAfterCommitIsRefused(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	save(t, c, "k", "v1", 1)
	_, err := c.SaveV1(t.Context(), "k", "v1", archive(t, 10, 2))
	if httpStatus(err) != 409 || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("second SaveV1() = %v, want 409 saying entries are immutable", err)
	}
	// Another ref may save its own entry of the key.
	if _, err := f.client(t, featureA).SaveV1(t.Context(), "k", "v1", archive(t, 10, 3)); err != nil {
		t.Errorf("SaveV1() on another ref = %v, want its own entry", err)
	}
}
