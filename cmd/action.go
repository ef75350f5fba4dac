package cmd

import (
	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

const actionLong = `Run the logic of an action Anvil ships (actions/NAME in the Anvil
repository, each with a README). Each shipped action is a thin composite
action.yml whose step runs "anvil action NAME"; the runner puts anvil on
every job's PATH.

Inputs come from the flag of the input's name, or else from the
environment: INPUT_<NAME> with the name in upper case and "-" written as
"_" (INPUT_WORKING_DIRECTORY), or with "-" kept as GitHub passes inputs to
JavaScript actions (INPUT_WORKING-DIRECTORY). Every action reads them the
same way: booleans are true/false, yes/no or 1/0 in any case; durations
are Go durations (90s, 5m) or whole seconds (90), and must be positive
(0 is refused); lists take one item per line or comma-separated items
(NAME=VALUE lists such as Terraform variables split on lines only).

Outputs go to $GITHUB_OUTPUT, a Markdown report to $GITHUB_STEP_SUMMARY;
secrets are registered with ::add-mask:: before anything else is printed.
Outside a job the outputs are printed.

Exit status: 0 on success, 1 when the action fails, 2 for bad inputs.`

// newActionCommand returns anvil action, the group of the shipped
// actions' subcommands.
func newActionCommand(proc Process) *cobra.Command {
	c := &cobra.Command{
		Use:   "action",
		Short: "Run a shipped action's logic (used by actions/*/action.yml inside jobs)",
		Long:  actionLong,
		Args:  cobra.NoArgs,
	}
	c.AddCommand(
		newTerraformPlanCommand(proc),
		newTerraformApplyCommand(proc),
		newTerraformDriftCommand(proc),
		newGitopsPromoteCommand(proc),
		newArgocdSyncCommand(proc),
		newArgocdWaitCommand(proc),
	)
	return c
}

// bindInputs adds a string flag per input to c and returns what reads
// the inputs when the command runs: the flags given, else INPUT_*.
func bindInputs(proc Process, c *cobra.Command, inputs []step.Input) func() *step.Inputs {
	for _, in := range inputs {
		c.Flags().String(in.Name, "", in.Usage)
	}
	c.Flags().SortFlags = false
	flag := func(name string) (string, bool) {
		if f := c.Flags().Lookup(name); f != nil && f.Changed {
			return f.Value.String(), true
		}
		return "", false
	}
	return func() *step.Inputs { return step.NewInputs(flag, proc.lookupEnv) }
}

// stepRuntime is the step's side of the runner protocol.
func stepRuntime(proc Process) *step.Runtime {
	return step.NewRuntime(proc.Stdout, proc.lookupEnv)
}

// reportedExit returns the exit error for err, which the step already
// reported as ::error::; nil stays nil.
func reportedExit(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err, reported: true}
}
