package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/console"
	"codeberg.org/anvil-ci/anvil/localrun"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

const policyTestLong = `Check a policy offline: run the tests blocks of its files, then plan the
workflows an event triggers (as anvil exec would, without running
anything) and print every rule's decision on every job.

A matrix written out is expanded, and runs-on, containers and
timeout-minutes are evaluated with the github context and the matrix;
what needs a run (needs, secrets, vars) stays as written. Commits of
actions are known only where they are pinned. --ref-protected says the
ref is protected (a forge says so in each task; locally nothing does).

Without -W and without workflows under -C, only the tests run.

Exit status: 0 when every test passed and no job is denied, 1 otherwise,
2 for bad flags, a bad policy file or a bad workflow.`

const policyTestExample = `  # The tests of a policy, and its decisions on a push of this repository
  anvil policy test -p policies/

  # A pull_request of another repository, with a real event payload
  anvil policy test -p policy.yaml -C ../app -e pr.json pull_request

  # A push of main as the forge would send it (a protected branch)
  anvil policy test -p policy.yaml -W .forgejo/workflows/deploy.yml --ref-protected`

// policyTestOptions are anvil policy test's flags.
type policyTestOptions struct {
	policy string
	// run holds -C, -W, -e and -a, as anvil exec's.
	run          localrun.Options
	refProtected bool
}

// newPolicyCommand returns anvil policy and its subcommand test.
func newPolicyCommand(proc Process) *cobra.Command {
	c := &cobra.Command{
		Use:   "policy",
		Short: "Check policies (rules every job must pass) offline",
		Args:  rangeArgs(0, 0),
	}
	o := &policyTestOptions{}
	test := &cobra.Command{
		Use:     "test [EVENT]",
		Short:   "Run a policy's tests and print its decision on every job of the workflows",
		Long:    policyTestLong,
		Example: policyTestExample,
		Args:    rangeArgs(0, 1),
		RunE: func(c *cobra.Command, args []string) error {
			event := "push"
			if len(args) == 1 {
				event = args[0]
			}
			proc.tuneShortLived()
			return runPolicyTest(c.Context(), proc, o, event)
		},
	}
	fs := test.Flags()
	fs.StringVarP(&o.policy, "policy", "p", "", "the policy file, or a directory of them (required)")
	fs.StringVarP(&o.run.Dir, "directory", "C", ".", "the repository whose workflows are checked")
	fs.StringVarP(&o.run.Workflows, "workflows", "W", "", "a workflow file or directory (default: .forgejo/workflows, .gitea/workflows or .github/workflows)")
	fs.StringVarP(&o.run.EventPath, "eventpath", "e", "", "a JSON file with the event payload (github.event)")
	fs.StringVarP(&o.run.Actor, "actor", "a", "", "github.actor (default: git's user.name, else $USER)")
	fs.BoolVar(&o.refProtected, "ref-protected", false, "treat the ref as protected (github.ref_protected)")
	fs.SortFlags = false
	c.AddCommand(test)
	return c
}

// runPolicyTest runs the policy's tests, then evaluates it on the jobs
// the event triggers.
func runPolicyTest(ctx context.Context, proc Process, o *policyTestOptions, event string) error {
	if o.policy == "" {
		return usageErrorf("give the policy with -p FILE (or -p DIR)")
	}
	p, err := policy.Load(o.policy)
	if err != nil {
		return usageError(err)
	}
	failed := console.PrintPolicyTests(proc.Stdout, p.RunTests())
	jobs, err := localrun.PolicyInputs(ctx, o.run,
		localrun.Host{LookupEnv: proc.lookupEnv, Now: proc.now(), Stderr: proc.Stderr}, event, o.refProtected)
	if err != nil {
		return err
	}
	denied := 0
	for _, in := range jobs {
		ds := p.Evaluate(in)
		denied += console.PrintDecisions(proc.Stdout, in, ds)
	}
	fmt.Fprintf(proc.Stdout, "%d jobs checked against %d rules: %d denied\n", len(jobs), len(p.Rules()), denied)
	if failed > 0 || denied > 0 {
		return errJobsFailed
	}
	return nil
}
