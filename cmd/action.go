package cmd

import (
	"github.com/spf13/cobra"
)

const actionLong = `Run the logic of an action Anvil ships (actions/NAME in the Anvil
repository). Each shipped action is a thin composite action.yml whose step
runs "anvil action NAME"; the runner puts anvil on every job's PATH.

Inputs come from the flag of the input's name, or else from the
environment: INPUT_<NAME> with the name in upper case and "-" written as
"_" (INPUT_WORKING_DIRECTORY), or with "-" kept as GitHub passes inputs to
JavaScript actions (INPUT_WORKING-DIRECTORY). Outputs go to $GITHUB_OUTPUT, a Markdown
report to $GITHUB_STEP_SUMMARY; secrets are registered with ::add-mask::
before anything else is printed. Outside a job the outputs are printed.

Exit status: 0 on success, 1 when the action fails (failure-reason says
why), 2 for bad inputs.`

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
