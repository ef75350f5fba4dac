package terraform

import "codeberg.org/anvil-ci/anvil/actions/step"

// Runtime is the step's side of the runner protocol (see package step).
type Runtime = step.Runtime

// Output is one step output.
type Output = step.Output
