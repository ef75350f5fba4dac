package pipeline

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

// planWorkflows parses the workflows of testdata/plan in file order.
func planWorkflows(t *testing.T) []*Workflow {
	t.Helper()
	var ws []*Workflow
	for _, name := range []string{"ci", "docs", "release"} {
		ws = append(ws, parseFile(t, "testdata/plan/"+name+".yml"))
	}
	return ws
}

// planSummary lists "file: job job ..." per workflow, for compact checks.
func planSummary(p *Plan) []string {
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
		ev   Event
	}{
		{name: "push-branch", ev: Event{Name: "push", Ref: "refs/heads/main"}},
		{name: "push-tag", ev: Event{Name: "push", Ref: "refs/tags/v1.0.0"}},
		{name: "pull-request-docs", ev: Event{Name: "pull_request", BaseRef: "main",
			ChangedFiles: []string{"docs/index.md"}, ChangedFilesKnown: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan, err := NewPlan(planWorkflows(t), tt.ev)
			if err != nil {
				t.Fatalf("NewPlan(%+v) error: %v", tt.ev, err)
			}
			golden.Check(t, "testdata/plan/"+tt.name+".golden.json", toJSON(t, plan))
		})
	}
}

func TestNewPlanNotTriggered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		workflows func(t *testing.T) []*Workflow
		ev        Event
		want      string
	}{
		{
			name:      "no workflow matches",
			workflows: planWorkflows,
			ev:        Event{Name: "pull_request", ChangedFiles: []string{"main.go"}, ChangedFilesKnown: true},
			want: "no workflow is triggered by pull_request:\n" +
				"  testdata/plan/ci.yml: not triggered by pull_request (on: push)\n" +
				"  testdata/plan/docs.yml: no changed file matches on.pull_request.paths [docs/**]\n" +
				"  testdata/plan/release.yml: not triggered by pull_request (on: push)",
		},
		{
			name:      "no workflows",
			workflows: func(*testing.T) []*Workflow { return nil },
			ev:        Event{Name: "push"},
			want:      "no workflow is triggered by push: there are no workflows",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan, err := NewPlan(tt.workflows(t), tt.ev)
			if !errors.Is(err, ErrNotTriggered) {
				t.Fatalf("NewPlan() = %v, %v; want an error wrapping ErrNotTriggered", plan, err)
			}
			if diff := cmp.Diff(err.Error(), tt.want); diff != "" {
				t.Errorf("NewPlan() error (-got +want):\n%s", diff)
			}
		})
	}
}

func TestPlanSelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ev      Event
		job     string
		want    []string
		wantErr string
	}{
		{
			name: "job and its needs, in needs order",
			ev:   Event{Name: "push", Ref: "refs/heads/main"},
			job:  "deploy",
			want: []string{"testdata/plan/ci.yml: lint build test deploy"},
		},
		{
			name: "job without needs",
			ev:   Event{Name: "push", Ref: "refs/heads/main"},
			job:  "docs",
			want: []string{"testdata/plan/ci.yml: docs"},
		},
		{
			name: "same id in two workflows",
			ev:   Event{Name: "push", Ref: "refs/tags/v1"},
			job:  "build",
			want: []string{"testdata/plan/ci.yml: build", "testdata/plan/release.yml: build"},
		},
		{
			name:    "missing job",
			ev:      Event{Name: "push", Ref: "refs/heads/main"},
			job:     "publish",
			wantErr: `selecting job "publish": no such job in the triggered workflows; choose one of: build, deploy, docs, lint, test`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan, err := NewPlan(planWorkflows(t), tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			before := planSummary(plan)
			sel, err := plan.Select(tt.job)
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
			if diff := cmp.Diff(planSummary(plan), before); diff != "" {
				t.Errorf("Select(%q) changed its receiver (-got +want):\n%s", tt.job, diff)
			}
		})
	}
}

func TestNewPlanOrdersBuiltWorkflows(t *testing.T) {
	t.Parallel()
	job := func(id string, needs ...string) *Job { return &Job{ID: id, Needs: needs} }
	tests := []struct {
		name    string
		jobs    []*Job
		want    []string
		wantErr string
	}{
		{
			name: "already ordered",
			jobs: []*Job{job("a"), job("b", "a")},
			want: []string{"w.yml: a b"},
		},
		{
			name: "reordered stably",
			jobs: []*Job{job("c", "b"), job("x"), job("b", "a"), job("a")},
			want: []string{"w.yml: x a b c"},
		},
		{
			name:    "cycle",
			jobs:    []*Job{job("a", "b"), job("b", "a")},
			wantErr: "ordering jobs of w.yml: their needs form a cycle; fix the workflow",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := &Workflow{File: "w.yml", On: map[string]*Trigger{"push": {}}, Jobs: tt.jobs}
			plan, err := NewPlan([]*Workflow{w}, Event{Name: "push"})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("NewPlan() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewPlan() error: %v", err)
			}
			if diff := cmp.Diff(planSummary(plan), tt.want); diff != "" {
				t.Errorf("NewPlan() (-got +want):\n%s", diff)
			}
		})
	}
}
