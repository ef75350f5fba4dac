package terraform

import (
	"io"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

// Runtime is the step's side of the runner protocol (see package step).
type Runtime = step.Runtime

// Output is one step output.
type Output = step.Output

// NewAction returns the Action of one step: its runtime, and the Tool
// that runs run.Binary with env, Terraform's stderr going to stderr.
func NewAction(rt *Runtime, run RunOptions, env []string, stderr io.Writer) *Action {
	return &Action{Runtime: rt, Tool: NewTool(ToolConfig{Binary: run.Binary, Env: env, Stderr: stderr})}
}
