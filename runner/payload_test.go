package runner

import (
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestRestorePayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		needs   []string
		want    string // "" means the payload comes back unchanged
	}{
		{
			name:    "needs put back",
			payload: "on: push\njobs:\n    b:\n        runs-on: x\n        steps:\n            - run: echo\n",
			needs:   []string{"a", "c"},
			want:    "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: echo\n    needs: [a, c]\n",
		},
		{
			name:    "needs kept when the payload has them",
			payload: "on: push\njobs:\n  b:\n    needs: a\n    runs-on: x\n",
			needs:   []string{"a"},
		},
		{
			name:    "runs-on [] of a reusable call removed",
			payload: "\"on\": push\njobs:\n    call:\n        name: call\n        runs-on: []\n        uses: ./.gitea/workflows/called.yml\n        secrets: inherit\n",
			want:    "\"on\": push\njobs:\n  call:\n    name: call\n    uses: ./.gitea/workflows/called.yml\n    secrets: inherit\n",
		},
		{
			name:    "runs-on [] without uses kept",
			payload: "on: push\njobs:\n  j:\n    runs-on: []\n",
		},
		{
			name: "quoted scalars are numbers and booleans again",
			payload: `on: push
jobs:
  t:
    runs-on: x
    timeout-minutes: "0.5"
    continue-on-error: "true"
    strategy:
      fail-fast: "false"
      max-parallel: "2"
      matrix: {go: ["1.22"]}
    steps:
      - run: echo
        timeout-minutes: "1"
        continue-on-error: "false"
      - run: echo
        timeout-minutes: ${{ matrix.go == '1.22' && 5 || 10 }}
        continue-on-error: "maybe"
`,
			want: `on: push
jobs:
  t:
    runs-on: x
    timeout-minutes: 0.5
    continue-on-error: true
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix: {go: ["1.22"]}
    steps:
      - run: echo
        timeout-minutes: 1
        continue-on-error: false
      - run: echo
        timeout-minutes: ${{ matrix.go == '1.22' && 5 || 10 }}
        continue-on-error: "maybe"
`,
		},
		{name: "not YAML", payload: "\x00not yaml: [", needs: []string{"a"}},
		{name: "two jobs", payload: "on: push\njobs:\n  a: {runs-on: x}\n  b: {runs-on: x}\n", needs: []string{"c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := tt.want
			if want == "" {
				want = tt.payload
			}
			got := string(restorePayload([]byte(tt.payload), tt.needs))
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("restorePayload (-got +want):\n%s", diff)
			}
		})
	}
}

// TestTaskPayloads runs payloads as a Gitea server writes them: needs only
// in the task, job-level if: over them, scalars as strings, a matrix the
// server could not expand.
func TestTaskPayloads(t *testing.T) {
	t.Parallel()
	job := func(body string) string {
		return "name: p\n\"on\": push\njobs:\n    j:\n        name: j\n        runs-on: self-hosted\n" + body
	}
	ok := func(outputs map[string]string) forgetest.Need {
		return forgetest.Need{Result: runnerv1.Result_RESULT_SUCCESS, Outputs: outputs}
	}
	failed := forgetest.Need{Result: runnerv1.Result_RESULT_FAILURE}
	cancelled := forgetest.Need{Result: runnerv1.Result_RESULT_CANCELLED}
	skipped := forgetest.Need{Result: runnerv1.Result_RESULT_SKIPPED}
	tests := []struct {
		name    string
		payload string
		needs   map[string]forgetest.Need
		result  runnerv1.Result
		rows    []string
		notRows []string
	}{
		{
			name:    "needs outputs and result",
			payload: job("        steps:\n            - run: echo \"got ${{ needs.build.outputs.v }} ${{ needs.build.result }}\"\n"),
			needs:   map[string]forgetest.Need{"build": ok(map[string]string{"v": "1.2"})},
			result:  runnerv1.Result_RESULT_SUCCESS, rows: []string{"\ngot 1.2 success\n"},
		},
		{
			name:    "if over needs true",
			payload: job("        if: needs.build.outputs.v == '1.2'\n        steps:\n            - run: echo ran\n"),
			needs:   map[string]forgetest.Need{"build": ok(map[string]string{"v": "1.2"})},
			result:  runnerv1.Result_RESULT_SUCCESS, rows: []string{"\nran\n"},
		},
		{
			name:    "if over needs false is skipped",
			payload: job("        if: needs.build.outputs.v == 'other'\n        steps:\n            - run: echo ran\n"),
			needs:   map[string]forgetest.Need{"build": ok(map[string]string{"v": "1.2"})},
			result:  runnerv1.Result_RESULT_SKIPPED, notRows: []string{"\nran\n"},
		},
		{
			name:    "failure() after a failed need",
			payload: job("        if: failure()\n        steps:\n            - run: echo cleaning up\n"),
			needs:   map[string]forgetest.Need{"a": ok(nil), "b": failed},
			result:  runnerv1.Result_RESULT_SUCCESS, rows: []string{"\ncleaning up\n"},
		},
		{
			name:    "failure() when every need succeeded is skipped",
			payload: job("        if: failure()\n        steps:\n            - run: echo cleaning up\n"),
			needs:   map[string]forgetest.Need{"a": ok(nil)},
			result:  runnerv1.Result_RESULT_SKIPPED, notRows: []string{"\ncleaning up\n"},
		},
		{
			name:    "success() after a failed need is skipped",
			payload: job("        if: success()\n        steps:\n            - run: echo ran\n"),
			needs:   map[string]forgetest.Need{"a": failed},
			result:  runnerv1.Result_RESULT_SKIPPED, notRows: []string{"\nran\n"},
		},
		{
			name:    "success() after a skipped need is skipped",
			payload: job("        if: success() || needs.a.result == 'failure'\n        steps:\n            - run: echo ran\n"),
			needs:   map[string]forgetest.Need{"a": skipped},
			result:  runnerv1.Result_RESULT_SKIPPED,
		},
		{
			name:    "always() after a failed need",
			payload: job("        if: always()\n        steps:\n            - run: echo \"always ${{ needs.a.result }}\"\n"),
			needs:   map[string]forgetest.Need{"a": failed},
			result:  runnerv1.Result_RESULT_SUCCESS, rows: []string{"\nalways failure\n"},
		},
		{
			name:    "cancelled() after a cancelled need",
			payload: job("        if: cancelled()\n        steps:\n            - run: echo \"after cancel ${{ needs.a.result }}\"\n"),
			needs:   map[string]forgetest.Need{"a": cancelled},
			result:  runnerv1.Result_RESULT_SUCCESS, rows: []string{"\nafter cancel cancelled\n"},
		},
		{
			name:    "default if after a cancelled need is cancelled",
			payload: job("        steps:\n            - run: echo ran\n"),
			needs:   map[string]forgetest.Need{"a": cancelled},
			result:  runnerv1.Result_RESULT_CANCELLED, notRows: []string{"\nran\n"},
		},
		{
			name:    "cancelled() when nothing was cancelled is skipped",
			payload: job("        if: cancelled()\n        steps:\n            - run: echo ran\n"),
			needs:   map[string]forgetest.Need{"a": failed},
			result:  runnerv1.Result_RESULT_SKIPPED,
		},
		{
			name:    "job timeout-minutes as a string",
			payload: job("        timeout-minutes: \"0.01\"\n        steps:\n            - run: sleep 5; echo not-\"reached\"\n"),
			result:  runnerv1.Result_RESULT_FAILURE, rows: []string{"maximum execution time of 600ms"}, notRows: []string{"not-reached"},
		},
		{
			name:    "step timeout-minutes and continue-on-error as strings",
			payload: job("        steps:\n            - run: sleep 5; echo not-\"reached\"\n              timeout-minutes: \"0.01\"\n              continue-on-error: \"true\"\n            - run: echo second\n"),
			result:  runnerv1.Result_RESULT_SUCCESS, rows: []string{"\nsecond\n", "timed out"}, notRows: []string{"not-reached"},
		},
		{
			name:    "continue-on-error \"false\" as a string fails",
			payload: job("        steps:\n            - run: exit 3\n              continue-on-error: \"false\"\n            - run: echo second\n"),
			result:  runnerv1.Result_RESULT_FAILURE, notRows: []string{"\nsecond\n"},
		},
		{
			// The forge expands the matrix: one combination per task.
			name: "fail-fast and max-parallel as strings",
			payload: job("        strategy:\n            fail-fast: \"false\"\n            max-parallel: \"1\"\n            matrix:\n                n:\n                    - \"2\"\n" +
				"        steps:\n            - run: echo \"combo ${{ matrix.n }} fail-fast=${{ strategy.fail-fast }} max=${{ strategy.max-parallel }}\"\n"),
			result: runnerv1.Result_RESULT_SUCCESS,
			rows:   []string{"\ncombo 2 fail-fast=false max=1\n"},
		},
		{
			name:    "matrix the server could not expand runs once",
			payload: job("        steps:\n            - run: echo \"item=[${{ matrix.item }}]\"\n"),
			needs:   map[string]forgetest.Need{"list": ok(map[string]string{"v": `["a","b"]`})},
			result:  runnerv1.Result_RESULT_SUCCESS, rows: []string{"\nitem=[]\n"},
		},
	}
	srv := forgetest.New(t)
	ids := make([]int64, len(tests))
	for i, tt := range tests {
		ids[i] = srv.AddTask(forgetest.TaskSpec{WorkflowYAML: tt.payload, Needs: tt.needs})
	}
	tr := newTestRunner(t, srv, func(c *Config) { c.Capacity = 4 })
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
			for _, row := range tt.notRows {
				if strings.Contains(text, row) {
					t.Errorf("rows hold %q:\n%s", row, text)
				}
			}
			if strings.Contains(text, "##[error]p.yml") || strings.Contains(text, "##[error]ci.yml") {
				t.Errorf("a problem in the payload failed the job:\n%s", text)
			}
		})
	}
}
