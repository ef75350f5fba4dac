package lint

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// TestFindingsPointAtTheirText checks that findings about expressions
// point at the expression as written, also after forgejo and gitea were
// rewritten on the same line and inside literal blocks (run: |).
func TestFindingsPointAtTheirText(t *testing.T) {
	t.Parallel()
	file := filepath.Join(lintData, "forgejo-positions.yml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	want := map[string]string{ // finding's first quoted name -> text at its position
		`"nope"`:                             "forgejo.nope",
		`"bad_field"`:                        "forgejo.bad_field",
		`"nope2"`:                            "github.nope2",
		`"unknown"`:                          "gitea.unknown",
		`"forgejo.event.pull_request.title"`: "forgejo.event.pull_request.title",
		`"go-versio"`:                        "go-versio:",
	}
	findings := New(Options{}).Check("forgejo-positions.yml", data)
	if len(findings) != len(want) {
		t.Errorf("Check() found %d problems, want %d: %v", len(findings), len(want), findings)
	}
	for _, f := range findings {
		names := quotedNames(f.Message)
		if len(names) == 0 {
			t.Errorf("finding %s names nothing", f)
			continue
		}
		line := lines[f.Pos.Line-1]
		at := line[min(f.Pos.Column-1, len(line)):]
		if w := want[names[0]]; !strings.HasPrefix(at, w) {
			t.Errorf("finding %s points at %q, want the text %q", f, at, w)
		}
	}
}

// TestOptions checks what each option turns on and off.
func TestOptions(t *testing.T) {
	t.Parallel()
	const workflow = `on: pull_request
jobs:
  build:
    runs-on: [docker, gpu]
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ vars.MISSING }}
`
	tests := []struct {
		name string
		opts Options
		want []string // rules of the problems, in order
	}{
		{name: "zero options: no label or vars checks, no warnings", opts: Options{}, want: nil},
		{name: "warnings", opts: Options{Warnings: true}, want: []string{"expression"}},
		{name: "labels", opts: Options{Labels: []string{"docker:docker://node:20"}, Warnings: true}, want: []string{"runner-label", "expression"}},
		{name: "all labels known", opts: Options{Labels: []string{"docker", "gpu:host"}, Warnings: true}, want: []string{"expression"}},
		{name: "no labels at all", opts: Options{Labels: []string{}, Warnings: true}, want: []string{"runner-label", "runner-label", "expression"}},
		{name: "config vars", opts: Options{ConfigVars: []string{"OTHER"}, Warnings: true}, want: []string{"expression", "expression"}},
		{name: "config vars known", opts: Options{ConfigVars: []string{"MISSING"}, Warnings: true}, want: []string{"expression"}},
		{name: "labels and vars are warnings", opts: Options{Labels: []string{}, ConfigVars: []string{"OTHER"}}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var rules []string
			for _, p := range Workflow("w.yml", []byte(workflow), tt.opts) {
				_, rule, _ := strings.Cut(p.Message, " [")
				rules = append(rules, strings.TrimSuffix(rule, "]"))
				if !strings.HasPrefix(p.String(), "w.yml:") {
					t.Errorf("problem %q does not start with the file name", p)
				}
			}
			if diff := cmp.Diff(rules, tt.want); diff != "" {
				t.Errorf("Workflow(%+v) rules differ (-got +want):\n%s", tt.opts, diff)
			}
		})
	}
}

// TestTask checks a forge task's workflow: one job whose needs ran
// before it, outside the file; the forge may also have removed the needs:
// key, so that needs.<job> of any job is no problem.
func TestTask(t *testing.T) {
	t.Parallel()
	const payload = `on: push
jobs:
  deploy:
    needs: [build, Test]
    runs-on: docker
    steps:
      - run: echo "${{ needs.build.outputs.version }} ${{ needs.test.result }}"
      - run: echo "${{ needs.lint.result }}"
`
	tests := []struct {
		name string
		opts Options
		want []string // messages, cut at " is not" or ", which"
	}{
		{name: "a workflow file", opts: Options{Warnings: true}, want: []string{
			`job "deploy" needs "build"`, `job "deploy" needs "Test"`, `property "build"`, `property "lint"`}},
		{name: "a workflow file, errors only", opts: Options{}, want: []string{
			`job "deploy" needs "build"`, `job "deploy" needs "Test"`}},
		{name: "a task", opts: Options{Task: true, Warnings: true}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, p := range Workflow("task.yml", []byte(payload), tt.opts) {
				msg, _, _ := strings.Cut(p.Message, ", which")
				msg, _, _ = strings.Cut(msg, " is not")
				got = append(got, msg)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Workflow(%+v) differs (-got +want):\n%s", tt.opts, diff)
			}
		})
	}
}

// knownFailures are deliberate problems in the engine's scenarios: a
// scenario that checks how a failing expression fails its step.
var knownFailures = map[string]bool{
	"conditions/repo/.forgejo/workflows/ci.yml:28:32": true,
}

// TestRunnableWorkflowsPass lints every workflow the engine's scenarios
// and the demo run successfully: lint must not reject what anvil runs
// (warnings are allowed).
func TestRunnableWorkflowsPass(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../testdata/scenarios/*/repo/.forgejo/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario workflows: %v", err)
	}
	files = append(files, "../../demo/repo/.forgejo/workflows/demo.yml", "../testdata/bench/six-jobs.yml")
	l := New(Options{})
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(file, "../../testdata/scenarios/")
		for _, f := range l.Check(name, data) {
			key := strings.Join(strings.SplitN(f.String(), ":", 4)[:3], ":")
			if f.IsError() && !knownFailures[key] {
				t.Errorf("Check() rejects a workflow anvil runs: %s", f)
			}
		}
	}
}

// TestParserProblemsKept checks that every problem anvil's parser reports
// is among the findings: merging with actionlint never loses one.
func TestParserProblemsKept(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../testdata/*/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no pipeline test workflows: %v", err)
	}
	l := New(Options{Labels: goldenLabels})
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, perr := pipeline.ParseWorkflow(file, data)
		wf, findings := l.Parse(file, data)
		if (wf == nil) != (perr != nil) {
			t.Errorf("Parse(%s) workflow = %v, but ParseWorkflow's error is %v", file, wf, perr)
		}
		var problems plan.Errors
		if perr != nil && !errors.As(perr, &problems) {
			t.Fatalf("ParseWorkflow(%s) error %v is not plan.Errors", file, perr)
		}
		for _, p := range problems {
			if !slices.ContainsFunc(findings, func(f Finding) bool {
				return f.Rule == RuleAnvil && f.Pos == p.Pos && f.Message == p.Message
			}) {
				t.Errorf("Check(%s) lost the parser's problem %s", file, p)
			}
		}
	}
}

// TestConcurrentUse shares one Linter between goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(lintData, "forgejo-positions.yml"))
	if err != nil {
		t.Fatal(err)
	}
	l := New(Options{Labels: goldenLabels})
	want := l.Check("f.yml", data)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := l.Check("f.yml", data); !cmp.Equal(got, want) {
				t.Errorf("concurrent Check() = %v, want %v", got, want)
			}
		})
	}
	wg.Wait()
}
