package cmd

import (
	"github.com/spf13/cobra"
)

const execLong = `Run the workflows an event triggers in a local repository, on this machine.

EVENT is the event to simulate (default push): push, pull_request,
workflow_dispatch, or any other event name the workflows listen to. The
github context comes from the repository's git state: ref from the checked
out branch, sha from HEAD, repository from the origin remote. Give -e to use
a real event payload instead of the synthesized one.

Workflows come from .forgejo/workflows, .gitea/workflows or
.github/workflows under -C (or from -W). Every job runs directly on this
host; with -P only jobs with a runs-on label you mapped run, and the others
are skipped with a warning naming the -P flag that would run them, as in
act. -a sets github.actor (default: git's user.name).

Workflows are checked first, as anvil lint does: a workflow with an error
runs nothing, and each of its jobs fails at once with every problem in its
log as file:line:col: message [rule]; the other workflows still run.
Warnings are shown in the log of each job of their workflow, which runs.

Exit status: 0 when every job succeeded or was skipped, 1 when a job failed
or was cancelled or a workflow has errors, 2 for bad flags. Ctrl-C cancels the
run: cancelled() and always() steps and post steps still run. A second
Ctrl-C stops those too and kills every process of the run; a third exits at
once (status 130).`

const execExample = `  # Run what a push of the current branch would run
  anvil exec

  # List the jobs of a pull_request, then run only "test"
  anvil exec pull_request -l
  anvil exec pull_request -j test

  # Another repository, secrets and variables, JSON events for tools
  anvil exec -C ../app -s TOKEN=abc -s HOME_TOKEN --var ENV=staging --json

  # A manual run with inputs, keeping job directories for inspection
  anvil exec workflow_dispatch --input level=debug --workdir /tmp/anvil-jobs

  # Only run jobs with runs-on: ubuntu-latest, on this host, as octocat
  anvil exec -P ubuntu-latest=host -a octocat`

// newExecCommand returns anvil exec.
func newExecCommand(proc Process) *cobra.Command {
	opts := &execOptions{}
	c := &cobra.Command{
		Use:     "exec [EVENT]",
		Short:   "Run a repository's workflows for an event, on this machine",
		Long:    execLong,
		Example: execExample,
		Args:    rangeArgs(0, 1),
		RunE: func(c *cobra.Command, args []string) error {
			proc.tuneShortLived()
			event := "push"
			if len(args) == 1 {
				event = args[0]
			}
			return runExec(c.Context(), proc, opts, event)
		},
	}
	opts.bind(c.Flags())
	c.Flags().SortFlags = false
	return c
}
