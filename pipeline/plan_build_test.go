package pipeline

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// planWorkflows parses the workflows of testdata/plan in file order.
func planWorkflows(t *testing.T) []*plan.Workflow {
	t.Helper()
	var ws []*plan.Workflow
	for _, name := range []string{"ci", "docs", "release"} {
		ws = append(ws, parseFile(t, "testdata/plan/"+name+".yml"))
	}
	return ws
}

// planSummary lists "file: job job ..." per workflow, for compact checks.
func planSummary(p *plan.Plan) []string {
	var out []string
	for _, w := range p.Workflows {
		line := w.File + ":"
		for _, j := range w.Jobs {
			line += " " + j.ID
		}
		out = append(out, line)
	}
	return out
}

func TestNewPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string // golden testdata/plan/<name>.golden.json
		ev   plan.Event
	}{
		{name: "push-branch", ev: plan.Event{Name: "push", Ref: "refs/heads/main"}},
		{name: "push-tag", ev: plan.Event{Name: "push", Ref: "refs/tags/v1.0.0"}},
		{name: "pull-request-docs", ev: plan.Event{Name: "pull_request", BaseRef: "main",
			ChangedFiles: []string{"docs/index.md"}, ChangedFilesKnown: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := plan.New(planWorkflows(t), tt.ev)
			if err != nil {
				t.Fatalf("New(%+v) error: %v", tt.ev, err)
			}
			golden.Check(t, "testdata/plan/"+tt.name+".golden.json", toJSON(t, p))
		})
	}
}

func TestNewPlanNotTriggered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		workflows func(t *testing.T) []*plan.Workflow
		ev        plan.Event
		want      string
	}{
		{
			name:      "no workflow matches",
			workflows: planWorkflows,
			ev:        plan.Event{Name: "pull_request", ChangedFiles: []string{"main.go"}, ChangedFilesKnown: true},
			want: "no workflow is triggered by pull_request:\n" +
				"  testdata/plan/ci.yml: not triggered by pull_request (on: push)\n" +
				"  testdata/plan/docs.yml: no changed file matches on.pull_request.paths [docs/**]\n" +
				"  testdata/plan/release.yml: not triggered by pull_request (on: push)",
		},
		{
			name:      "no workflows",
			workflows: func(*testing.T) []*plan.Workflow { return nil },
			ev:        plan.Event{Name: "push"},
			want:      "no workflow is triggered by push: there are no workflows",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := plan.New(tt.workflows(t), tt.ev)
			if !errors.Is(err, plan.ErrNotTriggered) {
				t.Fatalf("New() = %v, %v; want an error wrapping ErrNotTriggered", got, err)
			}
			if diff := cmp.Diff(err.Error(), tt.want); diff != "" {
				t.Errorf("New() error (-got +want):\n%s", diff)
			}
		})
	}
}

func TestPlanSelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ev      plan.Event
		job     string
		want    []string
		wantErr string
	}{
		{
			name: "job and its needs, in needs order",
			ev:   plan.Event{Name: "push", Ref: "refs/heads/main"},
			job:  "deploy",
			want: []string{"testdata/plan/ci.yml: lint build test deploy"},
		},
		{
			name: "job without needs",
			ev:   plan.Event{Name: "push", Ref: "refs/heads/main"},
			job:  "docs",
			want: []string{"testdata/plan/ci.yml: docs"},
		},
		{
			name: "same id in two workflows",
			ev:   plan.Event{Name: "push", Ref: "refs/tags/v1"},
			job:  "build",
			want: []string{"testdata/plan/ci.yml: build", "testdata/plan/release.yml: build"},
		},
		{
			name:    "missing job",
			ev:      plan.Event{Name: "push", Ref: "refs/heads/main"},
			job:     "publish",
			wantErr: `selecting job "publish": no such job in the triggered workflows; choose one of: build, deploy, docs, lint, test`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := plan.New(planWorkflows(t), tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			before := planSummary(p)
			sel, err := p.Select(tt.job)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Select(%q) error = %v, want %q", tt.job, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Select(%q) error: %v", tt.job, err)
			}
			if diff := cmp.Diff(planSummary(sel), tt.want); diff != "" {
				t.Errorf("Select(%q) (-got +want):\n%s", tt.job, diff)
			}
			if diff := cmp.Diff(planSummary(p), before); diff != "" {
				t.Errorf("Select(%q) changed its receiver (-got +want):\n%s", tt.job, diff)
			}
		})
	}
}
