package cache_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/cache"
)

// tamper rewrites the claims of a credential and keeps its MAC.
func tamper(t *testing.T, tok string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("credential %q has %d parts", tok, len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	raw, _ = json.Marshal(c)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
}

// Forged credentials are refused on both APIs, and nothing is revealed.
func TestForgedCredentialsAreRefused(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	save(t, f.client(t, mainA), "secret-key", "v1", 1)
	iss := f.srv.Issuer()
	tokA, _ := iss.Token(mainA)
	tokB, _ := iss.Token(mainB)
	other, _ := cache.NewIssuer([]byte("another runner's secret"), 0, f.clock.Now)
	tokOther, _ := other.Token(mainA)
	expiring, _ := cache.NewIssuer(testSecret, time.Hour, func() time.Time { return f.clock.Now().Add(-2 * time.Hour) })
	tokExpired, _ := expiring.Token(mainA)
	dotB := strings.LastIndexByte(tokB, '.')
	dotA := strings.LastIndexByte(tokA, '.')
	forged := map[string]string{
		"no credential":                  "",
		"garbage":                        "anv1.bm90aGluZw.bm9tYWM",
		"not a credential":               "Zm9v",
		"MAC of another secret":          tokOther,
		"repository rewritten":           tamper(t, tokB, func(c map[string]any) { c["repo"] = "a/app" }),
		"read refs widened":              tamper(t, tokA, func(c map[string]any) { c["read"] = []string{"refs/heads/main", "refs/heads/feature"} }),
		"write ref rewritten":            tamper(t, tokA, func(c map[string]any) { c["write"] = "refs/heads/release" }),
		"expiry extended":                tamper(t, tokExpired, func(c map[string]any) { c["exp"] = 1 << 40 }),
		"B's MAC on A's claims":          tokA[:dotA] + tokB[dotB:],
		"MAC truncated":                  tokA[:len(tokA)-4],
		"expired":                        tokExpired,
		"A's credential with extra text": tokA + "x",
	}
	for name, tok := range forged {
		t.Run(name, func(t *testing.T) {
			v1 := f.url + "/_cache/" + url.PathEscape(tok) + "/_apis/artifactcache/"
			for _, req := range []struct{ method, url, body string }{
				{"GET", v1 + "cache?keys=secret-key&version=v1", ""},
				{"GET", v1 + "caches?key=secret-key", ""},
				{"POST", v1 + "caches", `{"key":"poison","version":"v1"}`},
			} {
				status, body := call(t, req.method, req.url, req.body, nil)
				if status != 401 || strings.Contains(body, "archiveLocation") || strings.Contains(body, tokA) {
					t.Errorf("v1 %s %s = %d %s, want 401 without entries or credentials", req.method, req.url, status, body)
				}
			}
			status, body := call(t, "POST", f.url+"/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL",
				`{"key":"secret-key","version":"v1"}`, map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
			if status != 401 || !strings.Contains(body, "unauthenticated") {
				t.Errorf("v2 GetCacheEntryDownloadURL = %d %s, want 401 unauthenticated", status, body)
			}
		})
	}
	if n, _ := f.srv.Usage(); n != 1 {
		t.Errorf("Usage() = %d entries after the forged requests, want 1", n)
	}
}

// A job of repository B, with its own valid credential, can neither read
// nor write repository A's entries.
func TestRepositoriesAreIsolated(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	a, b := f.client(t, mainA), f.client(t, mainB)
	srcA := save(t, a, "deps", "v1", 1)
	if got, _ := restore(t, b, []string{"deps", "d"}, "v1"); got != "" {
		t.Errorf("B restored A's entry %q", got)
	}
	dst := filepath.Join(t.TempDir(), "x")
	if got, err := b.RestoreV2(t.Context(), "deps", []string{"d"}, "v1", dst); err != nil || got != "" {
		t.Errorf("B's RestoreV2 = %q, %v; want a miss", got, err)
	}
	if _, body := call(t, "GET", b.CacheURL+"_apis/artifactcache/caches?key=deps", "", nil); !strings.Contains(body, `"totalCount":0`) {
		t.Errorf("B's list of deps = %s, want none", body)
	}

	// A's upload in progress: B can neither write a chunk nor commit it.
	id, err := a.ReserveV1(t.Context(), "open", "v1", 4)
	if err != nil {
		t.Fatal(err)
	}
	up := fmt.Sprintf("%s_apis/artifactcache/caches/%d", b.CacheURL, id)
	if s, body := call(t, "PATCH", up, "evil", map[string]string{"Content-Range": "bytes 0-3/*"}); s != 404 {
		t.Errorf("B's chunk to A's upload = %d %s, want 404", s, body)
	}
	if s, body := call(t, "POST", up, `{"size":4}`, nil); s != 404 {
		t.Errorf("B's commit of A's upload = %d %s, want 404", s, body)
	}
	if s, body := call(t, "POST", f.url+"/twirp/github.actions.results.api.v1.CacheService/FinalizeCacheEntryUpload",
		`{"key":"open","version":"v1","size_bytes":"4"}`, map[string]string{"Authorization": "Bearer " + b.Token, "Content-Type": "application/json"}); s != 404 {
		t.Errorf("B's v2 finalize of A's upload = %d %s, want 404", s, body)
	}

	// B saves the same key: its own entry; A still restores its own.
	srcB := save(t, b, "deps", "v1", 2)
	_, dstA := restore(t, a, []string{"deps"}, "v1")
	sameFile(t, dstA, srcA)
	_, dstB := restore(t, b, []string{"deps"}, "v1")
	sameFile(t, dstB, srcB)
}

// Signed URLs reach only the entry and operation they were made for.
func TestSignedURLsCannotBeRedirected(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	a, b := f.client(t, mainA), f.client(t, mainB)
	save(t, a, "a-entry", "v1", 1)
	save(t, b, "b-entry", "v1", 2)
	ea, err := a.LookupV1(t.Context(), []string{"a-entry"}, "v1")
	if err != nil || ea == nil {
		t.Fatalf("LookupV1() = %v, %v", ea, err)
	}
	eb, _ := b.LookupV1(t.Context(), []string{"b-entry"}, "v1")
	ua, _ := url.Parse(ea.ArchiveLocation)
	ub, _ := url.Parse(eb.ArchiveLocation)
	idB := strings.TrimPrefix(ub.Path, "/_cache/blob/")
	edit := func(change func(u *url.URL, q url.Values)) string {
		u := *ua
		q := u.Query()
		change(&u, q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	tests := map[string]struct {
		method, url string
		status      int
	}{
		"the URL itself":          {"GET", ea.ArchiveLocation, 200},
		"another entry's id":      {"GET", edit(func(u *url.URL, _ url.Values) { u.Path = "/_cache/blob/" + idB }), 403},
		"a later expiry":          {"GET", edit(func(_ *url.URL, q url.Values) { q.Set("exp", "99999999999") }), 403},
		"upload instead of read":  {"PUT", edit(func(_ *url.URL, q url.Values) { q.Set("op", "w") }), 403},
		"without the signature":   {"GET", edit(func(_ *url.URL, q url.Values) { q.Del("sig") }), 403},
		"PUT to the download URL": {"PUT", ea.ArchiveLocation, 405},
		"an unknown operation":    {"GET", edit(func(_ *url.URL, q url.Values) { q.Set("op", "x") }), 404},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if s, body := call(t, tt.method, tt.url, "data", nil); s != tt.status {
				t.Errorf("%s %s = %d %s, want %d", tt.method, name, s, body, tt.status)
			}
		})
	}
	f.clock.Advance(2 * time.Hour)
	if s, body := call(t, "GET", ea.ArchiveLocation, "", nil); s != 403 || !strings.Contains(body, "expired") {
		t.Errorf("GET after expiry = %d %s, want 403 expired", s, body)
	}
}

// GitHub's ref scoping: a run reads its own ref's entries, then its pull
// request base's, then the default branch's, and writes only its own.
func TestRefScoping(t *testing.T) {
	t.Parallel()
	f := start(t, cache.Options{})
	content := map[string]string{}
	for _, s := range []cache.Scope{mainA, releaseA, featureA, prA} {
		content[s.Ref] = save(t, f.client(t, s), "k-"+strings.ReplaceAll(s.Ref, "/", "-"), "v1", uint64(len(content)))
		f.clock.Advance(time.Minute)
		// The same key on every ref, saved in this order.
		content["k@"+s.Ref] = save(t, f.client(t, s), "k", "v1", uint64(10+len(content)))
		f.clock.Advance(time.Minute)
	}
	otherPR := cache.Scope{Repository: "a/app", Ref: "refs/pull/8/merge", BaseRef: "release", DefaultBranch: "main"}
	tests := []struct {
		name  string
		scope cache.Scope
		reads []string // refs whose own key it reaches
		k     string   // whose "k" it gets
	}{
		{"default branch", mainA, []string{"refs/heads/main"}, "refs/heads/main"},
		{"branch", featureA, []string{"refs/heads/feature", "refs/heads/main"}, "refs/heads/feature"},
		{"sibling branch", siblingA, []string{"refs/heads/main"}, "refs/heads/main"},
		{"pull request", prA, []string{"refs/pull/7/merge", "refs/heads/release", "refs/heads/main"}, "refs/pull/7/merge"},
		{"another pull request into the same base", otherPR, []string{"refs/heads/release", "refs/heads/main"}, "refs/heads/release"},
	}
	all := []string{"refs/heads/main", "refs/heads/release", "refs/heads/feature", "refs/pull/7/merge"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.client(t, tt.scope)
			for _, ref := range all {
				key := "k-" + strings.ReplaceAll(ref, "/", "-")
				got, _ := restore(t, c, []string{key}, "v1")
				want := ""
				for _, r := range tt.reads {
					if r == ref {
						want = key
					}
				}
				if got != want {
					t.Errorf("%s restores %s's entry: got %q, want %q", tt.scope.Ref, ref, got, want)
				}
			}
			got, dst := restore(t, c, []string{"k"}, "v1")
			if got != "k" {
				t.Fatalf("restore of k = %q", got)
			}
			sameFile(t, dst, content["k@"+tt.k])
		})
	}

	// A pull request's save goes to its own ref: the default branch and
	// the base never see it.
	save(t, f.client(t, prA), "poison", "v1", 99)
	for _, s := range []cache.Scope{mainA, releaseA} {
		if got, _ := restore(t, f.client(t, s), []string{"poison"}, "v1"); got != "" {
			t.Errorf("%s restored the pull request's entry", s.Ref)
		}
	}
	e, err := f.client(t, prA).LookupV1(t.Context(), []string{"poison"}, "v1")
	if err != nil || e == nil || e.Scope != "refs/pull/7/merge" {
		t.Errorf("the pull request's entry = %+v, %v; want it in refs/pull/7/merge", e, err)
	}
}
