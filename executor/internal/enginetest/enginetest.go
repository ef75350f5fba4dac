// Package enginetest holds what the engine's tests and benchmarks in
// executor and its backends share: the plan of a repository's workflows
// (internal/testkit makes the repositories). Test-only.
package enginetest

import (
	"fmt"
	"os"
	"path/filepath"

	"codeberg.org/anvil-ci/anvil/pipeline"
)

// Plan discovers, parses and plans the workflows of repo for ev, naming
// each workflow by its path relative to repo.
func Plan(repo string, ev pipeline.Event) (*pipeline.Plan, error) {
	files, err := pipeline.Discover(repo, "")
	if err != nil {
		return nil, fmt.Errorf("discovering workflows: %w", err)
	}
	var wfs []*pipeline.Workflow
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
	plan, err := pipeline.NewPlan(wfs, ev)
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	return plan, nil
}
