package executor_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
)

// TestPrivateFileModes is issue 11's item 7: with a work directory given (as
// anvil exec --workdir and the daemon's job folders do), the job's
// directory is 0700 and the step script that carries interpolated secrets
// and the file-command files are readable by their owner only.
func TestPrivateFileModes(t *testing.T) {
	t.Parallel()
	workDir := filepath.Join(t.TempDir(), "work")
	plan := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "token ${{ secrets.TOKEN }}" > /dev/null
          echo "modes script=$(stat -c %a "$0") env=$(stat -c %a "$GITHUB_ENV") output=$(stat -c %a "$GITHUB_OUTPUT") summary=$(stat -c %a "$GITHUB_STEP_SUMMARY") event=$(stat -c %a "$GITHUB_EVENT_PATH") job=$(stat -c %a "$(dirname "$RUNNER_TEMP")")"
`)
	var (
		mu    sync.Mutex
		lines []string
	)
	sink := executor.SinkFunc(func(e executor.Event) {
		if e.Kind == executor.EventLog {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, e.Line)
		}
	})
	cfg := executor.Config{Loader: enginetest.Loader(), WorkDir: workDir, Secrets: map[string]string{"TOKEN": "s3cret"}}
	res, err := hostEngine(t, sink, cfg).Run(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join(lines, "\n")
	if res.Result != executor.ResultSuccess {
		t.Fatalf("Run result = %s, want success\n%s", res.Result, log)
	}
	want := "modes script=700 env=600 output=600 summary=600 event=600 job=700"
	if !strings.Contains(log, want) {
		t.Errorf("the step printed no line %q:\n%s", want, log)
	}
	entries, err := os.ReadDir(workDir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("reading the work directory: %v, %d entries", err, len(entries))
	}
	for _, e := range entries {
		if fi, err := e.Info(); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("job directory %s has mode %v (err %v), want 0700", e.Name(), fi.Mode().Perm(), err)
		}
	}
}
