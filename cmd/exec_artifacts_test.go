package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/artifacts/artifactclient"
)

func TestArtifactServerPassesArtifactsBetweenJobs(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "not", "yet")
	srv, err := startArtifactServer(artifactFlags{path: dir, addr: "127.0.0.1", port: 0}, "owner/repo", 42)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	env := srv.Env()
	if !strings.HasSuffix(env["ACTIONS_RUNTIME_URL"], "/api/actions_pipeline/") || strings.HasSuffix(env["ACTIONS_RESULTS_URL"], "/") {
		t.Fatalf("Env() = %v, want ACTIONS_RUNTIME_URL ending in /api/actions_pipeline/ and ACTIONS_RESULTS_URL without a trailing slash", env)
	}
	job := func() *artifactclient.Client {
		c, err := artifactclient.FromEnv(func(k string) string {
			if k == "GITHUB_RUN_ID" {
				return "42"
			}
			return env[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	files := t.TempDir()
	if err := os.WriteFile(filepath.Join(files, "a.txt"), []byte("from job 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := job().UploadV3(t.Context(), "v3", files, 0); err != nil {
		t.Fatalf("UploadV3: %v", err)
	}
	if _, err := job().UploadV4(t.Context(), "v4", strings.NewReader("zip"), 0); err != nil {
		t.Fatalf("UploadV4: %v", err)
	}
	out := t.TempDir()
	if err := job().DownloadV3(t.Context(), "v3", out); err != nil {
		t.Fatalf("DownloadV3: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "a.txt")); err != nil || string(got) != "from job 1" {
		t.Errorf("a.txt = %q, %v, want from job 1", got, err)
	}
	var got bytes.Buffer
	if err := job().DownloadV4(t.Context(), "v4", &got); err != nil || got.String() != "zip" {
		t.Errorf("DownloadV4 = %q, %v, want zip", got.String(), err)
	}
}

func TestArtifactServerOffWithoutPath(t *testing.T) {
	t.Parallel()
	srv, err := startArtifactServer(artifactFlags{port: 0}, "owner/repo", 1)
	if err != nil || srv != nil || srv.Env() != nil {
		t.Errorf("startArtifactServer without a path = %v, %v, want no server", srv, err)
	}
	if err := srv.Close(t.Context()); err != nil {
		t.Errorf("Close of no server = %v", err)
	}
}
