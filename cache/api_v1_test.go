package cache_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/cache"
)

func TestV1SaveRestoreInChunks(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	// 5 chunks of 64 KiB and a short last one, four uploads at a time, so
	// chunks arrive out of order.
	c.ChunkSize, c.Concurrency = 64<<10, 4
	src := archive(t, 5*64<<10+123, 1)
	if _, err := c.SaveV1(t.Context(), "deps-linux-abc", "v1", src); err != nil {
		t.Fatalf("SaveV1() = %v", err)
	}
	got, dst := restore(t, c, []string{"deps-linux-abc"}, "v1")
	if got != "deps-linux-abc" {
		t.Fatalf("RestoreV1() matched %q, want deps-linux-abc", got)
	}
	sameFile(t, dst, src)
	if n, size := f.srv.Usage(); n != 1 || size != 5*64<<10+123 {
		t.Errorf("Usage() = %d entries, %d bytes; want 1, %d", n, size, 5*64<<10+123)
	}
}

func TestV1EmptyEntry(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	src := archive(t, 0, 1)
	if _, err := c.SaveV1(t.Context(), "empty", "v1", src); err != nil {
		t.Fatalf("SaveV1() = %v", err)
	}
	got, dst := restore(t, c, []string{"empty"}, "v1")
	if got != "empty" {
		t.Fatalf("RestoreV1() matched %q, want empty", got)
	}
	sameFile(t, dst, src)
}

func TestV1Matching(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	// Saved in this order, a minute apart: later is newer.
	for i, key := range []string{"npm-linux-aaa", "npm-linux-aaa-more", "npm-linux-bbb", "npm-mac-ccc", "Go-Linux-1", "other"} {
		save(t, c, key, "v1", uint64(i))
		f.clock.Advance(time.Minute)
	}
	save(t, c, "npm-linux-zzz", "v2", 9) // another version: never matched by v1 lookups
	tests := []struct {
		name    string
		keys    []string
		version string
		want    string
	}{
		{"exact primary key, not a newer key it prefixes", []string{"npm-linux-aaa"}, "v1", "npm-linux-aaa"},
		{"exact beats a newer prefix match", []string{"npm-linux-aaa", "npm-"}, "v1", "npm-linux-aaa"},
		{"primary key as a prefix, newest", []string{"npm-linux-"}, "v1", "npm-linux-bbb"},
		{"first restore key that matches", []string{"npm-linux-nope", "npm-mac-", "npm-"}, "v1", "npm-mac-ccc"},
		{"restore key prefix, newest of several", []string{"nope", "npm-"}, "v1", "npm-mac-ccc"},
		{"keys without regard to case", []string{"go-linux-1"}, "v1", "Go-Linux-1"},
		{"version must match", []string{"npm-linux-zzz"}, "v1", ""},
		{"other version", []string{"npm-"}, "v2", "npm-linux-zzz"},
		{"miss", []string{"cargo-", "rust-"}, "v1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := c.LookupV1(t.Context(), tt.keys, tt.version)
			if err != nil {
				t.Fatalf("LookupV1() = %v", err)
			}
			got := ""
			if e != nil {
				got = e.CacheKey
				if e.Scope != "refs/heads/main" || e.CacheVersion != tt.version {
					t.Errorf("LookupV1() = scope %q version %q, want refs/heads/main %s", e.Scope, e.CacheVersion, tt.version)
				}
			}
			if got != tt.want {
				t.Errorf("LookupV1(%q, %s) = %q, want %q", tt.keys, tt.version, got, tt.want)
			}
		})
	}
}

func TestV1Refusals(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{MaxSize: 1 << 20})
	c := f.client(t, mainA)
	save(t, c, "done", "v1", 1)
	base := c.CacheURL + "_apis/artifactcache/"
	id, err := c.ReserveV1(t.Context(), "open", "v1", 100)
	if err != nil {
		t.Fatalf("ReserveV1() = %v", err)
	}
	upload := fmt.Sprintf("%scaches/%d", base, id)
	tests := []struct {
		name, method, url, body string
		header                  map[string]string
		status                  int
		msg                     string
	}{
		{"reserve over the size limit", "POST", base + "caches", `{"key":"big","version":"v1","cacheSize":2000000}`, nil, 400, "over this cache server's limit"},
		{"reserve an existing entry", "POST", base + "caches", `{"key":"DONE","version":"v1","cacheSize":10}`, nil, 409, "already exists"},
		{"reserve with a comma in the key", "POST", base + "caches", `{"key":"a,b","version":"v1"}`, nil, 400, "comma"},
		{"reserve without JSON", "POST", base + "caches", `key=x`, nil, 400, "not the expected JSON"},
		{"chunk without Content-Range", "PATCH", upload, "0123456789", nil, 400, "Content-Range"},
		{"chunk beyond the reserved size", "PATCH", upload, "0123456789", map[string]string{"Content-Range": "bytes 95-104/*"}, 400, "beyond the entry's size"},
		{"chunk shorter than its range", "PATCH", upload, "0123", map[string]string{"Content-Range": "bytes 0-9/*"}, 400, "Content-Range announces 10"},
		{"chunk of an unknown id", "PATCH", base + "caches/999", "0123456789", map[string]string{"Content-Range": "bytes 0-9/*"}, 404, "no cache upload 999"},
		{"commit before every chunk", "POST", upload, `{"size":100}`, nil, 400, "upload every chunk"},
		{"commit without size", "POST", upload, `{}`, nil, 400, "needs the entry's size"},
		{"commit of another size", "POST", upload, `{"size":50}`, nil, 400, "reserved with 100"},
		{"unknown path", "GET", base + "nothing", "", nil, 404, "no such cache API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, tt.method, tt.url, tt.body, tt.header)
			if status != tt.status || !strings.Contains(body, tt.msg) {
				t.Errorf("%s %s = %d %s, want %d with %q", tt.method, tt.name, status, body, tt.status, tt.msg)
			}
		})
	}
}

func TestV1CommittedEntryIsImmutable(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	id, err := c.ReserveV1(t.Context(), "k", "v1", 10)
	if err != nil {
		t.Fatal(err)
	}
	upload := fmt.Sprintf("%s_apis/artifactcache/caches/%d", c.CacheURL, id)
	if s, b := call(t, "PATCH", upload, "0123456789", map[string]string{"Content-Range": "bytes 0-9/*"}); s != 204 {
		t.Fatalf("PATCH = %d %s", s, b)
	}
	if s, b := call(t, "POST", upload, `{"size":10}`, nil); s != 204 {
		t.Fatalf("commit = %d %s", s, b)
	}
	for _, req := range []struct{ method, body string }{{"PATCH", "XXXXXXXXXX"}, {"POST", `{"size":10}`}} {
		s, b := call(t, req.method, upload, req.body, map[string]string{"Content-Range": "bytes 0-9/*"})
		if s != 409 || !strings.Contains(b, "cannot change") {
			t.Errorf("%s after the commit = %d %s, want 409 cannot change", req.method, s, b)
		}
	}
	_, dst := restore(t, c, []string{"k"}, "v1")
	if got := readFile(t, dst); got != "0123456789" {
		t.Errorf("restored %q, want the committed 0123456789", got)
	}
}

func TestV1ListsEntriesOfAKey(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	save(t, f.client(t, mainA), "k", "v1", 1)
	save(t, f.client(t, mainA), "k", "v2", 2)
	save(t, f.client(t, mainB), "k", "v1", 3)
	save(t, f.client(t, siblingA), "k", "v1", 4)
	status, body := call(t, "GET", f.client(t, featureA).CacheURL+"_apis/artifactcache/caches?key=k", "", nil)
	if status != 200 || !strings.Contains(body, `"totalCount":2`) || strings.Count(body, `"scope":"refs/heads/main"`) != 2 {
		t.Errorf("list = %d %s, want a/app's two entries of k", status, body)
	}
}

// call makes one raw request and returns its status and body.
func call(t *testing.T, method, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}
