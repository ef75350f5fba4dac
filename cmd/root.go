package cmd

import (
	"github.com/spf13/cobra"
)

const rootLong = `Anvil runs GitHub-Actions-style workflows (the syntax Forgejo and Gitea use)
with its own engine: on this machine with "anvil exec", and as a
Forgejo/Gitea runner with "anvil register" and "anvil daemon".

Workflows are read from .forgejo/workflows, .gitea/workflows or
.github/workflows of the repository and linted before they run. Jobs run on
this host, or in containers when their runs-on label maps to a
docker://IMAGE. Remote actions and reusable workflows are fetched into a
cache keyed by commit, so they also work offline. Anvil ships deployment
actions (Terraform, GitOps promotion, Argo CD) that run as "anvil action"
subcommands inside jobs.`

const rootExample = `  # See what Anvil does, on a small embedded demo repository
  anvil demo

  # Run the push workflows of the repository in the current directory
  anvil exec

  # List the jobs a pull_request would run, then run one of them
  anvil exec pull_request -l
  anvil exec pull_request -j test -s TOKEN=abc`

// NewRoot returns the anvil command with its subcommands.
func NewRoot(proc Process) *cobra.Command {
	root := &cobra.Command{
		Use:           "anvil",
		Short:         "Run Forgejo/GitHub Actions workflows locally and as a runner",
		Long:          rootLong,
		Example:       rootExample,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetOut(proc.Stdout)
	root.SetErr(proc.Stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%w (see %s --help)", err, c.CommandPath())
	})
	root.AddCommand(
		newExecCommand(proc),
		newLintCommand(proc),
		newDemoCommand(proc),
		newVersionCommand(proc),
		newActionCommand(proc),
		newRegisterCommand(proc),
		newDaemonCommand(proc),
		newGenerateConfigCommand(proc),
		newCacheServerCommand(proc),
		newPolicyCommand(proc),
		newCreateRunnerFileCommand(proc),
		newFleetCommand(proc),
		newDrainCommand(proc),
	)
	return root
}

// rangeArgs is cobra.RangeArgs returning a usage error.
func rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.RangeArgs(lo, hi)(c, args); err != nil {
			return usageErrorf("%w (see %s --help)", err, c.CommandPath())
		}
		return nil
	}
}
