package pipeline

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

func TestParseTaskWorkflow(t *testing.T) {
	t.Parallel()
	// A job as Gitea and Forgejo send it: one job of the run, matrix
	// already expanded, still naming the jobs it needs.
	const task = `name: ci
"on": push
jobs:
  deploy:
    name: deploy (linux)
    needs: [build, test]
    runs-on: self-hosted
    strategy:
      matrix:
        os: [linux]
    steps:
      - run: echo ${{ needs.build.outputs.v }}
`
	tests := []struct {
		name      string
		data      string
		wantNeeds []string
		wantErr   string // substring; "" means no error
	}{
		{name: "needs outside the file", data: task, wantNeeds: []string{"build", "test"}},
		{name: "cycle still reported", data: `on: push
jobs:
  a: {needs: b, runs-on: x, steps: [{run: "true"}]}
  b: {needs: a, runs-on: x, steps: [{run: "true"}]}
`, wantErr: "needs cycle"},
		{name: "other problems still reported", data: `on: push
jobs:
  a: {needs: gone, runs-on: x, stepz: []}
`, wantErr: "stepz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := ParseTaskWorkflow("task.yml", []byte(tt.data))
			if tt.wantErr != "" {
				var perr plan.Errors
				if !errors.As(err, &perr) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseTaskWorkflow() error = %v, want Errors containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTaskWorkflow() error = %v", err)
			}
			if diff := cmp.Diff(w.Jobs[0].Needs, tt.wantNeeds); diff != "" {
				t.Errorf("ParseTaskWorkflow() needs (-got +want):\n%s", diff)
			}
			if _, err := ParseWorkflow("task.yml", []byte(tt.data)); err == nil {
				t.Errorf("ParseWorkflow() accepted needs outside the file; want an error")
			}
		})
	}
}

// forgeTasks are the tasks a real Gitea 1.25.4 handed to a runner.
const forgeTasks = "../testdata/forge-tasks/gitea-1.25.4/tasks/*.json"

// TestParseForgeTasks parses the workflow payload of every captured task:
// the forge accepted each, so none may be refused, and none has a problem.
func TestParseForgeTasks(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(forgeTasks)
	if err != nil || len(files) != 18 {
		t.Fatalf("want the 18 captured tasks in %s, got %d (%v)", forgeTasks, len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			var task struct {
				Payload string `json:"workflowPayloadText"`
			}
			if err := json.Unmarshal(readFile(t, file), &task); err != nil || task.Payload == "" {
				t.Fatalf("reading the task's workflowPayloadText: %v", err)
			}
			w, err := ParseTaskWorkflow("payload.yml", []byte(task.Payload))
			if err != nil {
				t.Fatalf("ParseTaskWorkflow() refused what the forge sent:\n%v", err)
			}
			if len(w.Jobs) != 1 || len(w.Problems) != 0 {
				t.Errorf("ParseTaskWorkflow() = %d jobs, problems %v; want 1 job, no problem", len(w.Jobs), w.Problems)
			}
		})
	}
}

// TestParseTaskLeniency checks the forms in which a forge sends what the
// file had: scalars as strings, a reusable-workflow call with runs-on: [],
// problems named by job and step instead of the payload's lines.
func TestParseTaskLeniency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		data      string
		wantWhere []string // of the problems, in order; nil: no problem
		refused   bool
	}{
		{name: "scalars as strings", data: `"on": push
jobs:
    test:
        runs-on: docker
        timeout-minutes: "1"
        continue-on-error: "true"
        strategy:
            fail-fast: "false"
            max-parallel: "2"
            matrix:
                os: [linux]
        steps:
            - run: "true"
              timeout-minutes: "${{ 1 + 1 }}"
              continue-on-error: "${{ false }}"
`},
		{name: "reusable-workflow call", data: `"on": push
jobs:
    call:
        name: call
        runs-on: []
        uses: ./.gitea/workflows/called.yml
        with:
            who: world
        secrets: inherit
`},
		{name: "steps without runs-on", data: `"on": push
jobs:
    a:
        steps:
            - run: echo ${{ needs.build.outputs.v }}
`},
		{name: "problems named by job and step", data: `"on": push
jobs:
    build:
        runs-on: docker
        stepz: 1
        steps:
            - run: echo
              shel: bash
            - name: Test
              run: echo
              wiht: {}
            - id: deploy
              run: echo
              uses: ./x
`, wantWhere: []string{`job "build"`, `job "build", step 1`, `job "build", step 2 "Test"`, `job "build", step "deploy"`}, refused: true},
		{name: "top-level key", data: `"on": push
nmae: x
jobs:
    a:
        runs-on: docker
        steps: [{run: echo}]
`, wantWhere: []string{`key "nmae"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := ParseTaskWorkflow("task.yml", []byte(tt.data))
			var problems plan.Errors
			switch {
			case tt.refused && !errors.As(err, &problems):
				t.Fatalf("ParseTaskWorkflow() error = %v, want Errors", err)
			case !tt.refused && err != nil:
				t.Fatalf("ParseTaskWorkflow() error = %v", err)
			case !tt.refused:
				problems = w.Problems
			}
			var where []string
			for _, p := range problems {
				where = append(where, p.Where)
				if !strings.HasPrefix(p.String(), "task.yml: "+p.Where+": ") {
					t.Errorf("problem %q does not start with its file and place", p)
				}
			}
			if diff := cmp.Diff(where, tt.wantWhere); diff != "" {
				t.Errorf("ParseTaskWorkflow() problems %v: places (-got +want):\n%s", problems, diff)
			}
		})
	}
}
