package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/actions/terraform"
)

// terraformInput is one input of a Terraform action: a flag, or the
// INPUT_<NAME> variable the composite action.yml sets.
type terraformInput struct {
	name, usage string
}

// terraformCommonInputs are the inputs every Terraform action has.
func terraformCommonInputs() []terraformInput {
	return []terraformInput{
		{"working-directory", "directory of the Terraform configuration (default: the current directory)"},
		{"lock-timeout", "how long to wait for the state lock, e.g. 30s (default 5m)"},
		{"encryption-passphrase", "passphrase of the plan bundle (age/scrypt); prefer INPUT_ENCRYPTION_PASSPHRASE over the flag"},
		{"backend-config", "backend settings, one KEY=VALUE or file per line (-backend-config)"},
		{"terraform-binary", "the terraform program: a path, or a name on the PATH (default terraform)"},
		{"timeout", "bound of the whole action, e.g. 30m (default 1h)"},
	}
}

// terraformPlanInputs are terraform-plan's own inputs (terraform-drift
// has them too).
func terraformPlanInputs() []terraformInput {
	return []terraformInput{
		{"workspace", "workspace to select, created when missing (default: the current one)"},
		{"var-files", "variable files, one per line, relative to the working directory (-var-file)"},
		{"variables", "variables, one NAME=VALUE per line (-var); values of names like *token*, *password* are masked"},
		{"targets", "resource addresses to target, one per line (-target)"},
		{"destroy", "plan to destroy everything: true or false (-destroy)"},
		{"refresh-only", "only plan to update the state to the real objects: true or false (-refresh-only)"},
		{"bundle-path", "where to write the plan bundle (default: terraform-plan.bundle in the working directory)"},
	}
}

// terraformApplyInputs are terraform-apply's own inputs.
func terraformApplyInputs() []terraformInput {
	return []terraformInput{
		{"bundle", "the plan bundle terraform-plan wrote (its bundle output)"},
		{"expected-sha256", "the reviewed plan's bundle-sha256; any other bundle is refused"},
	}
}

// terraformInputs reads inputs from flags, falling back to INPUT_<NAME>.
type terraformInputs struct {
	proc  Process
	flags *pflag.FlagSet
}

// bindTerraformInputs adds a string flag per input to c.
func bindTerraformInputs(proc Process, c *cobra.Command, lists ...[]terraformInput) *terraformInputs {
	for _, list := range lists {
		for _, in := range list {
			c.Flags().String(in.name, "", in.usage)
		}
	}
	c.Flags().SortFlags = false
	return &terraformInputs{proc: proc, flags: c.Flags()}
}

// get returns input name: the flag when given, else INPUT_<NAME> with
// the name in upper case and "-" as "_" (INPUT_WORKING_DIRECTORY, which
// every shell passes on), else INPUT_<NAME> with "-" kept, as GitHub
// names it for JavaScript actions (INPUT_WORKING-DIRECTORY).
func (t *terraformInputs) get(name string) string {
	if f := t.flags.Lookup(name); f != nil && f.Changed {
		return f.Value.String()
	}
	upper := strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
	if v, ok := t.proc.lookupEnv("INPUT_" + strings.ReplaceAll(upper, "-", "_")); ok {
		return v
	}
	return t.proc.getenv("INPUT_" + upper)
}

// terraformAction builds the Action for a step from the job's environment
// ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, $RUNNER_TEMP) and the inputs.
func (t *terraformInputs) action() *terraform.Action {
	rt := &terraform.Runtime{
		Log:         t.proc.Stdout,
		OutputFile:  t.proc.getenv("GITHUB_OUTPUT"),
		SummaryFile: t.proc.getenv("GITHUB_STEP_SUMMARY"),
		TempDir:     t.proc.getenv("RUNNER_TEMP"),
	}
	tool := terraform.NewTool(terraform.ToolConfig{
		Binary: strings.TrimSpace(t.get("terraform-binary")),
		Env:    t.proc.environ(),
		Stderr: t.proc.Stderr,
	})
	return &terraform.Action{Runtime: rt, Tool: tool}
}

// runTerraform parses the options, then runs f under the action's timeout
// with a second interrupt killing Terraform. Bad inputs set
// failure-reason invalid-input and exit 2; a failed action exits 1.
func runTerraform[O any](ctx context.Context, t *terraformInputs, parse func(terraform.Inputs) (O, error), f func(context.Context, *terraform.Action, O) error) error {
	act := t.action()
	opts, err := parse(t.get)
	timeout, terr := terraform.Duration(t.get, "timeout", terraform.DefaultTimeout)
	if err = errors.Join(err, terr); err != nil {
		act.Runtime.Command("error", err.Error())
		if werr := act.Runtime.SetOutputs([]terraform.Output{{Name: "failure-reason", Value: string(terraform.ReasonInvalidInput)}}); werr != nil {
			err = errors.Join(err, werr)
		}
		return &exitError{code: ExitUsage, err: err, reported: true}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("the action's timeout of %s ran out: %w", timeout, context.DeadlineExceeded))
	defer cancel()
	onKill(ctx, act.Tool.Kill)
	if err := f(ctx, act, opts); err != nil {
		return &exitError{code: ExitFailed, err: err, reported: terraform.ReasonOf(err) != ""}
	}
	return nil
}
