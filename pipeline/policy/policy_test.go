package policy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// TestParseErrors checks that every bad policy is refused with a message
// naming the file, line and rule and saying what is wrong.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // substrings of the error
	}{
		{"empty", "", []string{"p.yaml", "empty"}},
		{"not a mapping", "- a", []string{"p.yaml:1", "mapping"}},
		{"unknown key", "rulez: []", []string{"p.yaml:1", `unknown key "rulez"`}},
		{"no rules", "params: {}", []string{"no rules"}},
		{"unknown rule key", "rules:\n  - name: a\n    expression: 'true'\n    message: m\n    mod: warn", []string{"p.yaml:5", `unknown rule key "mod"`}},
		{"no name", "rules:\n  - expression: 'true'\n    message: m", []string{"p.yaml:2", "no name"}},
		{"duplicate", "rules:\n  - {name: a, expression: 'true', message: m}\n  - {name: a, expression: 'true', message: m}", []string{"p.yaml:3", `rule "a"`, "unique"}},
		{"no expression", "rules:\n  - {name: a, message: m}", []string{`rule "a" has no expression`}},
		{"no message", "rules:\n  - {name: a, expression: 'true'}", []string{`rule "a" has no message`}},
		{"bad mode", "rules:\n  - {name: a, expression: 'true', message: m, mode: block}", []string{`mode "block" must be deny or warn`}},
		{"syntax", "rules:\n  - name: a\n    message: m\n    expression: job.images.filter(", []string{"p.yaml:4", `rule "a"`, "expression", "Syntax error"}},
		{"unknown field", "rules:\n  - name: imgs\n    message: m\n    expression: job.imagez.size() == 0", []string{"p.yaml:4", `rule "imgs"`, "undefined field 'imagez'"}},
		{"wrong type", "rules:\n  - name: a\n    message: m\n    expression: job.id", []string{`rule "a"`, "gives a string", "bool"}},
		{"bad params", "params: [1]\nrules:\n  - {name: a, expression: 'true', message: m}", []string{"p.yaml:1", "params must be a mapping"}},
		{"test of unknown rule", "rules:\n  - {name: a, expression: 'true', message: m}\ntests:\n  - {name: t, input: {}, expect: {deny: [b]}}", []string{"p.yaml:4", `test "t" expects rule "b"`}},
		{"test with a misspelt input", "rules:\n  - {name: a, expression: 'true', message: m}\ntests:\n  - {name: t, input: {job: {imagez: []}}}", []string{"p.yaml:4", `test "t": input`, "imagez"}},
		{"test with an unknown key", "rules:\n  - {name: a, expression: 'true', message: m}\ntests:\n  - {name: t, inputs: {}}", []string{"p.yaml:4", "inputs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("Parse accepted the policy")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestEvaluate checks each kind of rule result and how it decides.
func TestEvaluate(t *testing.T) {
	t.Parallel()
	p, err := Parse("p.yaml", []byte(`
params:
  max: 60
  owners: [actions]
rules:
  - name: bool-ok
    expression: job.timeout_minutes <= params.max
    message: too long
  - name: bool-broken-warn
    expression: task.ref_protected
    message: unprotected
    mode: warn
  - name: list
    expression: job.images.filter(i, imageTag(i) == 'latest')
    message: latest
  - name: list-of-actions
    expression: job.uses.filter(u, !(u.owner in params.owners))
    message: owners
  - name: runtime-error
    expression: params.missing == 1
    message: fails closed
  - name: many
    expression: job.runs_on
    message: many
`))
	if err != nil {
		t.Fatal(err)
	}
	labels := make([]string, 12)
	for i := range labels {
		labels[i] = string(rune('a' + i))
	}
	in := &Input{Job: Job{TimeoutMinutes: 30, Images: []string{"a:1", "b:latest"}, RunsOn: labels,
		Uses: []Uses{{Uses: "actions/x@v1", Owner: "actions"}, {Uses: "evil/y@v1", Owner: "evil"}}}}
	got := p.Evaluate(in)
	want := []Decision{
		{Rule: "bool-ok", Mode: ModeDeny, Outcome: OutcomeAllow},
		{Rule: "bool-broken-warn", Mode: ModeWarn, Outcome: OutcomeWarn, Message: "unprotected"},
		{Rule: "list", Mode: ModeDeny, Outcome: OutcomeDeny, Message: "latest", Values: []string{"b:latest"}},
		{Rule: "list-of-actions", Mode: ModeDeny, Outcome: OutcomeDeny, Message: "owners", Values: []string{"evil/y@v1"}},
		{Rule: "runtime-error", Mode: ModeDeny, Outcome: OutcomeDeny, Message: "fails closed", Error: "no such key: missing"},
		{Rule: "many", Mode: ModeDeny, Outcome: OutcomeDeny, Message: "many", Values: append(labels[:10:10], "and 2 more")},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Evaluate (-got +want):\n%s", diff)
	}
	lines := map[string]string{
		"bool-ok":          `policy rule "bool-ok" allows this job`,
		"bool-broken-warn": `policy rule "bool-broken-warn" warns: unprotected`,
		"list":             `policy rule "list" denies this job: latest (value: "b:latest")`,
		"runtime-error":    `policy rule "runtime-error" denies this job: fails closed (the rule could not be evaluated: no such key: missing)`,
	}
	for _, d := range got {
		if w, ok := lines[d.Rule]; ok && d.Line() != w {
			t.Errorf("Line() = %q, want %q", d.Line(), w)
		}
	}
}

// TestLoadDirectory loads a directory of files and checks that rule
// names must be unique across it and that each file's tests see only
// its own rules.
func TestLoadDirectory(t *testing.T) {
	t.Parallel()
	p, err := Load(shippedDir)
	if err != nil {
		t.Fatalf("Load(%s): %v", shippedDir, err)
	}
	if n := len(p.Rules()); n != 9 {
		t.Errorf("rules = %v, want the 9 shipped ones", p.Rules())
	}
	for _, r := range p.RunTests() {
		if !r.Passed() {
			t.Errorf("test %q failed in the directory: %v", r.Test.Name, r.Failures)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"a.yaml", "b.yml"} {
		writeFile(t, dir+"/"+name, "rules:\n  - {name: same, expression: 'true', message: m}\n")
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), `rule "same" is also defined in`) {
		t.Errorf("Load of duplicate rules = %v, want an error naming the rule", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no .yaml files") {
		t.Errorf("Load of an empty directory = %v", err)
	}
}

// fakeCommits resolves references from a map and counts the calls.
type fakeCommits struct {
	mu    sync.Mutex
	calls map[string]int
	shas  map[string]string
}

func (f *fakeCommits) Commit(_ context.Context, uses string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[uses]++
	if sha, ok := f.shas[uses]; ok {
		return sha, nil
	}
	return "", errors.New("not found")
}

// TestGate checks the hook the engine calls: commits filled in once per
// reference, decisions recorded, deny as an error problem and warn as a
// warning, allow as nothing.
func TestGate(t *testing.T) {
	t.Parallel()
	p, err := Parse("p.yaml", []byte(`
rules:
  - {name: pinned, expression: "job.uses.filter(u, u.sha == '').map(u, u.uses)", message: resolve everything}
  - {name: labels, expression: "'self-hosted' in job.runs_on", message: add self-hosted, mode: warn}
  - {name: fine, expression: "true", message: never}
`))
	if err != nil {
		t.Fatal(err)
	}
	commits := &fakeCommits{calls: map[string]int{}, shas: map[string]string{"actions/checkout@v4": pin}}
	var recorded []string
	var mu sync.Mutex
	g := &Gate{Policy: p, Task: Task{Repository: "acme/app"}, Commits: commits,
		Record: func(wf, key string, in *Input, ds []Decision) {
			mu.Lock()
			defer mu.Unlock()
			recorded = append(recorded, wf+"/"+key+":"+in.Job.Uses[0].SHA+":"+string(ds[0].Outcome))
		}}
	wf := &plan.Workflow{File: "ci.yml"}
	job := &plan.Job{ID: "a", RunsOn: []string{"x"}, Steps: []*plan.Step{
		{Index: 0, Uses: "actions/checkout@v4"}, {Index: 1, Uses: "evil/x@main"}}}
	probs := g.Admit(t.Context(), wf, job, "a (1)")
	g.Admit(t.Context(), wf, job, "a (2)")
	want := []plan.Problem{
		{Pos: plan.Position{File: "ci.yml"}, Severity: plan.SeverityError,
			Message: `policy rule "pinned" denies this job: resolve everything (value: "evil/x@main")`},
		{Pos: plan.Position{File: "ci.yml"}, Severity: plan.SeverityWarning,
			Message: `policy rule "labels" warns: add self-hosted`},
	}
	if diff := cmp.Diff(probs, want); diff != "" {
		t.Errorf("Admit (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(recorded, []string{"ci.yml/a (1):" + pin + ":deny", "ci.yml/a (2):" + pin + ":deny"}); diff != "" {
		t.Errorf("recorded (-got +want):\n%s", diff)
	}
	if commits.calls["actions/checkout@v4"] != 1 || commits.calls["evil/x@main"] != 2 {
		t.Errorf("Commit calls = %v, want one per resolved reference (failures are asked again)", commits.calls)
	}
	// Without a policy the gate only records.
	g = &Gate{Record: func(string, string, *Input, []Decision) { recorded = append(recorded, "only") }}
	if probs := g.Admit(t.Context(), wf, job, "a"); probs != nil || recorded[len(recorded)-1] != "only" {
		t.Errorf("Admit without a policy = %v, recorded %v", probs, recorded)
	}
}

func TestTaskFromGithub(t *testing.T) {
	t.Parallel()
	gh := map[string]any{"repository": "a/b", "ref": "refs/heads/main", "ref_protected": "true", "sha": "s",
		"event_name": "push", "actor": "me", "server_url": "https://f.example/", "forgejo_default_actions_url": "https://code.forgejo.org/"}
	want := Task{Repository: "a/b", Ref: "refs/heads/main", RefProtected: true, SHA: "s", Event: "push", Actor: "me",
		Workflow: "ci.yml", ServerURL: "https://f.example", DefaultActionsURL: "https://code.forgejo.org"}
	if got := TaskFromGithub(gh, "ci.yml"); got != want {
		t.Errorf("TaskFromGithub = %+v, want %+v", got, want)
	}
}
