package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

func TestParseWorkflow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string // testdata/parse/<name>.yml, golden <name>.golden.json
	}{
		{name: "forgejo"},          // Forgejo URLs, contexts, cmd, credentials
		{name: "triggers-string"},  // on: push
		{name: "triggers-list"},    // on: [..] with schedule note
		{name: "triggers-mapping"}, // filters, dispatch inputs, types
		{name: "reusable"},         // workflow_call, job-level uses/with/secrets
		{name: "full-job"},         // every job and step key, aliases, scalars as text
		{name: "needs-order"},      // jobs come after what they need
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := "testdata/parse/" + tt.name
			w := parseFile(t, base+".yml")
			golden.Check(t, base+".golden.json", toJSON(t, w))
		})
	}
}

// TestParseWorkflowProblems checks the problems of the files in
// testdata/invalid, each with its severity: a file with an error is
// refused (Errors with every problem), a file with warnings only comes
// back with them in Workflow.Problems.
func TestParseWorkflowProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string // testdata/invalid/<name>.yml, golden <name>.golden.txt
		refused bool   // an error among the problems
	}{
		{name: "unknown-keys", refused: true}, // unknown keys at every level (warnings), suggestions
		{name: "wrong-types", refused: true},  // mappings, lists and scalars in the wrong place
		{name: "run-uses", refused: true},     // both/neither run and uses, bad action refs
		{name: "job-kinds", refused: true},    // steps vs uses, runs-on, empty, bad workflow refs
		{name: "ids", refused: true},          // invalid and duplicate job and step ids
		{name: "needs-missing", refused: true},
		{name: "needs-cycle", refused: true}, // cycles of 1, 2 and 3 jobs
		{name: "triggers"},                   // filter conflicts, bad patterns, inputs, cron: all warnings
		{name: "on-list"},                    // unknown events in list form: warnings
		{name: "on-empty", refused: true},    // on without events
		{name: "syntax", refused: true},      // not YAML
		{name: "not-mapping", refused: true}, // a list at the top
		{name: "missing-on-jobs", refused: true},
		{name: "no-jobs", refused: true},
		{name: "empty", refused: true},      // only a comment
		{name: "aliases", refused: true},    // self-referencing alias, merge key
		{name: "keys", refused: true},       // complex and duplicate keys
		{name: "containers", refused: true}, // containers and services without image
		{name: "matrix-size", refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := "testdata/invalid/" + tt.name
			w, err := ParseWorkflow(base+".yml", readFile(t, base+".yml"))
			var problems plan.Errors
			switch {
			case tt.refused && (err == nil || w != nil):
				t.Fatalf("ParseWorkflow(%s) = %v, %v; want only an error", base, w, err)
			case tt.refused && !errors.As(err, &problems):
				t.Fatalf("ParseWorkflow(%s) error %T, want Errors", base, err)
			case !tt.refused && err != nil:
				t.Fatalf("ParseWorkflow(%s) error = %v, want warnings only", base, err)
			case !tt.refused:
				problems = w.Problems
			}
			if len(problems) == 0 {
				t.Fatalf("ParseWorkflow(%s) found no problem", base)
			}
			var b strings.Builder
			for _, p := range problems {
				if p.Pos.File != base+".yml" || p.Pos.Line < 1 || p.Pos.Column < 1 {
					t.Errorf("problem %q has position %+v, want file %s and line, column >= 1", p.Message, p.Pos, base+".yml")
				}
				if p.Severity != plan.SeverityError && p.Severity != plan.SeverityWarning {
					t.Errorf("problem %q has severity %q", p.Message, p.Severity)
				}
				if !tt.refused && p.IsError() {
					t.Errorf("ParseWorkflow(%s) returned the error %s with its workflow", base, p)
				}
				b.WriteString(plan.FormatProblem(p) + "\n")
			}
			golden.Check(t, base+".golden.txt", []byte(b.String()))
		})
	}
}

func TestErrorsFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		errs plan.Errors
		want string
	}{
		{
			name: "one",
			errs: plan.Errors{{Pos: plan.Position{File: "a.yml", Line: 3, Column: 5}, Message: "bad"}},
			want: "a.yml:3:5: bad",
		},
		{
			name: "several lines",
			errs: plan.Errors{
				{Pos: plan.Position{File: "a.yml", Line: 1, Column: 1}, Message: "first"},
				{Pos: plan.Position{File: "a.yml", Line: 2, Column: 7}, Message: "second"},
			},
			want: "a.yml:1:1: first\na.yml:2:7: second",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.errs.Error(), tt.want); diff != "" {
				t.Errorf("Errors.Error() (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseWorkflowInline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		wantErr string // "" means valid
		check   func(t *testing.T, w *plan.Workflow)
	}{
		{
			name: "null env value is empty text",
			yaml: "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      E:\n    steps:\n      - run: b\n",
			check: func(t *testing.T, w *plan.Workflow) {
				if diff := cmp.Diff(w.Jobs[0].Env, map[string]string{"E": ""}); diff != "" {
					t.Errorf("env (-got +want):\n%s", diff)
				}
			},
		},
		{
			name: "step index counts every step",
			yaml: "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: one\n      - uses: ./x\n      - run: three\n",
			check: func(t *testing.T, w *plan.Workflow) {
				var got []int
				for _, s := range w.Jobs[0].Steps {
					got = append(got, s.Index)
				}
				if diff := cmp.Diff(got, []int{0, 1, 2}); diff != "" {
					t.Errorf("step indexes (-got +want):\n%s", diff)
				}
			},
		},
		{
			name:    "alias bomb is bounded",
			yaml:    aliasBomb(),
			wantErr: "too large once YAML aliases are expanded",
		},
		{
			name:    "duplicate in a big mapping",
			yaml:    "on: push\nenv:\n" + manyKeys(40) + "  K7: again\njobs: {}\n",
			wantErr: "w.yml:43:3: env.K7 is already defined at line 10; remove one of them",
		},
		{
			name:    "tab indentation",
			yaml:    "on: push\n\tjobs: {}\n",
			wantErr: "w.yml:2:1: invalid YAML: found a tab character that violates indentation",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := ParseWorkflow("w.yml", []byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseWorkflow() error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWorkflow() error = %v", err)
			}
			tt.check(t, w)
		})
	}
}

// aliasBomb is a small document whose aliases expand to 10^10 nodes.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("on: push\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n")
	for i := 1; i < 10; i++ {
		ref := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "x%d: &a%d [%s]\n", i, i, strings.Repeat(ref+", ", 9)+ref)
	}
	b.WriteString("jobs: {}\n")
	return b.String()
}

// manyKeys returns n indented "Kn: v" lines.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  K%d: v\n", i)
	}
	return b.String()
}
