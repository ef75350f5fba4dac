package cmd

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/artifacts/artifactclient"
	"codeberg.org/anvil-ci/anvil/cache/cachetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/localrun"
)

// execGithub is the github context startExecServices reads.
func execGithub(runID string) map[string]any {
	return map[string]any{"repository": "owner/repo", "ref": "refs/heads/main", "run_id": runID}
}

// startServicesT starts exec's services on loopback for a test.
func startServicesT(t *testing.T, c localrun.CacheOptions, a localrun.ArtifactOptions, runID string) *localrun.Services {
	t.Helper()
	proc, _, stderr := testProcess(map[string]string{})
	s, err := startExecServices(t.Context(), proc, &execOptions{cache: c, artifacts: a}, execGithub(runID), false)
	if err != nil {
		t.Fatalf("startExecServices: %v\n%s", err, stderr)
	}
	t.Cleanup(s.Close)
	return s
}

// artifactJob is a job's artifact client with the services' variables.
func artifactJob(t *testing.T, s *localrun.Services) *artifactclient.Client {
	t.Helper()
	c, err := artifactclient.FromEnv(func(k string) string {
		if k == "GITHUB_RUN_ID" {
			return s.RunID
		}
		return s.Runtime.Env[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExecServicesShareOneListener: with --artifact-server-path, the
// artifact APIs v3 and v4 and the cache's v1 and v2 APIs answer at one
// address with the variables a job gets, the v2 cache with the artifact
// server's token; another token does not get into the cache.
func TestExecServicesShareOneListener(t *testing.T) {
	t.Parallel()
	s := startServicesT(t, localrun.CacheOptions{Path: t.TempDir()}, localrun.ArtifactOptions{Path: t.TempDir()}, "42")
	env := s.Runtime.Env
	base := env["ACTIONS_RESULTS_URL"]
	if !strings.HasPrefix(base, "http://127.0.0.1:") || env["ACTIONS_RUNTIME_URL"] != base+"/api/actions_pipeline/" || !strings.HasPrefix(env["ACTIONS_CACHE_URL"], base+"/_cache/") {
		t.Fatalf("Env = %v, want ACTIONS_RUNTIME_URL, ACTIONS_RESULTS_URL and ACTIONS_CACHE_URL on one 127.0.0.1 listener", env)
	}
	if s.RunID != "42" {
		t.Errorf("runID = %q, want the planned 42 for a fresh directory", s.RunID)
	}
	if len(s.Runtime.Credentials) != 2 {
		t.Errorf("Credentials = %d values, want the artifact token and the cache credential masked", len(s.Runtime.Credentials))
	}

	files := t.TempDir()
	testkit.WriteFile(t, files, "dist/app.txt", "built by job 1")
	if err := artifactJob(t, s).UploadV3(t.Context(), "v3", files, 0); err != nil {
		t.Fatalf("UploadV3: %v", err)
	}
	if _, err := artifactJob(t, s).UploadV4(t.Context(), "v4", strings.NewReader("zip bytes"), 0); err != nil {
		t.Fatalf("UploadV4: %v", err)
	}
	out := t.TempDir()
	if err := artifactJob(t, s).DownloadV3(t.Context(), "v3", out); err != nil {
		t.Fatalf("DownloadV3: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "dist", "app.txt")); err != nil || string(got) != "built by job 1" {
		t.Errorf("dist/app.txt = %q, %v, want the uploaded bytes", got, err)
	}
	var zip bytes.Buffer
	if err := artifactJob(t, s).DownloadV4(t.Context(), "v4", &zip); err != nil || zip.String() != "zip bytes" {
		t.Errorf("DownloadV4 = %q, %v, want zip bytes", zip.String(), err)
	}

	archive := filepath.Join(t.TempDir(), "archive")
	if err := os.WriteFile(archive, []byte("cached bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	cc := cachetest.Env(env)
	if _, err := cc.SaveV2(t.Context(), "v2-key", "v1", archive); err != nil {
		t.Fatalf("SaveV2 with the artifact token: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if key, err := cc.RestoreV2(t.Context(), "v2-key", nil, "v1", restored); err != nil || key != "v2-key" {
		t.Fatalf("RestoreV2 = %q, %v, want a hit", key, err)
	}
	if got, _ := os.ReadFile(restored); string(got) != "cached bytes" {
		t.Errorf("restored %q, want cached bytes", got)
	}
	if _, err := cc.SaveV1(t.Context(), "v1-key", "v1", archive); err != nil {
		t.Fatalf("SaveV1: %v", err)
	}

	forged := *cc
	forged.Token = strings.TrimSuffix(cc.Token, cc.Token[len(cc.Token)-4:]) + "AAAA"
	var he *cachetest.HTTPError
	if _, err := forged.RestoreV2(t.Context(), "v2-key", nil, "v1", restored); !errors.As(err, &he) || he.Status != 401 {
		t.Errorf("RestoreV2 with a forged token = %v, want HTTP 401", err)
	}
}

// TestExecArtifactsPerRun: a second run reusing the artifact directory in
// the same second gets the next run id and a directory of its own, and
// never sees the first run's artifacts.
func TestExecArtifactsPerRun(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "not", "yet")
	first := startServicesT(t, localrun.CacheOptions{Off: true}, localrun.ArtifactOptions{Path: dir}, "1700000000")
	if _, err := artifactJob(t, first).UploadV4(t.Context(), "out", strings.NewReader("first"), 0); err != nil {
		t.Fatal(err)
	}
	second := startServicesT(t, localrun.CacheOptions{Off: true}, localrun.ArtifactOptions{Path: dir}, "1700000000")
	if first.RunID != "1700000000" || second.RunID != "1700000001" {
		t.Errorf("run ids %q and %q, want 1700000000 and 1700000001", first.RunID, second.RunID)
	}
	for _, id := range []string{first.RunID, second.RunID} {
		if st, err := os.Stat(filepath.Join(dir, id)); err != nil || !st.IsDir() {
			t.Errorf("no artifact directory %s of run %s: %v", filepath.Join(dir, id), id, err)
		}
	}
	if got, err := artifactJob(t, first).ListV4(t.Context(), ""); err != nil || len(got) != 1 || got[0].Name != "out" {
		t.Errorf("the first run lists %v, %v, want its artifact out", got, err)
	}
	got, err := artifactJob(t, second).ListV4(t.Context(), "")
	if err != nil || len(got) != 0 {
		t.Errorf("the second run lists %v, %v, want none of the first run's", got, err)
	}
	if _, ok := second.Runtime.Env["ACTIONS_CACHE_URL"]; ok {
		t.Errorf("with --no-cache-server, Env = %v, want no ACTIONS_CACHE_URL", second.Runtime.Env)
	}
}

// TestExecServicesWithoutArtifacts: without --artifact-server-path, jobs
// get the cache's v2 variables and the planned run id stays.
func TestExecServicesWithoutArtifacts(t *testing.T) {
	t.Parallel()
	s := startServicesT(t, localrun.CacheOptions{Path: t.TempDir()}, localrun.ArtifactOptions{}, "7")
	if s.RunID != "" || s.Runtime.Env["ACTIONS_RUNTIME_URL"] != "" {
		t.Errorf("runID %q, Env %v: want no artifact server", s.RunID, s.Runtime.Env)
	}
	if !strings.HasPrefix(s.Runtime.Env["ACTIONS_RUNTIME_TOKEN"], "anv1.") {
		t.Errorf("ACTIONS_RUNTIME_TOKEN is not the cache credential: want v2 to work without an artifact server")
	}
}
