package artifacts_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/artifacts"
	"codeberg.org/anvil-ci/anvil/artifacts/artifactclient"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// testServer is an artifact server on loopback with local tokens.
type testServer struct {
	srv    *artifacts.Server
	hs     *httptest.Server
	tokens *artifacts.LocalTokens
	clock  *testkit.Clock
	dir    string
}

func newTestServer(t testing.TB, auth artifacts.Authorizer) *testServer {
	t.Helper()
	tokens, err := artifacts.NewLocalTokens("owner/repo")
	if err != nil {
		t.Fatal(err)
	}
	if auth == nil {
		auth = tokens
	}
	ts := &testServer{tokens: tokens, clock: testkit.NewClock(time.Now()), dir: t.TempDir()}
	ts.srv, err = artifacts.New(artifacts.Config{Dir: ts.dir, Authorizer: auth, Now: ts.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts.hs = httptest.NewServer(ts.srv.Handler())
	t.Cleanup(ts.hs.Close)
	return ts
}

// client is job jobID of run runID, with the environment a runner gives it.
func (ts *testServer) client(runID, jobID int64) *artifactclient.Client {
	return ts.clientWithToken(runID, ts.tokens.Token(runID, jobID))
}

func (ts *testServer) clientWithToken(runID int64, token string) *artifactclient.Client {
	return &artifactclient.Client{
		RuntimeURL: ts.hs.URL + artifacts.V3Prefix, ResultsURL: ts.hs.URL, Token: token,
		RunID: strconv.FormatInt(runID, 10), HTTP: ts.hs.Client(),
	}
}

// request sends one raw request and returns the status and body.
func (ts *testServer) request(t testing.TB, method, url, token string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := ts.hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// v3 is the run's v3 artifacts URL.
func (ts *testServer) v3(runID int64) string {
	return ts.hs.URL + artifacts.V3Prefix + "_apis/pipelines/workflows/" + strconv.FormatInt(runID, 10) + "/artifacts"
}

// writeTree writes files (slash paths) under a new directory.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readTree reads every file under dir by slash path.
func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sha256Of(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
