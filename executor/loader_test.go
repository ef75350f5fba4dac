package executor_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
)

// TestNoLoaderFailsWhatNeedsOne: the executor never parses files itself,
// so without Config.Loader a step that uses an action and a job that calls
// a workflow fail with an error that says what to set, while plain run:
// steps still run.
func TestNoLoaderFailsWhatNeedsOne(t *testing.T) {
	t.Parallel()
	plan := planFor(t, `
on: push
jobs:
  steps:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mkdir -p local
          printf 'runs:\n  using: composite\n  steps: []\n' > local/action.yml
      - uses: ./local
  call:
    uses: ./.forgejo/workflows/called.yml
`)
	var (
		mu   sync.Mutex
		errs []string
	)
	sink := executor.SinkFunc(func(e executor.Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Error != "" {
			errs = append(errs, e.Job+": "+e.Error)
		}
	})
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, ".forgejo", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	called := "on: workflow_call\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n"
	if err := os.WriteFile(filepath.Join(src, ".forgejo", "workflows", "called.yml"), []byte(called), 0o600); err != nil {
		t.Fatal(err)
	}
	eng := executor.New(executor.Config{
		Backends:  hostBackends,
		Sink:      sink,
		WorkDir:   t.TempDir(),
		SourceDir: src,
		BaseEnv:   executor.HostEnv(os.Environ()),
	})
	res, err := eng.Run(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range res.Jobs {
		if j.Result != executor.ResultFailure {
			t.Errorf("job %s: result %s, want failure", j.JobID, j.Result)
		}
	}
	for _, job := range []string{"steps", "call"} {
		found := false
		for _, e := range errs {
			found = found || strings.HasPrefix(e, job+": ") && strings.Contains(e, "executor.Config.Loader is not set")
		}
		if !found {
			t.Errorf("no error says that job %s needs Config.Loader:\n%s", job, strings.Join(errs, "\n"))
		}
	}
}
