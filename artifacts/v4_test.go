package artifacts_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestV4UploadInOneJobDownloadInTheNext(t *testing.T) {
	t.Parallel()
	random := make([]byte, 100_000)
	_, _ = rand.Read(random)
	tests := []struct {
		name      string
		content   []byte
		chunkSize int64
	}{
		{name: "one block", content: []byte("PK zip-ish content")},
		{name: "many blocks", content: random, chunkSize: 8192},
		{name: "empty", content: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			up := ts.client(9, 1)
			up.ChunkSize = tt.chunkSize
			id, err := up.UploadV4(t.Context(), "dist", bytes.NewReader(tt.content), 0)
			if err != nil {
				t.Fatalf("UploadV4: %v", err)
			}
			down := ts.client(9, 2)
			list, err := down.ListV4(t.Context(), "")
			if err != nil {
				t.Fatalf("ListV4: %v", err)
			}
			// protojson leaves out zero values: an empty artifact has no size.
			wantSize := map[bool]string{true: "", false: itoa(int64(len(tt.content)))}[len(tt.content) == 0]
			if len(list) != 1 || list[0].Name != "dist" || list[0].DatabaseID != itoa(id) || list[0].Size != wantSize {
				t.Fatalf("ListV4 = %+v, want dist with id %d and size %d", list, id, len(tt.content))
			}
			var got bytes.Buffer
			if err := down.DownloadV4(t.Context(), "dist", &got); err != nil {
				t.Fatalf("DownloadV4: %v", err)
			}
			if !bytes.Equal(got.Bytes(), tt.content) {
				t.Errorf("downloaded %d bytes, want the %d uploaded", got.Len(), len(tt.content))
			}
		})
	}
}

func TestV4ZipOfADirectory(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	files := map[string]string{"bin/app": "binary", "README": "read me"}
	if _, err := ts.client(1, 1).UploadV4Dir(t.Context(), "site", writeTree(t, files)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ts.client(1, 2).DownloadV4(t.Context(), "site", &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("the download is not a zip: %v", err)
	}
	got := map[string]string{}
	for _, f := range zr.File {
		r, _ := f.Open()
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		got[f.Name] = b.String()
	}
	if diff := cmp.Diff(got, files); diff != "" {
		t.Errorf("zip content (-got +want):\n%s", diff)
	}
}

func TestV4ListFiltersAndDelete(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	c := ts.client(2, 1)
	for _, name := range []string{"a", "b"} {
		if _, err := c.UploadV4(t.Context(), name, strings.NewReader(name), 0); err != nil {
			t.Fatal(err)
		}
	}
	names := func(filter string) []string {
		list, err := c.ListV4(t.Context(), filter)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range list {
			out = append(out, a.Name)
		}
		return out
	}
	if diff := cmp.Diff(names(""), []string{"a", "b"}); diff != "" {
		t.Errorf("ListV4 (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(names("b"), []string{"b"}); diff != "" {
		t.Errorf("ListV4 name_filter b (-got +want):\n%s", diff)
	}
	if err := c.DeleteV4(t.Context(), "a"); err != nil {
		t.Fatalf("DeleteV4: %v", err)
	}
	if diff := cmp.Diff(names(""), []string{"b"}); diff != "" {
		t.Errorf("ListV4 after deleting a (-got +want):\n%s", diff)
	}
	if err := c.DeleteV4(t.Context(), "a"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("DeleteV4 of a deleted artifact = %v, want HTTP 404", err)
	}
}

// create calls CreateArtifact raw and returns the signed upload URL.
func create(t *testing.T, ts *testServer, token, name string) string {
	t.Helper()
	status, body := ts.request(t, http.MethodPost, ts.hs.URL+"/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact",
		token, []byte(`{"workflow_run_backend_id":"1","workflow_job_run_backend_id":"1","name":"`+name+`","version":4,"mime_type":"application/zip"}`), nil)
	if status != http.StatusOK {
		t.Fatalf("CreateArtifact = HTTP %d %s", status, body)
	}
	var signed string
	if _, after, ok := strings.Cut(body, `"signedUploadUrl":"`); ok {
		signed, _, _ = strings.Cut(after, `"`)
	}
	signed = strings.ReplaceAll(signed, `\u0026`, "&")
	if !strings.Contains(signed, "/twirp/github.actions.results.api.v1.ArtifactService/UploadArtifact?") {
		t.Fatalf("CreateArtifact reply %s has no signed upload URL", body)
	}
	return signed
}

func finalize(t *testing.T, ts *testServer, token, name, hash string) (int, string) {
	t.Helper()
	return ts.request(t, http.MethodPost, ts.hs.URL+"/twirp/github.actions.results.api.v1.ArtifactService/FinalizeArtifact",
		token, []byte(`{"workflow_run_backend_id":"1","workflow_job_run_backend_id":"1","name":"`+name+`","size":"5"`+hash+`}`), nil)
}

func TestV4AppendedChunksWithoutABlockList(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	token := ts.tokens.Token(1, 1)
	signed := create(t, ts, token, "a")
	for _, part := range []struct{ comp, body string }{{"block", "hel"}, {"appendBlock", "lo"}} {
		if status, body := ts.request(t, http.MethodPut, signed+"&comp="+part.comp, "", []byte(part.body), nil); status != http.StatusCreated {
			t.Fatalf("PUT comp=%s = HTTP %d %s, want 201", part.comp, status, body)
		}
	}
	if status, body := finalize(t, ts, token, "a", ""); status != http.StatusOK || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("FinalizeArtifact = HTTP %d %s", status, body)
	}
	var got bytes.Buffer
	if err := ts.client(1, 2).DownloadV4(t.Context(), "a", &got); err != nil || got.String() != "hello" {
		t.Errorf("DownloadV4 = %q, %v, want hello", got.String(), err)
	}
}

func TestV4FinalizeChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		blockList string
		hash      string
		want      int
	}{
		{name: "good", blockList: "<BlockList><Latest>YQ==</Latest><Latest>Yg==</Latest></BlockList>", hash: `,"hash":"sha256:` + sha256Of("hello") + `"`, want: http.StatusOK},
		{name: "wrong checksum", blockList: "<BlockList><Latest>YQ==</Latest><Latest>Yg==</Latest></BlockList>", hash: `,"hash":"sha256:` + sha256Of("hellO") + `"`, want: http.StatusInternalServerError},
		{name: "missing block", blockList: "<BlockList><Latest>YQ==</Latest><Latest>Yw==</Latest></BlockList>", want: http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			token := ts.tokens.Token(1, 1)
			signed := create(t, ts, token, "a")
			ts.request(t, http.MethodPut, signed+"&comp=block&blockid="+url.QueryEscape("Yg=="), "", []byte("lo"), nil)
			ts.request(t, http.MethodPut, signed+"&comp=block&blockid="+url.QueryEscape("YQ=="), "", []byte("hel"), nil)
			if status, body := ts.request(t, http.MethodPut, signed+"&comp=blocklist", "", []byte(tt.blockList), nil); status != http.StatusCreated {
				t.Fatalf("PUT comp=blocklist = HTTP %d %s", status, body)
			}
			if status, body := finalize(t, ts, token, "a", tt.hash); status != tt.want {
				t.Errorf("FinalizeArtifact = HTTP %d %s, want %d", status, body, tt.want)
			}
		})
	}
}

// TestV4WrongChecksumDropsTheUpload: as on Gitea, a finalize whose
// checksum does not match drops the uploaded blocks, so that a finalize
// with the right one fails too: the upload must start again.
func TestV4WrongChecksumDropsTheUpload(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	token := ts.tokens.Token(1, 1)
	signed := create(t, ts, token, "a")
	ts.request(t, http.MethodPut, signed+"&comp=block&blockid="+url.QueryEscape("YQ=="), "", []byte("hello"), nil)
	ts.request(t, http.MethodPut, signed+"&comp=blocklist", "", []byte("<BlockList><Latest>YQ==</Latest></BlockList>"), nil)
	for _, hash := range []string{sha256Of("hellO"), sha256Of("hello")} {
		if status, body := finalize(t, ts, token, "a", `,"hash":"sha256:`+hash+`"`); status != http.StatusInternalServerError || body != "Error merge chunks\n" {
			t.Errorf("FinalizeArtifact with sha256 %s = HTTP %d %q, want 500 Error merge chunks", hash[:8], status, body)
		}
	}
	signed = create(t, ts, token, "a")
	ts.request(t, http.MethodPut, signed+"&comp=block&blockid="+url.QueryEscape("YQ=="), "", []byte("hello"), nil)
	ts.request(t, http.MethodPut, signed+"&comp=blocklist", "", []byte("<BlockList><Latest>YQ==</Latest></BlockList>"), nil)
	if status, body := finalize(t, ts, token, "a", `,"hash":"sha256:`+sha256Of("hello")+`"`); status != http.StatusOK {
		t.Errorf("FinalizeArtifact after uploading again = HTTP %d %s, want 200", status, body)
	}
}

func TestV4SignedURLs(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	token := ts.tokens.Token(1, 1)
	signed := create(t, ts, token, "a")
	u, _ := url.Parse(signed)
	tampered := func(key, value string) string {
		q := u.Query()
		q.Set(key, value)
		v := *u
		v.RawQuery = q.Encode()
		return v.String()
	}
	for name, target := range map[string]string{
		"another artifact name": tampered("artifactName", "b"),
		"another artifact id":   tampered("artifactID", "2"),
		"another task":          tampered("taskID", "5"),
		"later expiry":          tampered("expires", time.Now().Add(24*time.Hour).Format("2006-01-02 15:04:05.999999999 -0700 MST")),
		"no signature":          tampered("sig", ""),
		"download endpoint":     strings.Replace(signed, "UploadArtifact", "DownloadArtifact", 1),
	} {
		method := http.MethodPut
		if strings.Contains(target, "DownloadArtifact") {
			method = http.MethodGet
		}
		if status, body := ts.request(t, method, target+"&comp=block", "", []byte("x"), nil); status != http.StatusUnauthorized {
			t.Errorf("%s: HTTP %d %s, want 401", name, status, body)
		}
	}
	ts.clock.Advance(61 * time.Minute)
	if status, body := ts.request(t, http.MethodPut, signed+"&comp=block", "", []byte("x"), nil); status != http.StatusUnauthorized || !strings.Contains(body, "expired") {
		t.Errorf("PUT after 61 minutes = HTTP %d %s, want 401 link expired", status, body)
	}
}
