package artifacts_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestV3UploadInOneJobDownloadInTheNext(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("0123456789abcdef", 1000) // 16000 bytes: several chunks
	tests := []struct {
		name      string
		files     map[string]string
		chunkSize int64
		gzip      bool
	}{
		{name: "one file", files: map[string]string{"a.txt": "hello\n"}},
		{name: "nested files", files: map[string]string{"a.txt": "a", "dir/b.txt": "b", "dir/sub/c.bin": "\x00\x01\x02"}},
		{name: "chunked", files: map[string]string{"big.txt": big, "small": "x"}, chunkSize: 4096},
		{name: "chunked gzip", files: map[string]string{"big.txt": big}, chunkSize: 100, gzip: true},
		{name: "empty file", files: map[string]string{"empty": "", "full": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			up := ts.client(7, 1)
			up.ChunkSize, up.Gzip = tt.chunkSize, tt.gzip
			if err := up.UploadV3(t.Context(), "build", writeTree(t, tt.files), 0); err != nil {
				t.Fatalf("UploadV3: %v", err)
			}
			down := ts.client(7, 2)
			dir := t.TempDir()
			if err := down.DownloadV3(t.Context(), "build", dir); err != nil {
				t.Fatalf("DownloadV3: %v", err)
			}
			if diff := cmp.Diff(readTree(t, dir), tt.files); diff != "" {
				t.Errorf("downloaded files (-got +want):\n%s", diff)
			}
		})
	}
}

func TestV3ListNamesEachArtifactOnce(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	c := ts.client(3, 1)
	for _, name := range []string{"one", "two"} {
		if err := c.UploadV3(t.Context(), name, writeTree(t, map[string]string{"x": "1", "y/z": "2"}), 5); err != nil {
			t.Fatal(err)
		}
	}
	list, err := ts.client(3, 2).ListV3(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Name)
		if !strings.HasPrefix(a.FileContainerResourceURL, ts.hs.URL+"/api/actions_pipeline/_apis/pipelines/workflows/3/artifacts/") {
			t.Errorf("fileContainerResourceUrl = %q, want one under the run's artifacts", a.FileContainerResourceURL)
		}
	}
	if diff := cmp.Diff(names, []string{"one", "two"}); diff != "" {
		t.Errorf("ListV3 names (-got +want):\n%s", diff)
	}
}

// chunk PUTs one raw chunk of artifact name's file at itemPath.
func chunk(t *testing.T, ts *testServer, token, name, itemPath, contentRange, body, md5Header string) (int, string) {
	t.Helper()
	h := map[string]string{"Content-Range": contentRange}
	if md5Header != "" {
		h["x-actions-results-md5"] = md5Header
	}
	return ts.request(t, http.MethodPut, ts.v3(1)+"/"+hashOf(name)+"/upload?itemPath="+itemPath, token, []byte(body), h)
}

func hashOf(name string) string {
	sum := md5.Sum([]byte(name))
	return hex.EncodeToString(sum[:])
}

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestV3ChunkChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		contentRange string
		body         string
		md5          string
		want         int
	}{
		{name: "good chunk", contentRange: "bytes 0-4/5", body: "hello", md5: md5Of("hello"), want: http.StatusOK},
		{name: "md5 of other bytes", contentRange: "bytes 0-4/5", body: "hello", md5: md5Of("hellO"), want: http.StatusInternalServerError},
		{name: "no md5 header", contentRange: "bytes 0-4/5", body: "hello", want: http.StatusInternalServerError},
		{name: "no Content-Range", body: "hello", md5: md5Of("hello"), want: http.StatusInternalServerError},
		{name: "range past the total", contentRange: "bytes 0-9/5", body: "hello", md5: md5Of("hello"), want: http.StatusInternalServerError},
		{name: "body shorter than its range", contentRange: "bytes 0-9/10", body: "hello", md5: md5Of("hello"), want: http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			token := ts.tokens.Token(1, 1)
			if got, body := chunk(t, ts, token, "a", "a/f", tt.contentRange, tt.body, tt.md5); got != tt.want {
				t.Errorf("PUT chunk = HTTP %d %q, want %d", got, body, tt.want)
			}
			// Only a good chunk makes an artifact once finalized.
			ts.request(t, http.MethodPatch, ts.v3(1)+"?artifactName=a", token, nil, nil)
			got, _ := ts.request(t, http.MethodGet, ts.v3(1), token, nil, nil)
			if want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[tt.want == http.StatusOK]; got != want {
				t.Errorf("list after finalize = HTTP %d, want %d", got, want)
			}
		})
	}
}

func TestV3FinalizeLeavesAnIncompleteFileUnconfirmed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	token := ts.tokens.Token(1, 1)
	if got, body := chunk(t, ts, token, "a", "a/f", "bytes 0-4/10", "hello", md5Of("hello")); got != http.StatusOK {
		t.Fatalf("PUT first chunk = HTTP %d %q", got, body)
	}
	if got, body := ts.request(t, http.MethodPatch, ts.v3(1)+"?artifactName=a", token, nil, nil); got != http.StatusOK {
		t.Fatalf("PATCH = HTTP %d %q, want 200 as Gitea", got, body)
	}
	if got, _ := ts.request(t, http.MethodGet, ts.v3(1), token, nil, nil); got != http.StatusNotFound {
		t.Errorf("list with the second chunk missing = HTTP %d, want 404", got)
	}
	chunk(t, ts, token, "a", "a/f", "bytes 5-9/10", "world", md5Of("world"))
	ts.request(t, http.MethodPatch, ts.v3(1)+"?artifactName=a", token, nil, nil)
	dir := t.TempDir()
	if err := ts.client(1, 2).DownloadV3(t.Context(), "a", dir); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(readTree(t, dir), map[string]string{"f": "helloworld"}); diff != "" {
		t.Errorf("downloaded (-got +want):\n%s", diff)
	}
}
