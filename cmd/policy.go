package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/gitctx"
	"codeberg.org/anvil-ci/anvil/localrun"
	"codeberg.org/anvil-ci/anvil/pipeline"
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
	policy       string
	dir          string
	workflows    string
	eventPath    string
	actor        string
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
			return runPolicyTest(c.Context(), proc, o, event)
		},
	}
	fs := test.Flags()
	fs.StringVarP(&o.policy, "policy", "p", "", "the policy file, or a directory of them (required)")
	fs.StringVarP(&o.dir, "directory", "C", ".", "the repository whose workflows are checked")
	fs.StringVarP(&o.workflows, "workflows", "W", "", "a workflow file or directory (default: .forgejo/workflows, .gitea/workflows or .github/workflows)")
	fs.StringVarP(&o.eventPath, "eventpath", "e", "", "a JSON file with the event payload (github.event)")
	fs.StringVarP(&o.actor, "actor", "a", "", "github.actor (default: git's user.name, else $USER)")
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
	failed := printPolicyTests(proc.Stdout, p.RunTests())
	jobs, err := policyJobs(ctx, proc, o, event)
	if err != nil {
		return err
	}
	denied := 0
	for _, in := range jobs {
		ds := p.Evaluate(in)
		denied += printDecisions(proc.Stdout, in, ds)
	}
	fmt.Fprintf(proc.Stdout, "%d jobs checked against %d rules: %d denied\n", len(jobs), len(p.Rules()), denied)
	if failed > 0 || denied > 0 {
		return errJobsFailed
	}
	return nil
}

// printPolicyTests prints each failed test with why, then a count, and
// returns how many failed.
func printPolicyTests(w io.Writer, results []policy.TestResult) int {
	failed := 0
	for _, r := range results {
		if r.Passed() {
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL test %s:%d %q\n", r.Test.File, r.Test.Line, r.Test.Name)
		for _, f := range r.Failures {
			fmt.Fprintf(w, "        %s\n", f)
		}
	}
	if len(results) > 0 {
		fmt.Fprintf(w, "policy tests: %d passed, %d failed\n", len(results)-failed, failed)
	}
	return failed
}

// printDecisions prints one job's decisions and returns 1 when one of
// them denies it.
func printDecisions(w io.Writer, in *policy.Input, ds []policy.Decision) int {
	fmt.Fprintf(w, "%s: %s (runs-on: %s)\n", in.Job.Workflow, in.Job.Key, strings.Join(in.Job.RunsOn, ", "))
	denied := 0
	for _, d := range ds {
		switch d.Outcome {
		case policy.OutcomeAllow:
			fmt.Fprintf(w, "  allow  %s\n", d.Rule)
		case policy.OutcomeDeny:
			denied = 1
			fmt.Fprintf(w, "  deny   %s\n", d.Line())
		default:
			fmt.Fprintf(w, "  warn   %s\n", d.Line())
		}
	}
	return denied
}

// policyJobs plans the workflows event triggers, as anvil exec does, and
// returns the Input of each of their jobs; none when there are no
// workflows and -W was not given.
func policyJobs(ctx context.Context, proc Process, o *policyTestOptions, event string) ([]*policy.Input, error) {
	dir, err := localrun.SourceDir(o.dir)
	if err != nil {
		return nil, err
	}
	if o.workflows == "" {
		if files, err := pipeline.Discover(dir, ""); err != nil || len(files) == 0 {
			fmt.Fprintf(proc.Stderr, "note: no workflows under %s, so only the tests ran (give -W to check workflows)\n", dir)
			return nil, nil
		}
	}
	checked, err := localrun.LintWorkflows(dir, o.workflows)
	if err != nil {
		return nil, err
	}
	payload, err := localrun.ReadPayload(o.eventPath)
	if err != nil {
		return nil, err
	}
	info, err := gitctx.Read(ctx, dir, proc.getenv)
	if err != nil {
		return nil, err
	}
	gh := gitctx.Build(info, gitctx.Input{EventName: event, Payload: payload, Dir: dir, Actor: o.actor,
		User: proc.getenv("USER"), RunID: strconv.FormatInt(proc.now().Unix(), 10)})
	gh.Context["ref_protected"] = o.refProtected
	plan, err := localrun.PlanChecked(checked, gh.Event, "", proc.Stderr)
	if err != nil {
		return nil, err
	}
	var out []*policy.Input
	for _, wf := range plan.Workflows {
		if localrun.Broken(wf) {
			return nil, usageError(errors.New(wf.File + " has errors (see anvil lint); fix it to check the policy on its jobs"))
		}
		out = append(out, policy.Offline(wf, gh.Context, policy.TaskFromGithub(gh.Context, wf.File))...)
	}
	return out, nil
}
