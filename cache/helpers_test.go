package cache_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/cache/cachetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

var testSecret = []byte("a shared secret for the cache tests")

// fixture is a cache server serving on loopback.
type fixture struct {
	opts  cache.Options
	srv   *cache.Server
	url   string
	clock *testkit.Clock
	stop  func()
}

// start opens a server in a new directory (unless o.Dir is set) with the
// test secret and a fake clock, serving on 127.0.0.1.
func start(t *testing.T, o cache.Options) *fixture {
	t.Helper()
	f := &fixture{clock: testkit.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))}
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.Secret == nil {
		o.Secret = testSecret
	}
	if o.Now == nil {
		o.Now = f.clock.Now
	}
	o.ErrorLog = func(err error) { t.Errorf("cache server error log: %v", err) }
	f.opts = o
	f.serve(t)
	t.Cleanup(func() { f.stop() })
	return f
}

// serve opens the server on f.opts and serves it.
func (f *fixture) serve(t *testing.T) {
	t.Helper()
	srv, err := cache.Open(t.Context(), f.opts)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	f.srv, f.url = srv, "http://"+ln.Addr().String()
	f.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve() = %v", err)
		}
		f.stop = func() {}
	}
}

// restart stops the server and opens a new one on the same directory.
func (f *fixture) restart(t *testing.T) {
	t.Helper()
	f.stop()
	f.serve(t)
}

// client returns a client with the credentials of a job with scope.
func (f *fixture) client(t *testing.T, s cache.Scope) *cachetest.Client {
	t.Helper()
	creds, err := f.srv.Issuer().JobCredentials(f.url, s)
	if err != nil {
		t.Fatalf("JobCredentials(%+v) = %v", s, err)
	}
	return &cachetest.Client{CacheURL: creds.CacheURL, ResultsURL: creds.ResultsURL, Token: creds.Token}
}

// Scopes of the tests: repository a/app's main, a feature branch and a
// pull request from it into main, and repository b/other's main.
var (
	mainA    = cache.Scope{Repository: "a/app", Ref: "refs/heads/main", DefaultBranch: "main"}
	featureA = cache.Scope{Repository: "a/app", Ref: "refs/heads/feature", DefaultBranch: "main"}
	siblingA = cache.Scope{Repository: "a/app", Ref: "refs/heads/sibling", DefaultBranch: "main"}
	releaseA = cache.Scope{Repository: "a/app", Ref: "refs/heads/release", DefaultBranch: "main"}
	prA      = cache.Scope{Repository: "a/app", Ref: "refs/pull/7/merge", BaseRef: "release", DefaultBranch: "main"}
	mainB    = cache.Scope{Repository: "b/other", Ref: "refs/heads/main", DefaultBranch: "main"}
)

// archive writes size deterministic bytes (by seed) to a new file.
func archive(t testing.TB, size int64, seed uint64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.tzst")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.NewChaCha8(seedBytes(seed)), size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func seedBytes(seed uint64) (b [32]byte) {
	for i := range 8 {
		b[i] = byte(seed >> (8 * i))
	}
	return b
}

// sameFile fails the test unless the files have the same content.
func sameFile(t testing.TB, got, want string) {
	t.Helper()
	if !bytes.Equal(sum(t, got), sum(t, want)) {
		t.Errorf("restored %s differs from the saved %s", got, want)
	}
}

func sum(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}

// save saves a small entry of key through v1 and fails the test on error.
func save(t *testing.T, c *cachetest.Client, key, version string, seed uint64) string {
	t.Helper()
	path := archive(t, 1000+int64(seed), seed)
	if _, err := c.SaveV1(t.Context(), key, version, path); err != nil {
		t.Fatalf("SaveV1(%q) = %v", key, err)
	}
	return path
}

// restore restores keys through v1 and returns the matched key ("" on a
// miss) and the restored file.
func restore(t *testing.T, c *cachetest.Client, keys []string, version string) (string, string) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "restored")
	got, err := c.RestoreV1(t.Context(), keys, version, dst)
	if err != nil {
		t.Fatalf("RestoreV1(%q) = %v", keys, err)
	}
	return got, dst
}

// httpStatus returns the status of a *cachetest.HTTPError, or 0.
func httpStatus(err error) int {
	var he *cachetest.HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
