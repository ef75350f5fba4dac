package runner

import (
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestReusableCallTasks runs tasks whose job calls a reusable workflow, as
// Gitea sends them (runs-on: [] and uses:): the called workflow's jobs run
// inside the task, and the caller's outputs are the task's.
func TestReusableCallTasks(t *testing.T) {
	t.Parallel()
	repo := newTaskRepo(t)
	call := func(body string) string {
		return "name: calls\n\"on\": push\njobs:\n    call:\n        name: call\n        runs-on: []\n" + body
	}
	tests := []struct {
		name    string
		payload string
		needs   map[string]forgetest.Need
		result  runnerv1.Result
		rows    []string
		outputs map[string]string
	}{
		{
			name:    "local, with and inherited secrets",
			payload: call("        uses: ./.gitea/workflows/called.yml\n        with:\n            who: ${{ needs.prep.outputs.who }}\n        secrets: inherit\n"),
			needs:   map[string]forgetest.Need{"prep": {Result: runnerv1.Result_RESULT_SUCCESS, Outputs: map[string]string{"who": "anvil"}}},
			result:  runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"greeting": "hello anvil true"},
			rows: []string{"Job call / inner (called workflow) started", "Job call / inner (called workflow) ended: success"},
		},
		{
			name:    "local without the secrets",
			payload: call("        uses: ./.gitea/workflows/called.yml\n        with:\n            who: you\n"),
			result:  runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"greeting": "hello you false"},
		},
		{
			name:    "remote through the resolver, with needs between its jobs",
			payload: call("        uses: shared/lib/.forgejo/workflows/lib.yml@main\n        with:\n            n: 41\n        secrets:\n            KEY: ${{ secrets.DEPLOY_KEY }}\n"),
			result:  runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"sum": "42-true"},
			rows: []string{"Job call / first (called workflow) ended: success", "Job call / second (called workflow) ended: success"},
		},
		{
			name:    "a required secret missing fails",
			payload: call("        uses: shared/lib/.forgejo/workflows/lib.yml@main\n"),
			result:  runnerv1.Result_RESULT_FAILURE, rows: []string{"secret KEY is required"},
		},
		{
			name:    "a local workflow not in the repository fails",
			payload: call("        uses: ./.gitea/workflows/missing.yml\n"),
			result:  runnerv1.Result_RESULT_FAILURE, rows: []string{".gitea/workflows/missing.yml"},
		},
		{
			name:    "if false is skipped",
			payload: call("        if: needs.prep.result == 'failure'\n        uses: ./.gitea/workflows/called.yml\n        with:\n            who: x\n"),
			needs:   map[string]forgetest.Need{"prep": {Result: runnerv1.Result_RESULT_SUCCESS}},
			result:  runnerv1.Result_RESULT_SKIPPED,
		},
	}
	srv := forgetest.New(t)
	ids := make([]int64, len(tests))
	ct := loadCaptured(t, 7)
	for i, tt := range tests {
		spec := repo.spec(ct)
		spec.WorkflowYAML, spec.Needs = tt.payload, tt.needs
		ids[i] = srv.AddTask(spec)
	}
	tr := newTestRunner(t, srv, withTaskLabels(t))
	tr.start(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := waitLogClosed(t, srv, ids[i])
			checkReport(t, rec)
			text := rowsText(rec)
			if rec.ReportedResult != tt.result {
				t.Errorf("result %s, want %s; rows:\n%s", rec.ReportedResult, tt.result, text)
			}
			for _, row := range tt.rows {
				if !strings.Contains(text, row) {
					t.Errorf("rows lack %q:\n%s", row, text)
				}
			}
			if strings.Contains(text, repo.git.Token) {
				t.Errorf("rows hold the job token:\n%s", text)
			}
			if tt.outputs != nil {
				if diff := cmp.Diff(rec.Outputs, tt.outputs); diff != "" {
					t.Errorf("outputs (-got +want):\n%s", diff)
				}
			}
		})
	}
	if st := repo.git.Stats("forgeadmin/ci-target"); st.Authorized == 0 || st.Denied > 0 {
		t.Errorf("the task's repository saw %d requests with the token and %d denied, want the token on every request", st.Authorized, st.Denied)
	}
}
