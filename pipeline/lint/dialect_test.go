package lint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// job wraps steps (YAML lines indented for a steps list) in a workflow on
// push with one job.
func job(steps string) string {
	return "on: push\njobs:\n  a:\n    runs-on: docker\n    steps:\n" + steps
}

// TestDialect checks Forgejo's dialect, the cases of act's own test
// workflows, and what GitHub would refuse at run time: each workflow with
// the severities of its findings, in file order ("" for none).
func TestDialect(t *testing.T) {
	t.Parallel()
	const (
		E = plan.SeverityError
		W = plan.SeverityWarning
	)
	tests := []struct {
		name string
		yml  string
		want []plan.Severity
		task bool // read as a forge task's payload
	}{
		// Forgejo's dialect.
		{name: "forge context", yml: job("      - run: echo ${{ forge.sha }} ${{ Forge.ref_name }}\n")},
		{name: "forgejo and gitea contexts", yml: job("      - run: echo ${{ forgejo.sha }} ${{ gitea.ref }}\n")},
		{name: "forge context in if", yml: job("      - if: forge.event_name == 'push'\n        run: echo\n")},
		{name: "forge property typo is a warning", yml: job("      - run: echo ${{ forge.shaa }}\n"), want: []plan.Severity{W}},
		{name: "secrets in job if", yml: `on: push
jobs:
  a:
    if: ${{ secrets.TOKEN != '' }}
    runs-on: docker
    steps:
      - run: echo
`},
		{name: "secrets in step if", yml: job("      - if: secrets.TOKEN != ''\n        run: echo\n")},
		{name: "secrets in a block if", yml: job("      - if: >-\n          github.event_name == 'push' &&\n          secrets.TOKEN != ''\n        run: echo\n")},
		{name: "secrets outside if stays a warning", yml: `on: push
jobs:
  a:
    runs-on: ${{ secrets.LABEL }}
    steps:
      - run: echo
`, want: []plan.Severity{W}},
		{name: "cron descriptors", yml: `on:
  schedule:
    - cron: '@hourly'
    - cron: '@daily'
    - cron: '@weekly'
    - cron: '@monthly'
    - cron: '@yearly'
    - cron: '@annually'
    - cron: '@midnight'
    - cron: '@every 2h'
jobs:
  a:
    runs-on: docker
    steps:
      - run: echo
`},
		{name: "unknown cron descriptor is a warning", yml: "on:\n  schedule:\n    - cron: '@fortnightly'\n" + job("      - run: echo\n")[len("on: push\n"):],
			want: []plan.Severity{W}},
		{name: "merge_group branches", yml: "on:\n  merge_group:\n    branches: [main]\n    types: [checks_requested]\n" + job("      - run: echo\n")[len("on: push\n"):]},
		{name: "filters under create", yml: "on:\n  create:\n    branches: [main]\n    tags: ['v*']\n" + job("      - run: echo\n")[len("on: push\n"):]},
		{name: "concurrency queue", yml: `on: push
concurrency:
  group: ci
  queue: max
jobs:
  a:
    runs-on: docker
    concurrency:
      group: job
      cancel-in-progress: false
      queue: max
    steps:
      - run: echo
`},
		{name: "unknown key is a warning", yml: job("      - run: echo\n        shel: bash\n"), want: []plan.Severity{W}},
		{name: "type-only: matrix property not defined", yml: `on: push
jobs:
  a:
    runs-on: docker
    strategy:
      matrix:
        os: [linux]
    steps:
      - run: echo ${{ matrix.arch }}
`, want: []plan.Severity{W}},
		{name: "type-only: input not declared", yml: `on:
  workflow_call:
    inputs:
      who:
        type: string
jobs:
  a:
    runs-on: docker
    steps:
      - run: echo ${{ inputs.what }}
`, want: []plan.Severity{W}},

		// act's own test workflows.
		{name: "workflow_call input without type", yml: `on:
  workflow_call:
    inputs:
      who:
        required: true
jobs:
  a:
    runs-on: docker
    steps:
      - run: echo ${{ inputs.who }}
`, want: []plan.Severity{W}},
		{name: "matrix.A read as matrix.a", yml: `on: push
jobs:
  a:
    runs-on: docker
    strategy:
      matrix:
        a: [1, 2]
        Os: [linux]
    steps:
      - run: echo ${{ matrix.A }} ${{ MATRIX.os }} ${{ Matrix.OS }} ${{ GitHub.SHA }}
`},
		{name: "undeclared dispatch input", yml: `on:
  workflow_dispatch:
    inputs:
      x:
        type: string
jobs:
  a:
    runs-on: docker
    steps:
      - run: echo ${{ inputs.y }}
      - run: echo ${{ github.event.inputs.y }}
`, want: []plan.Severity{W, W}},
		{name: "dispatch inputs without declarations", yml: `on: workflow_dispatch
jobs:
  a:
    runs-on: docker
    steps:
      - run: echo ${{ inputs.y }} ${{ github.event.inputs.y }}
`, want: []plan.Severity{W}},

		// What fails at run time on GitHub and Forgejo alike.
		{name: "undefined bare name", yml: job("      - run: echo ${{ foo }}\n"), want: []plan.Severity{E}},
		{name: "expression does not parse", yml: job("      - run: echo ${{ github.sha == }}\n"), want: []plan.Severity{E}},
		{name: "expression does not lex", yml: job("      - run: echo ${{ \"double\" }}\n"), want: []plan.Severity{E}},
		{name: "condition does not parse", yml: job("      - if: github.sha ==\n        run: echo\n"), want: []plan.Severity{E}},
		{name: "undefined name after a warning in one value", yml: job("      - run: echo ${{ github.no_such.x }} ${{ matrixx.os }}\n"), want: []plan.Severity{W, E}},
		{name: "undefined name in a condition after a warning", yml: job("      - if: github.nope == 'x' && foo.bar\n        run: echo\n"), want: []plan.Severity{W, E}},
		{name: "nothing under on: is an error", yml: "on:\n  workflow_dispatch:\n    inputs:\n      x:\n        description: 'use ${{ whatever }}'\n" + job("      - run: echo\n")[len("on: push\n"):],
			want: []plan.Severity{W}},
		{name: "undefined function", yml: job("      - run: echo ${{ frobnicate(1) }}\n"), want: []plan.Severity{E}},
		{name: "unknown need", yml: `on: push
jobs:
  a:
    needs: nope
    runs-on: docker
    steps:
      - run: echo
`, want: []plan.Severity{E}},
		{name: "needs cycle", yml: `on: push
jobs:
  a:
    needs: b
    runs-on: docker
    steps: [{run: echo}]
  b:
    needs: a
    runs-on: docker
    steps: [{run: echo}]
`, want: []plan.Severity{E}},
		{name: "no jobs", yml: "on: push\njobs: {}\n", want: []plan.Severity{E}},
		{name: "invalid YAML", yml: "on: push\njobs:\n  a: [\n", want: []plan.Severity{E}},
		{name: "matrix over 256", yml: `on: push
jobs:
  a:
    runs-on: docker
    strategy:
      matrix:
        x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
        y: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    steps:
      - run: echo
`, want: []plan.Severity{E}},
		{name: "step with neither run nor uses", yml: job("      - name: nothing\n"), want: []plan.Severity{E}},
		{name: "error beside a warning on its line", yml: job("      - {run: 'echo ${{ foo }}', shel: bash}\n"), want: []plan.Severity{E, W}},

		// What a forge sends.
		{name: "scalars as strings", yml: `on: push
jobs:
  a:
    runs-on: docker
    timeout-minutes: "1"
    continue-on-error: "true"
    strategy:
      fail-fast: "false"
      max-parallel: "2"
      matrix:
        os: [linux]
    steps:
      - run: echo
        timeout-minutes: "1.5"
        continue-on-error: "false"
      - run: echo
        timeout-minutes: ${{ 1 }}
        continue-on-error: ${{ false }}
`},
		{name: "a word for a number is a warning", yml: job("      - run: echo\n        timeout-minutes: \"soon\"\n"), want: []plan.Severity{W}},
		{name: "task: reusable-workflow call", task: true, yml: `"on": push
jobs:
    call:
        name: call
        runs-on: []
        uses: ./.gitea/workflows/called.yml
        with:
            who: world
        secrets: inherit
`},
		{name: "task: needs read without needs", task: true, yml: `"on": push
jobs:
    deploy:
        if: needs.build.result == 'success'
        runs-on: docker
        steps:
            - run: echo ${{ needs.build.outputs.v }} ${{ needs.Test.result }}
`},
		{name: "task: undefined bare name is still an error", task: true, yml: `"on": push
jobs:
    deploy:
        runs-on: docker
        steps:
            - run: echo ${{ foo }}
`, want: []plan.Severity{E}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings := New(Options{Task: tt.task}).Check("w.yml", []byte(tt.yml))
			var got []plan.Severity
			for _, f := range findings {
				got = append(got, f.Severity)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Check() = %v; severities (-got +want):\n%s", findings, diff)
			}
		})
	}
}

// TestForgeTasks lints the workflow payload of every task a real Gitea
// 1.25.4 handed out: the forge accepted each, so none may have an error,
// and a warning names its job and step, not the payload's lines.
func TestForgeTasks(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../testdata/forge-tasks/gitea-1.25.4/tasks/*.json")
	if err != nil || len(files) != 18 {
		t.Fatalf("want the 18 captured tasks, got %d (%v)", len(files), err)
	}
	// The runner these tasks ran on allows the host volume of
	// containers.yml (/tmp/cache); with the default valid volumes the
	// Docker executor refuses it, and checking says so
	// (TestContainerOptions).
	l := New(Options{Task: true, Containers: runopt.Policy{ValidVolumes: []string{"/tmp/cache"}}})
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var task struct {
				Payload string `json:"workflowPayloadText"`
			}
			if err := json.Unmarshal(data, &task); err != nil || task.Payload == "" {
				t.Fatalf("reading the task's workflowPayloadText: %v", err)
			}
			wf, findings := l.Parse("payload.yml", []byte(task.Payload))
			if wf == nil {
				t.Fatalf("Parse() refused the payload: %v", findings)
			}
			for _, f := range findings {
				if f.IsError() {
					t.Errorf("Check() found an error in what the forge sent: %s", f)
				}
				if !strings.HasPrefix(f.Where, `job "`) {
					t.Errorf("finding %s names no job (Where %q)", f, f.Where)
				}
			}
			if len(wf.Problems) != len(findings) {
				t.Errorf("Parse() workflow carries %d problems, want the %d findings", len(wf.Problems), len(findings))
			}
		})
	}
}

// TestRealWorkflows lints testdata/lint/real: workflows as projects write
// them (Go, Node, Docker, releases, matrices, reusable workflows,
// Forgejo-native ones). GitHub or Forgejo runs each, so none may have an
// error, and each must parse into a workflow to run.
func TestRealWorkflows(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(lintData, "real", "*.yml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("want at least 10 workflows in %s/real, got %d (%v)", lintData, len(files), err)
	}
	l := New(Options{})
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".yml"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wf, findings := l.Parse(name, data)
			if wf == nil {
				t.Fatalf("Parse(%s) refused the workflow: %v", name, findings)
			}
			for _, f := range findings {
				if f.IsError() {
					t.Errorf("Parse(%s) found an error in a workflow that runs: %s", name, f)
					continue
				}
				t.Logf("warning: %s", f)
			}
		})
	}
}
