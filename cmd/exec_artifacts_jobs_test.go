package cmd

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// artifactBigSum is the sha256 of big.bin of testdata/artifacts/pass.yml:
// 9 MiB and a bit, more than one 8 MiB chunk (v3) or block (v4).
func artifactBigSum() string {
	const size = 9437191
	sum := sha256.Sum256(bytes.Repeat([]byte("anvil-artifact\n"), size/15+1)[:size])
	return hex.EncodeToString(sum[:])
}

// readWorkflow returns a workflow of testdata/artifacts.
func readWorkflow(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "artifacts", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestExecArtifactsBetweenJobs: through anvil exec with
// --artifact-server-path, on the host and in containers, a job uploads
// artifacts over the API v3 and v4 and saves cache entries over the v1
// and v2 API with a client that follows each protocol (jobclient), and
// the job that needs it downloads the same bytes; the next run restores
// the cache entries and sees none of the first run's artifacts.
func TestExecArtifactsBetweenJobs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		platform string
		docker   bool
	}{
		{name: "host", platform: "ubuntu-latest=host"},
		{name: "docker", platform: "ubuntu-latest=docker://" + dockertest.Image, docker: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.docker {
				dockertest.Client(t)
			}
			repo := t.TempDir()
			copyJobClient(t, repo)
			testkit.WriteFile(t, repo, ".forgejo/workflows/pass.yml", readWorkflow(t, "pass.yml"))
			testkit.WriteFile(t, repo, ".forgejo/workflows/restore.yml", readWorkflow(t, "restore.yml"))
			arts, store := filepath.Join(t.TempDir(), "artifacts"), filepath.Join(t.TempDir(), "cache")
			run := func(workflow string) string {
				t.Helper()
				env := map[string]string{"PATH": os.Getenv("PATH"), "DOCKER_HOST": os.Getenv("DOCKER_HOST")}
				proc, stdout, stderr := testProcess(env)
				args := []string{"exec", "-C", repo, "-W", filepath.Join(repo, ".forgejo", "workflows", workflow), "--workdir", t.TempDir(), "-P", tt.platform,
					"--artifact-server-path", arts, "--cache-server-path", store,
					"--var", "JOBCLIENT=./jobclient", "--var", "CHECKOUT=true", "--var", "CACHE_APIS=v1 v2"}
				if code := Main(t.Context(), proc, args); code != ExitOK {
					t.Fatalf("anvil %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
				}
				return stdout.String()
			}

			// Earlier runs took the run ids of the coming minute, as runs
			// started in one second do: this run's jobs must get the next
			// free one, which names its artifact directory.
			taken := map[string]bool{}
			for i := range int64(60) {
				id := strconv.FormatInt(time.Now().Unix()+i, 10)
				taken[id] = true
				if err := os.MkdirAll(filepath.Join(arts, id), 0o700); err != nil {
					t.Fatal(err)
				}
			}
			out := run("pass.yml")
			runs, err := os.ReadDir(arts)
			if err != nil || len(runs) != len(taken)+1 {
				t.Fatalf("--artifact-server-path holds %d entries, %v, want one more run's", len(runs), err)
			}
			var runID string
			for _, r := range runs {
				if !taken[r.Name()] {
					runID = r.Name()
				}
			}
			for _, want := range []string{
				"got-v3: small of run " + runID + ", big.bin sha256 " + artifactBigSum(),
				"got-v4: small of run " + runID + ", big.bin sha256 " + artifactBigSum(),
				"cache saved: deps-v1", "cache saved: deps-v2",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("the first run lacks %q:\n%s", want, out)
				}
			}

			out = run("restore.yml")
			for _, want := range []string{
				"cache hit: deps-v1", "restored v1 sha256 " + artifactBigSum(),
				"cache hit: deps-v2", "restored v2 sha256 " + artifactBigSum(),
				"no artifact of another run",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("the next run lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "eyJ") || strings.Contains(out, "anv1.") {
				t.Errorf("the run shows a runtime token or cache credential:\n%s", out)
			}
		})
	}
}
