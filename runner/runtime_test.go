package runner

import (
	"errors"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestRuntime: the runner asks for each task's runtime with the task's
// github context and gives it to the job; a failure fails the task with
// its message, masked.
func TestRuntime(t *testing.T) {
	t.Parallel()
	const job = "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps:\n      - run: echo \"url=$ACTIONS_RUNTIME_URL token=$ACTIONS_RUNTIME_TOKEN\"\n"
	tests := []struct {
		name       string
		runtime    func(github map[string]any) (executor.Runtime, error)
		wantStatus forgetest.Status
		wantRows   []string
	}{
		{
			name: "given to the job",
			runtime: func(github map[string]any) (executor.Runtime, error) {
				tok, _ := github["gitea_runtime_token"].(string)
				repo, _ := github["repository"].(string)
				return executor.Runtime{Env: map[string]string{"ACTIONS_RUNTIME_URL": "for " + repo, "ACTIONS_RUNTIME_TOKEN": tok}, Credentials: []string{tok}}, nil
			},
			wantStatus: forgetest.StatusSuccess,
			wantRows:   []string{"url=for forgetest/repo token=***"},
		},
		{
			name: "a failure fails the task",
			runtime: func(map[string]any) (executor.Runtime, error) {
				return executor.Runtime{}, errors.New("the cache is gone")
			},
			wantStatus: forgetest.StatusFailure,
			wantRows:   []string{"Cannot give the job its cache and artifact services: the cache is gone"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: job})
			tr := newTestRunner(t, srv, func(c *Config) { c.Runtime = tt.runtime })
			tr.start(t)
			rec := waitLogClosed(t, srv, id)
			checkReport(t, rec)
			if rec.Status != tt.wantStatus {
				t.Errorf("status %s, want %s; rows:\n%s", rec.Status, tt.wantStatus, rowsText(rec))
			}
			for _, w := range tt.wantRows {
				if !strings.Contains(rowsText(rec), w) {
					t.Errorf("rows lack %q:\n%s", w, rowsText(rec))
				}
			}
		})
	}
}
