package cmd

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/actions/step"
	"codeberg.org/anvil-ci/anvil/actions/terraform"
	"codeberg.org/anvil-ci/anvil/internal/interrupt"
)

const terraformPlanLong = `Plan a Terraform configuration for review: init, select (or create) the
workspace, run "terraform plan -detailed-exitcode", count the changes from
the JSON plan and write a plan bundle (plan file and dependency lock file,
encrypted with age when encryption-passphrase is set).

Outputs: changes (true/false), add, change, destroy, exitcode (0 no
changes, 2 changes), bundle (its path), bundle-sha256, workspace,
terraform-version, failure-reason (empty, or why it failed: state-locked
with lock-id and lock-info, plan-failed, init-failed, cancelled, timeout,
invalid-input). Used by actions/terraform-plan.`

const terraformApplyLong = `Apply exactly the reviewed plan: refuse a bundle whose sha256 is not
expected-sha256 (failure-reason plan-mismatch), unpack it, init with its
dependency lock file, apply its plan, and export every Terraform output as
a step output (sensitive ones masked) and all of them as outputs-json.

failure-reason tells the failures apart: plan-mismatch, bundle-invalid,
plan-stale (the state changed since the plan), state-locked (lock-id and
lock-info say who holds it), apply-failed, init-failed, cancelled, timeout,
invalid-input. An interrupt is forwarded to Terraform once, so it stops
gracefully and releases the state lock. Used by actions/terraform-apply.`

const terraformDriftLong = `Check for drift: plan the configuration (as terraform-plan, without a
bundle) and report whether the infrastructure still matches it.

Outputs: drift (true/false), report (Markdown, also the step summary), the
plan's changes, add, change, destroy and exitcode, failure-reason. With
fail-on-drift: true, drift fails the step (failure-reason drift). Used by
actions/terraform-drift.`

const terraformExample = `  # Inside a job, as actions/terraform-plan runs it (inputs from INPUT_*):
  INPUT_WORKING_DIRECTORY=infra anvil action terraform-plan

  # By hand, with flags
  anvil action terraform-plan --working-directory infra --workspace staging \
    --variables 'image_tag=1.4.2' --bundle-path /tmp/plan.bundle
  anvil action terraform-apply --working-directory infra \
    --bundle /tmp/plan.bundle --expected-sha256 9f2c…`

const terraformApplyExample = `  # Inside a job, as actions/terraform-apply runs it (inputs from INPUT_*):
  INPUT_BUNDLE=plan.bundle INPUT_EXPECTED_SHA256=9f2c… anvil action terraform-apply

  # By hand, with flags
  anvil action terraform-apply --working-directory infra \
    --bundle /tmp/plan.bundle --expected-sha256 9f2c…`

const terraformDriftExample = `  # Inside a scheduled job, as actions/terraform-drift runs it:
  INPUT_WORKING_DIRECTORY=infra INPUT_FAIL_ON_DRIFT=true anvil action terraform-drift

  # By hand, with flags
  anvil action terraform-drift --working-directory infra --workspace production --fail-on-drift true`

// newTerraformPlanCommand returns anvil action terraform-plan.
func newTerraformPlanCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "terraform-plan", Short: "Plan Terraform changes into a reviewed, hashed bundle",
		Long: terraformPlanLong, Example: terraformExample, Args: rangeArgs(0, 0)}
	in := bindInputs(proc, c, terraform.PlanInputs())
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runTerraform(c.Context(), proc, in(), terraform.ParsePlan, func(ctx context.Context, a *terraform.Action, o terraform.PlanOptions) error {
			_, err := a.Plan(ctx, o)
			return err
		})
	}
	return c
}

// newTerraformApplyCommand returns anvil action terraform-apply.
func newTerraformApplyCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "terraform-apply", Short: "Apply exactly the reviewed Terraform plan bundle",
		Long: terraformApplyLong, Example: terraformApplyExample, Args: rangeArgs(0, 0)}
	in := bindInputs(proc, c, terraform.ApplyInputs())
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runTerraform(c.Context(), proc, in(), terraform.ParseApply, func(ctx context.Context, a *terraform.Action, o terraform.ApplyOptions) error {
			_, err := a.Apply(ctx, o)
			return err
		})
	}
	return c
}

// newTerraformDriftCommand returns anvil action terraform-drift.
func newTerraformDriftCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "terraform-drift", Short: "Check whether the infrastructure drifted from the Terraform configuration",
		Long: terraformDriftLong, Example: terraformDriftExample, Args: rangeArgs(0, 0)}
	in := bindInputs(proc, c, terraform.DriftInputs())
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runTerraform(c.Context(), proc, in(), terraform.ParseDrift, func(ctx context.Context, a *terraform.Action, o terraform.DriftOptions) error {
			_, err := a.Drift(ctx, o)
			return err
		})
	}
	return c
}

// runTerraform parses the inputs, then runs f under the action's timeout
// with a second interrupt killing Terraform. Bad inputs set
// failure-reason invalid-input and exit 2; a failed action exits 1.
func runTerraform[O any](ctx context.Context, proc Process, in *step.Inputs,
	parse func(*step.Inputs) (terraform.RunOptions, O, error),
	f func(context.Context, *terraform.Action, O) error,
) error {
	rt := stepRuntime(proc)
	run, opts, err := parse(in)
	if err != nil {
		werr := rt.SetOutputs([]terraform.Output{{Name: "failure-reason", Value: string(terraform.ReasonInvalidInput)}})
		return reportedExit(ExitUsage, errors.Join(rt.Fail(err), werr))
	}
	act := terraform.NewAction(rt, run, proc.environ(), proc.Stderr)
	ctx, cancel := step.WithTimeout(ctx, run.Timeout)
	defer cancel()
	interrupt.OnKill(ctx, act.Tool.Kill)
	if err := f(ctx, act, opts); err != nil {
		return &exitError{code: ExitFailed, err: err, reported: terraform.ReasonOf(err) != ""}
	}
	return nil
}
