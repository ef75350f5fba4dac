package executor_test

import (
	"os"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/executortest"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
)

// TestRuntimeEnv: every step gets the runtime variables, with loopback
// URLs rewritten where the environment reaches this machine elsewhere;
// the job's env overrides them, the env context does not show them, and
// the credentials are masked.
func TestRuntimeEnv(t *testing.T) {
	t.Parallel()
	plan := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "cache=$ACTIONS_CACHE_URL"
          echo "runtime=$ACTIONS_RUNTIME_URL"
          echo "results=$ACTIONS_RESULTS_URL"
          echo "token=$ACTIONS_RUNTIME_TOKEN"
          echo "context=${{ env.ACTIONS_RUNTIME_URL }}."
      - run: echo "overridden=$ACTIONS_RESULTS_URL"
        env:
          ACTIONS_RESULTS_URL: mine
`)
	runtime := executor.Runtime{
		Env: map[string]string{
			"ACTIONS_CACHE_URL":     "http://127.0.0.1:4000/_cache/cred-abc/",
			"ACTIONS_RUNTIME_URL":   "http://localhost:3000/api/actions_pipeline/",
			"ACTIONS_RESULTS_URL":   "https://forge.example",
			"ACTIONS_RUNTIME_TOKEN": "runtime-token-xyz",
		},
		Credentials: []string{"cred-abc", "runtime-token-xyz"},
	}
	tests := []struct {
		name string
		addr string
		want []string
	}{
		{"on loopback", "", []string{
			"cache=http://127.0.0.1:4000/_cache/***/", "runtime=http://localhost:3000/api/actions_pipeline/",
			"results=https://forge.example", "token=***", "context=.", "overridden=mine",
		}},
		{"reaching this machine at another address", "172.18.0.1", []string{
			"cache=http://172.18.0.1:4000/_cache/***/", "runtime=http://172.18.0.1:3000/api/actions_pipeline/",
			"results=https://forge.example", "token=***", "context=.", "overridden=mine",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var lines []string
			sink := executor.SinkFunc(func(e executor.Event) {
				if e.Kind == executor.EventLog && e.Step >= 0 {
					mu.Lock()
					lines = append(lines, e.Line)
					mu.Unlock()
				}
			})
			// A host backend whose processes claim to reach this machine
			// at tt.addr, as a container on a bridge network does.
			elsewhere := executortest.New(t, executortest.Config{Inner: host.New(host.Config{}), HostAddress: tt.addr})
			e := executor.New(executor.Config{
				Loader: enginetest.Loader(),
				Backends: func([]string) (executor.Backend, executor.JobSpecHints, error) {
					return elsewhere, executor.JobSpecHints{}, nil
				},
				Sink: sink, WorkDir: t.TempDir(), BaseEnv: executor.HostEnv(os.Environ()), Runtime: runtime,
			})
			res, err := e.Run(t.Context(), plan)
			if err != nil || res.Result != executor.ResultSuccess {
				t.Fatalf("Run() = %v, %v; log:\n%s", res, err, strings.Join(lines, "\n"))
			}
			got := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("log lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "cred-abc") || strings.Contains(got, "runtime-token-xyz") {
				t.Errorf("log shows a credential:\n%s", got)
			}
		})
	}
}
