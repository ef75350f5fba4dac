package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// TestExecCache: through anvil exec, a run's job saves an entry with a
// client that follows actions/cache's v1 protocol and the next run's job
// restores it, on the host and in a container; --no-cache-server gives
// jobs no ACTIONS_CACHE_URL.
func TestExecCache(t *testing.T) {
	t.Parallel()
	const size = 1<<20 + 3
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
			store := filepath.Join(t.TempDir(), "cache")
			repo := t.TempDir()
			run := func(mode string, extra ...string) string {
				t.Helper()
				testkit.WriteFile(t, repo, ".forgejo/workflows/cache.yml", cacheJob(t, "ubuntu-latest", mode, "deps-1", size))
				env := map[string]string{"PATH": os.Getenv("PATH"), "DOCKER_HOST": os.Getenv("DOCKER_HOST")}
				proc, stdout, stderr := testProcess(env)
				args := append([]string{"exec", "-C", repo, "--workdir", t.TempDir(), "-P", tt.platform, "--cache-server-path", store}, extra...)
				if code := Main(t.Context(), proc, args); code != ExitOK {
					t.Fatalf("anvil %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
				}
				return stdout.String()
			}
			if out := run("save"); !strings.Contains(out, "cache saved: deps-1") {
				t.Fatalf("the saving run:\n%s", out)
			}
			out := run("restore")
			if !strings.Contains(out, "cache hit: deps-1") || !strings.Contains(out, "restored sha256 "+cacheBlobSum(size)) {
				t.Errorf("the next run, want a hit with the saved bytes:\n%s", out)
			}
			if strings.Contains(out, "anv1.") {
				t.Errorf("the run shows a cache credential:\n%s", out)
			}
			if _, err := os.Stat(filepath.Join(store, "index")); err != nil {
				t.Errorf("--cache-server-path holds no index: %v", err)
			}
			if out := run("restore", "--no-cache-server"); !strings.Contains(out, "no ACTIONS_CACHE_URL") {
				t.Errorf("with --no-cache-server, want no ACTIONS_CACHE_URL:\n%s", out)
			}
		})
	}
}
