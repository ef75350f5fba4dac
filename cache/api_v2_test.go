package cache_test

import (
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/cache"
)

func TestV2SaveRestore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		size        int64
		singleShot  int64
		blockSize   int64
		wantEntries int
	}{
		{"one Put Blob", 300 << 10, 0, 0, 1},
		{"Put Block and Put Block List", 300<<10 + 17, 64 << 10, 32 << 10, 1},
		{"empty", 0, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := start(t, cache.Options{})
			c := f.client(t, mainA)
			c.SingleShotMax, c.BlockSize = tt.singleShot, tt.blockSize
			src := archive(t, tt.size, 3)
			id, err := c.SaveV2(t.Context(), "pip-abc", "v9", src)
			if err != nil || id == "" {
				t.Fatalf("SaveV2() = %q, %v", id, err)
			}
			dst := filepath.Join(t.TempDir(), "restored")
			got, err := c.RestoreV2(t.Context(), "pip-abc", nil, "v9", dst)
			if err != nil || got != "pip-abc" {
				t.Fatalf("RestoreV2() = %q, %v; want pip-abc", got, err)
			}
			sameFile(t, dst, src)
			// v1 reads what v2 wrote.
			if k, _ := restore(t, c, []string{"pip-abc"}, "v9"); k != "pip-abc" {
				t.Errorf("RestoreV1() after SaveV2 = %q, want pip-abc", k)
			}
			if n, _ := f.srv.Usage(); n != tt.wantEntries {
				t.Errorf("Usage() = %d entries, want %d", n, tt.wantEntries)
			}
		})
	}
}

func TestV2RestoreKeys(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	save(t, c, "pip-linux-old", "v1", 1)
	dst := filepath.Join(t.TempDir(), "restored")
	got, err := c.RestoreV2(t.Context(), "pip-linux-new", []string{"pip-mac-", "pip-linux-"}, "v1", dst)
	if err != nil || got != "pip-linux-old" {
		t.Errorf("RestoreV2(restore keys) = %q, %v; want pip-linux-old", got, err)
	}
	got, err = c.RestoreV2(t.Context(), "cargo", nil, "v1", dst)
	if err != nil || got != "" {
		t.Errorf("RestoreV2(miss) = %q, %v; want a miss", got, err)
	}
}

func TestV2Refusals(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	save(t, c, "done", "v1", 1)
	twirp := f.url + "/twirp/github.actions.results.api.v1.CacheService/"
	auth := map[string]string{"Authorization": "Bearer " + c.Token, "Content-Type": "application/json"}
	tests := []struct {
		name, method, body string
		header             map[string]string
		status             int
		msg                string
	}{
		{"CreateCacheEntry", "CreateCacheEntry", `{"key":"done","version":"v1"}`, auth, 409, `"code":"already_exists"`},
		{"FinalizeCacheEntryUpload", "FinalizeCacheEntryUpload", `{"key":"never","version":"v1","size_bytes":"3"}`, auth, 404, `"code":"not_found"`},
		{"bad size", "FinalizeCacheEntryUpload", `{"key":"never","version":"v1","size_bytes":"x"}`, auth, 400, "size_bytes is not an integer"},
		{"protobuf", "CreateCacheEntry", `{}`, map[string]string{"Authorization": "Bearer " + c.Token, "Content-Type": "application/protobuf"}, 404, "JSON twirp only"},
		{"unknown method", "DeleteCacheEntry", `{}`, auth, 404, `"code":"bad_route"`},
		{"no token", "GetCacheEntryDownloadURL", `{"key":"done","version":"v1"}`, map[string]string{"Content-Type": "application/json"}, 401, `"code":"unauthenticated"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, "POST", twirp+tt.method, tt.body, tt.header)
			if status != tt.status || !strings.Contains(body, tt.msg) {
				t.Errorf("%s = %d %s, want %d with %q", tt.method, status, body, tt.status, tt.msg)
			}
		})
	}
}

func TestV2ReadsCamelCaseFields(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	c := f.client(t, mainA)
	save(t, c, "node-1", "v1", 1)
	status, body := call(t, "POST", f.url+"/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL",
		`{"key":"none","restoreKeys":["node-"],"version":"v1"}`,
		map[string]string{"Authorization": "Bearer " + c.Token, "Content-Type": "application/json"})
	if status != 200 || !strings.Contains(body, `"matchedKey":"node-1"`) || !strings.Contains(body, `"ok":true`) {
		t.Errorf("GetCacheEntryDownloadURL(restoreKeys) = %d %s, want a hit of node-1", status, body)
	}
}
