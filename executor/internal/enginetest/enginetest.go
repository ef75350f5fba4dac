// Package enginetest holds what the engine's tests and benchmarks in
// executor and its backends share: the plan of a repository's workflows
// (internal/testkit makes the repositories), and pipeline's parser and
// Loader, so that those tests need not import pipeline (the executor
// itself imports plan types only). Test-only.
package enginetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Plan discovers, parses and plans the workflows of repo for ev, naming
// each workflow by its path relative to repo.
func Plan(repo string, ev plan.Event) (*plan.Plan, error) {
	files, err := pipeline.Discover(repo, "")
	if err != nil {
		return nil, fmt.Errorf("discovering workflows: %w", err)
	}
	var wfs []*plan.Workflow
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading workflow: %w", err)
		}
		rel, err := filepath.Rel(repo, f)
		if err != nil {
			return nil, fmt.Errorf("naming workflow %s: %w", f, err)
		}
		wf, err := pipeline.ParseWorkflow(rel, data)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", rel, err)
		}
		wfs = append(wfs, wf)
	}
	p, err := plan.New(wfs, ev)
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	return p, nil
}

// Loader is what the engine's tests give executor.Config.Loader: pipeline's,
// which reads and parses action.yml files and reusable workflows.
func Loader() pipeline.Loader { return pipeline.Loader{} }

// PushPlan parses text as the workflow file name and plans it for a push
// to main, failing tb on error.
func PushPlan(tb testing.TB, name string, text []byte) *plan.Plan {
	tb.Helper()
	wf, err := pipeline.ParseWorkflow(name, text)
	if err != nil {
		tb.Fatalf("ParseWorkflow(%s): %v", name, err)
	}
	p, err := plan.New([]*plan.Workflow{wf}, plan.Event{Name: "push", Ref: "refs/heads/main"})
	if err != nil {
		tb.Fatalf("planning %s: %v", name, err)
	}
	return p
}
