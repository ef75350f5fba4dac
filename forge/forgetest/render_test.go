package forgetest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nektos/act/pkg/model"
)

// TestRenderWorkflow covers what Gitea's job parser does to a payload
// beyond what the captured tasks show.
func TestRenderWorkflow(t *testing.T) {
	t.Parallel()
	env := exprEnv{
		github: &model.GithubContext{Ref: "refs/heads/main", EventName: "push"},
		vars:   map[string]string{"POOL": "big"},
	}
	tests := []struct {
		name     string
		workflow string
		want     []string // payloads, in order
		wantErr  string
	}{{
		name: "needs removed, scalars become strings, unknown keys dropped",
		workflow: `on: [push]
concurrency: top
jobs:
  a:
    runs-on: x
    steps: [{run: "true"}]
  b:
    needs: [a]
    runs-on: x
    environment: production
    continue-on-error: true
    timeout-minutes: 5
    concurrency: {group: g, cancel-in-progress: true}
    env: {N: 1}
    steps:
      - run: make
        continue-on-error: true
        with: {n: 2}
`,
		want: []string{`"on": [push]
jobs:
    a:
        name: a
        runs-on: x
        steps:
            - run: "true"
`, `"on": [push]
jobs:
    b:
        name: b
        runs-on: x
        env: {N: 1}
        steps:
            - run: make
              with:
                "n": "2"
              continue-on-error: true
        timeout-minutes: "5"
        concurrency:
            group: g
            cancel-in-progress: "true"
`},
	}, {
		name: "runs-on from a group or interpolated; the name only in a matrix job",
		workflow: `on: push
jobs:
  g:
    runs-on: {group: pool, labels: [a, b]}
    steps: [{run: x}]
  plain:
    name: ${{ vars.POOL }} job
    runs-on: ${{ vars.POOL }}
    steps: [{run: x}]
`,
		want: []string{`"on": push
jobs:
    g:
        name: g
        runs-on:
            - a
            - b
            - pool
        steps:
            - run: x
`, `"on": push
jobs:
    plain:
        name: ${{ vars.POOL }} job
        runs-on: big
        steps:
            - run: x
`},
	}, {
		name: "matrix: plain name gets the values, combinations sorted by them, expressions evaluated",
		workflow: `on: push
jobs:
  t:
    runs-on: ${{ matrix.os }}-${{ vars.POOL }}
    strategy:
      matrix:
        os: [lin, arm]
        n: [2]
    steps: [{run: x}]
`,
		want: []string{`"on": push
jobs:
    t:
        name: t (2, arm)
        runs-on: arm-big
        steps:
            - run: x
        strategy:
            matrix:
                "n":
                    - 2
                os:
                    - arm
`, `"on": push
jobs:
    t:
        name: t (2, lin)
        runs-on: lin-big
        steps:
            - run: x
        strategy:
            matrix:
                "n":
                    - 2
                os:
                    - lin
`},
	}, {
		name: "a dynamic matrix keeps the rest of the strategy; a name that fails to evaluate is empty",
		workflow: `on: push
jobs:
  d:
    name: ${{ fromJSON('not json') }}
    runs-on: x
    strategy:
      fail-fast: false
      matrix: ${{ fromJSON(needs.l.outputs.v) }}
    steps: [{run: x}]
`,
		want: []string{`"on": push
jobs:
    d:
        name: ${{ fromJSON('not json') }}
        runs-on: x
        steps:
            - run: x
        strategy:
            fail-fast: "false"
`},
	}, {
		name: "an expression in a matrix job's name that fails makes it empty",
		workflow: `on: push
jobs:
  d:
    name: ${{ fromJSON('not json') }}
    runs-on: x
    strategy: {matrix: {a: [1]}}
    steps: [{run: x}]
`,
		want: []string{`"on": push
jobs:
    d:
        runs-on: x
        steps:
            - run: x
        strategy:
            matrix:
                a:
                    - 1
`},
	}, {
		name: "a reusable workflow call",
		workflow: `on: push
jobs:
  call:
    uses: ./.gitea/workflows/called.yml
    with: {n: 1, s: x}
    secrets: {K: "${{ secrets.K }}"}
`,
		want: []string{`"on": push
jobs:
    call:
        name: call
        runs-on: []
        uses: ./.gitea/workflows/called.yml
        with:
            "n": 1
            s: x
        secrets: {K: "${{ secrets.K }}"}
`},
	}, {
		name:     "an exclude key the matrix lacks",
		workflow: "on: push\njobs:\n  t:\n    runs-on: x\n    strategy: {matrix: {a: [1], exclude: [{b: 1}]}}\n    steps: [{run: x}]\n",
		wantErr:  `Matrix exclude key "b" does not match`,
	}, {
		name:     "a step's continue-on-error expression (Gitea's parser wants a bool)",
		workflow: "on: push\njobs:\n  t:\n    runs-on: x\n    steps: [{run: x, continue-on-error: '${{ true }}'}]\n",
		wantErr:  "cannot unmarshal",
	}, {
		name:     "no jobs",
		workflow: "on: push\n",
		wantErr:  "jobs is not a mapping",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			jobs, err := renderWorkflow([]byte(tt.workflow), env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("renderWorkflow() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("renderWorkflow() = %v", err)
			}
			var got []string
			for _, j := range jobs {
				got = append(got, string(j.payload))
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("payloads (-got +want):\n%s", diff)
			}
		})
	}
}

// TestMatrixCombinations covers include and exclude as Gitea's act fork
// expands them.
func TestMatrixCombinations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		matrix string
		want   []string
	}{
		{"product", "{a: [1, 2], b: [x]}", []string{"(1, x)", "(2, x)"}},
		{"exclude by a subset of keys", "{a: [1, 2], b: [x, y], exclude: [{a: 1}]}", []string{"(2, x)", "(2, y)"}},
		{"include adds a key to the matching combinations", "{a: [1, 2], include: [{a: 1, c: z}]}", []string{"(1, z)", "(2)"}},
		{"include that differs on a matrix key is its own combination", "{a: [1], b: [x], include: [{a: 1, b: y}]}", []string{"(1, x)", "(1, y)"}},
		{"include sharing no key is its own combination", "{a: [1], include: [{c: z}]}", []string{"(1)", "(z)"}},
		{"only includes", "{include: [{c: z}, {c: w}]}", []string{"(w)", "(z)"}},
		{"everything excluded runs once, without a matrix", "{a: [1], exclude: [{a: 1}]}", []string{"()"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wf := "on: push\njobs:\n  t:\n    runs-on: x\n    strategy:\n      matrix: " + tt.matrix + "\n    steps: [{run: x}]\n"
			jobs, err := renderWorkflow([]byte(wf), exprEnv{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, j := range jobs {
				got = append(got, matrixName(j.matrix))
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("combinations of %s (-got +want):\n%s", tt.matrix, diff)
			}
		})
	}
}
