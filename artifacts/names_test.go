package artifacts_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBadNamesAndPathsAreRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	token := ts.tokens.Token(1, 1)
	for _, name := range []string{"", ".", "..", "a/b", `a\b`, "../up", "a:b", "a*", "a?", "a|b", "a<b", "a>b", `a"b`, "a\nb", "a\rb"} {
		body := `{"Type":"actions_storage","Name":` + quote(name) + `}`
		if status, resp := ts.request(t, http.MethodPost, ts.v3(1), token, []byte(body), nil); status != http.StatusBadRequest {
			t.Errorf("v3 create %q = HTTP %d %s, want 400", name, status, resp)
		}
		twirp := ts.hs.URL + "/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact"
		body = `{"workflow_run_backend_id":"1","name":` + quote(name) + `}`
		if status, resp := ts.request(t, http.MethodPost, twirp, token, []byte(body), nil); status != http.StatusBadRequest {
			t.Errorf("v4 create %q = HTTP %d %s, want 400", name, status, resp)
		}
	}

	// v3 item paths are cleaned as Gitea cleans them: ".." cannot leave the
	// artifact, and a path that names another artifact than the URL's hash
	// is refused.
	for _, tt := range []struct {
		hashOf, itemPath string
		want             int
	}{
		{"a", "../../etc/passwd", http.StatusBadRequest},
		{"etc", "../../etc/passwd", http.StatusOK}, // cleaned to etc/passwd: file passwd of artifact etc
		{"a", "a/../../b/f", http.StatusBadRequest},
		{"a", `a\..\..\f`, http.StatusBadRequest},
		{"a", "a/./x/../f", http.StatusOK},
		{"a:b", "a:b/f", http.StatusBadRequest},
	} {
		u := ts.v3(1) + "/" + hashOf(tt.hashOf) + "/upload?itemPath=" + url.QueryEscape(tt.itemPath)
		h := map[string]string{"Content-Range": "bytes 0-1/2", "x-actions-results-md5": md5Of("hi")}
		if status, resp := ts.request(t, http.MethodPut, u, token, []byte("hi"), h); status != tt.want {
			t.Errorf("PUT itemPath %q under hash of %q = HTTP %d %s, want %d", tt.itemPath, tt.hashOf, status, resp, tt.want)
		}
	}
	ts.request(t, http.MethodPatch, ts.v3(1)+"?artifactName=etc", token, nil, nil)
	ts.request(t, http.MethodPatch, ts.v3(1)+"?artifactName=a", token, nil, nil)
	for name, want := range map[string]string{"etc": "etc/passwd", "a": "a/f"} {
		_, body := ts.request(t, http.MethodGet, ts.v3(1)+"/"+hashOf(name)+"/download_url?itemPath="+name, token, nil, nil)
		if !strings.Contains(body, `"path":"`+want+`"`) {
			t.Errorf("files of %s = %s, want path %s", name, body, want)
		}
	}
	// The server writes only its own files, named by ids, never by names.
	err := filepath.WalkDir(ts.dir, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(ts.dir, p)
		if err == nil && !d.IsDir() && !strings.HasPrefix(rel, "parts/") && !strings.HasPrefix(rel, "blobs/") {
			t.Errorf("the server wrote %s", rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
