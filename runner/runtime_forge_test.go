package runner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/cache"
)

// TestForgeRuntime: the runtime of a task names the forge's artifact APIs
// with the task's runtime token, and the cache with a credential of the
// task's repository and refs.
func TestForgeRuntime(t *testing.T) {
	t.Parallel()
	jc, err := cache.StartJobs(t.Context(), cache.Config{Dir: t.TempDir()}, cache.JobsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(jc.Close)
	push := map[string]any{"repository": "o/r", "ref": "refs/heads/dev", "gitea_runtime_token": "rt-gitea", "token": "job-token",
		"event": map[string]any{"repository": map[string]any{"default_branch": "main"}}}
	tests := []struct {
		name      string
		github    map[string]any
		wantToken string
		wantScope *cache.Scope // nil: no ACTIONS_CACHE_URL
	}{
		{"gitea push", push, "rt-gitea", &cache.Scope{Repository: "o/r", Ref: "refs/heads/dev", DefaultBranch: "main"}},
		{"forgejo pull request",
			map[string]any{"repository": "o/r", "ref": "refs/pull/3/head", "base_ref": "main", "forgejo_runtime_token": "rt-forgejo"},
			"rt-forgejo", &cache.Scope{Repository: "o/r", Ref: "refs/pull/3/head", BaseRef: "main"}},
		{"an older forge: the job token", map[string]any{"repository": "o/r", "ref": "refs/tags/v1", "token": "job-token"},
			"job-token", &cache.Scope{Repository: "o/r", Ref: "refs/tags/v1"}},
		{"no ref: no cache", map[string]any{"repository": "o/r", "gitea_runtime_token": "rt"}, "rt", nil},
	}
	log := logrus.New()
	log.SetOutput(&strings.Builder{})
	runtime := ForgeRuntime("http://forge.example:3000/", "anvil-test", jc, logrus.NewEntry(log))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := map[string]string{
				"ACTIONS_RUNTIME_URL":            "http://forge.example:3000/api/actions_pipeline/",
				"ACTIONS_RESULTS_URL":            "http://forge.example:3000",
				"ACTIONS_RUNTIME_TOKEN":          tt.wantToken,
				"GITEA_ACTIONS_RUNNER_VERSION":   "anvil-test",
				"FORGEJO_ACTIONS_RUNNER_VERSION": "anvil-test",
			}
			wantCreds := []string{tt.wantToken}
			rt, err := runtime(tt.github)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantScope != nil {
				// A credential names its expiry in seconds: the one
				// expected is issued in the same second.
				creds, err := jc.Credentials(*tt.wantScope)
				if err != nil {
					t.Fatal(err)
				}
				if creds.CacheURL != rt.Env["ACTIONS_CACHE_URL"] {
					rt, _ = runtime(tt.github)
				}
				want["ACTIONS_CACHE_URL"] = creds.CacheURL
				wantCreds = append(wantCreds, creds.Token)
			}
			if diff := cmp.Diff(rt.Env, want); diff != "" {
				t.Errorf("runtime env (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(rt.Credentials, wantCreds); diff != "" {
				t.Errorf("credentials to mask (-got +want):\n%s", diff)
			}
		})
	}
}
