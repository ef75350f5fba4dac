package cache_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/cache"
)

func TestEntriesSurviveARestart(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	src := save(t, c, "deps", "v1", 1)
	save(t, c, "tools", "v1", 2)
	f.restart(t)
	c = f.client(t, mainA)
	got, dst := restore(t, c, []string{"deps"}, "v1")
	if got != "deps" {
		t.Fatalf("restore after a restart = %q, want deps", got)
	}
	sameFile(t, dst, src)
	if _, err := c.SaveV1(t.Context(), "deps", "v1", src); httpStatus(err) != 409 {
		t.Errorf("saving deps again after a restart = %v, want 409: entries stay immutable", err)
	}
	if n, _ := f.srv.Usage(); n != 2 {
		t.Errorf("Usage() after a restart = %d entries, want 2", n)
	}
}

// Uploads cut off by a restart (or a crash mid-write) are discarded, and
// so is anything in the directory that is not a whole committed entry.
func TestTornUploadsAreDiscardedOnRestart(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	save(t, c, "kept", "v1", 1)
	id, err := c.ReserveV1(t.Context(), "torn", "v1", 10)
	if err != nil {
		t.Fatal(err)
	}
	up := fmt.Sprintf("%s_apis/artifactcache/caches/%d", c.CacheURL, id)
	if s, b := call(t, "PATCH", up, "01234", map[string]string{"Content-Range": "bytes 0-4/*"}); s != 204 {
		t.Fatalf("PATCH = %d %s", s, b)
	}
	f.stop()
	// What a crash can leave: a committed blob whose record was never
	// renamed into place, a record whose blob is short, a half-written
	// record, stray files.
	dir := f.opts.Dir
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("blobs/500", "committed data without a record")
	write("index/500.json.tmp", `{"id":500`)
	write("blobs/501", "short")
	write("index/501.json", `{"id":501,"nonce":"n","repository":"a/app","ref":"refs/heads/main","key":"short","version":"v1","size":100}`)
	write("index/502.json", `not json`)
	write("blobs/junk", "x")
	if err := os.MkdirAll(filepath.Join(dir, "uploads", "old", "deeper"), 0o700); err != nil {
		t.Fatal(err)
	}
	write("uploads/old/deeper/7.blocks", "left by a crash")
	f.serve(t)
	c = f.client(t, mainA)
	for _, key := range []string{"torn", "short"} {
		if got, _ := restore(t, c, []string{key}, "v1"); got != "" {
			t.Errorf("restore of %s after a restart = %q, want a miss", key, got)
		}
	}
	if got, _ := restore(t, c, []string{"kept"}, "v1"); got != "kept" {
		t.Errorf("restore of kept after a restart = %q, want kept", got)
	}
	var left []string
	for _, sub := range []string{"blobs", "index", "uploads"} {
		names, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, n := range names {
			left = append(left, sub+"/"+n.Name())
		}
	}
	if len(left) != 2 || !strings.HasPrefix(left[0], "blobs/") || !strings.HasPrefix(left[1], "index/") {
		t.Errorf("files after the restart = %q, want only kept's blob and record", left)
	}
	// The torn key can be saved again, and the old upload id is gone.
	up = fmt.Sprintf("%s_apis/artifactcache/caches/%d", c.CacheURL, id)
	if s, b := call(t, "PATCH", up, "56789", map[string]string{"Content-Range": "bytes 5-9/*"}); s != 404 {
		t.Errorf("PATCH to the torn upload after a restart = %d %s, want a refusal", s, b)
	}
	save(t, c, "torn", "v1", 3)
}

// An upload without progress for UploadTimeout is discarded, so that a
// job that died mid-save does not block its key.
func TestStaleUploadsTimeOut(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{UploadTimeout: 5 * time.Minute})
	c := f.client(t, mainA)
	id, err := c.ReserveV1(t.Context(), "k", "v1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReserveV1(t.Context(), "k", "v1", 10); httpStatus(err) != 409 || !strings.Contains(err.Error(), "right now") {
		t.Fatalf("second reserve = %v, want 409 (a save is running)", err)
	}
	f.clock.Advance(4 * time.Minute)
	f.srv.Sweep()
	up := fmt.Sprintf("%s_apis/artifactcache/caches/%d", c.CacheURL, id)
	if s, b := call(t, "PATCH", up, "01234", map[string]string{"Content-Range": "bytes 0-4/*"}); s != 204 {
		t.Fatalf("PATCH within the timeout = %d %s", s, b)
	}
	f.clock.Advance(4 * time.Minute) // 4 minutes since the chunk: still alive
	f.srv.Sweep()
	if s, b := call(t, "PATCH", up, "56789", map[string]string{"Content-Range": "bytes 5-9/*"}); s != 204 {
		t.Fatalf("PATCH after 4 idle minutes = %d %s", s, b)
	}
	f.clock.Advance(6 * time.Minute)
	f.srv.Sweep()
	if s, b := call(t, "POST", up, `{"size":10}`, nil); s != 404 {
		t.Errorf("commit after the timeout = %d %s, want 404", s, b)
	}
	save(t, c, "k", "v1", 1)
}
