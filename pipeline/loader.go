package pipeline

import (
	"fmt"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Loader reads and parses, with ReadFile, ParseAction and ParseWorkflow,
// the action.yml files and reusable workflows a job refers to at run time.
// cmd and runner give it to the executor (executor.Config.Loader), which
// imports plan types only and never reads or parses these files itself.
type Loader struct{}

// LoadAction reads and parses the action.yml (or action.yaml) at file.
// When there is no such file, the error wraps fs.ErrNotExist.
func (Loader) LoadAction(file string) (*plan.Action, error) {
	data, err := ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading action: %w", err)
	}
	return ParseAction(file, data)
}

// LoadWorkflow reads and parses the reusable workflow at file; name is the
// file name its positions and errors use.
func (Loader) LoadWorkflow(file, name string) (*plan.Workflow, error) {
	data, err := ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading reusable workflow: %w", err)
	}
	return ParseWorkflow(name, data)
}
