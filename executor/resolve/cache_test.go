package resolve_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// helperEnv makes the test binary a helper process that resolves one
// action and prints its directory (see TestMain).
const helperEnv = "ANVIL_RESOLVE_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain resolves $USES from $SOURCE into $CACHE, as another anvil
// process sharing the cache would.
func helperMain() int {
	r, err := resolve.New(resolve.Config{Sources: []string{os.Getenv("SOURCE")}, CacheDir: os.Getenv("CACHE")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := r.ResolveAction(ctx, os.Getenv("USES"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(dir)
	return 0
}

// TestConcurrentResolutionsFetchOnce: ten jobs asking for the same action
// at once, through one Resolver (one run), through ten Resolvers sharing a
// cache (ten tasks of a daemon) or from ten processes, fetch it once.
func TestConcurrentResolutionsFetchOnce(t *testing.T) {
	t.Parallel()
	const jobs = 10
	tests := []struct {
		name string
		// resolve runs job i against the cache and returns the directory.
		resolve func(t *testing.T, f *fixture, cache string, shared *resolve.Resolver, i int) (string, error)
	}{
		{name: "one resolver", resolve: func(t *testing.T, f *fixture, cache string, shared *resolve.Resolver, i int) (string, error) {
			return resolveAction(t, shared, "acme/composite@v1")
		}},
		{name: "a resolver per job", resolve: func(t *testing.T, f *fixture, cache string, shared *resolve.Resolver, i int) (string, error) {
			return resolveAction(t, f.resolver(t, resolve.Config{CacheDir: cache}), "acme/composite@v1")
		}},
		{name: "a process per job", resolve: func(t *testing.T, f *fixture, cache string, shared *resolve.Resolver, i int) (string, error) {
			c := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
			c.Env = append(os.Environ(), helperEnv+"=1", "SOURCE="+f.srv.URL, "CACHE="+cache, "USES=acme/composite@v1")
			var stdout, stderr bytes.Buffer
			c.Stdout, c.Stderr = &stdout, &stderr
			if err := c.Run(); err != nil {
				return "", fmt.Errorf("helper process: %w: %s", err, stderr.String())
			}
			return strings.TrimSpace(stdout.String()), nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, gittest.Options{})
			cache := t.TempDir()
			shared := f.resolver(t, resolve.Config{CacheDir: cache})
			want := filepath.Join(cache, "commits", f.sha["composite@v1"])
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range jobs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					dir, err := tt.resolve(t, f, cache, shared, i)
					if err != nil {
						t.Errorf("job %d: %v", i, err)
						return
					}
					if dir != want {
						t.Errorf("job %d got %s, want %s", i, dir, want)
					}
				}()
			}
			close(start)
			wg.Wait()
			if st := f.srv.Stats("acme/composite"); st.Fetches != 1 {
				t.Errorf("%d jobs made %d fetches (%+v), want 1", jobs, st.Fetches, st)
			}
			if got := readVersion(t, want); got != "v1" {
				t.Errorf("cached tree has VERSION %q, want v1", got)
			}
			entries, err := os.ReadDir(filepath.Join(cache, "tmp"))
			if err != nil || len(entries) != 0 {
				t.Errorf("tmp/ of the cache holds %d entries (err %v), want none", len(entries), err)
			}
		})
	}
}

// TestOffline resolves with --offline from a cold and a warm cache, and
// online from a warm cache while the forge is down.
func TestOffline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{})
	warm := t.TempDir()
	online := f.resolver(t, resolve.Config{CacheDir: warm})
	pinned := "acme/composite@" + f.sha["composite@dev"]
	uses := []string{"acme/composite@v1", "acme/composite@main", pinned, "acme/tools/greet@v1", f.srv.URL + "/acme/node@v1"}
	want := map[string]string{}
	for _, u := range uses {
		dir, err := resolveAction(t, online, u)
		if err != nil {
			t.Fatalf("warming the cache with %s: %v", u, err)
		}
		want[u] = dir
	}
	wf, err := online.ResolveWorkflow(t.Context(), "acme/workflows/.forgejo/workflows/deploy.yml@v1")
	if err != nil {
		t.Fatalf("warming the cache with a workflow: %v", err)
	}
	before := f.srv.TotalFetches()

	t.Run("warm", func(t *testing.T) {
		off := f.resolver(t, resolve.Config{CacheDir: warm, Offline: true})
		for _, u := range uses {
			dir, err := resolveAction(t, off, u)
			if err != nil {
				t.Errorf("offline ResolveAction(%s): %v", u, err)
			} else if dir != want[u] {
				t.Errorf("offline ResolveAction(%s) = %s, want %s", u, dir, want[u])
			}
		}
		got, err := off.ResolveWorkflow(t.Context(), "acme/workflows/.forgejo/workflows/deploy.yml@v1")
		if err != nil || got != wf {
			t.Errorf("offline ResolveWorkflow = %s, %v; want %s", got, err, wf)
		}
		if n := f.srv.TotalFetches(); n != before {
			t.Errorf("offline resolution fetched %d times", n-before)
		}
	})
	t.Run("warm, other versions are cold", func(t *testing.T) {
		off := f.resolver(t, resolve.Config{CacheDir: warm, Offline: true})
		for _, u := range []string{"acme/composite@v2", "acme/composite@" + f.sha["composite@branch-both"], "acme/other@v1"} {
			_, err := resolveAction(t, off, u)
			if !errors.Is(err, resolve.ErrNotCached) || !strings.Contains(err.Error(), "run once without --offline") {
				t.Errorf("offline ResolveAction(%s) error = %v, want ErrNotCached with advice", u, err)
			}
		}
	})
	t.Run("cold", func(t *testing.T) {
		off := f.resolver(t, resolve.Config{Offline: true})
		_, err := resolveAction(t, off, "acme/composite@v1")
		if !errors.Is(err, resolve.ErrNotCached) {
			t.Fatalf("offline ResolveAction from a cold cache: error %v, want ErrNotCached", err)
		}
		for _, w := range []string{"acme/composite@v1", f.srv.URL + "/acme/composite", "run once without --offline", "--local-repository acme/composite@v1=DIR"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	})
	t.Run("source down, warm cache", func(t *testing.T) {
		down := gittest.NewServer(t, gittest.Options{})
		r := down.NewRepo(t, "acme/composite", false)
		r.CommitDir(t, "main", filepath.Join("testdata", "repos", "composite"), "", "v1")
		r.Tag(t, "v1", "main")
		cache := t.TempDir()
		var mu sync.Mutex
		var logs []string
		cfg := resolve.Config{Sources: []string{down.URL}, CacheDir: cache, Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			logs = append(logs, fmt.Sprintf(format, args...))
		}}
		first, err := resolve.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		dir, err := resolveAction(t, first, "acme/composite@v1")
		if err != nil {
			t.Fatal(err)
		}
		down.SetDown(true)
		second, err := resolve.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := resolveAction(t, second, "acme/composite@v1")
		if err != nil || got != dir {
			t.Fatalf("ResolveAction with the source down = %s, %v; want the cached %s", got, err, dir)
		}
		mu.Lock()
		defer mu.Unlock()
		if joined := strings.Join(logs, "\n"); !strings.Contains(joined, "is unreachable; using commit") {
			t.Errorf("no log line about using the cache; logs:\n%s", joined)
		}
	})
}
