package terraform

import (
	"strings"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

// CommonInputs are the inputs every Terraform action has.
func CommonInputs() []step.Input {
	return []step.Input{
		{Name: "working-directory", Usage: "directory of the Terraform configuration (default: the current directory)"},
		{Name: "lock-timeout", Usage: "how long to wait for the state lock, e.g. 30s (default 5m)"},
		{Name: "encryption-passphrase", Usage: "passphrase of the plan bundle (age/scrypt); prefer INPUT_ENCRYPTION_PASSPHRASE over the flag"},
		{Name: "backend-config", Usage: "backend settings, one KEY=VALUE or file per line (-backend-config)"},
		{Name: "terraform-binary", Usage: "the terraform program: a path, or a name on the PATH (default terraform)"},
		{Name: "timeout", Usage: "bound of the whole action, e.g. 30m (default 1h)"},
	}
}

// PlanInputs are terraform-plan's inputs.
func PlanInputs() []step.Input {
	return append(CommonInputs(), planOwnInputs()...)
}

// ApplyInputs are terraform-apply's inputs.
func ApplyInputs() []step.Input {
	return append(CommonInputs(),
		step.Input{Name: "bundle", Usage: "the plan bundle terraform-plan wrote (its bundle output)"},
		step.Input{Name: "expected-sha256", Usage: "the reviewed plan's bundle-sha256; any other bundle is refused"},
	)
}

// DriftInputs are terraform-drift's inputs: terraform-plan's without
// bundle-path, and fail-on-drift.
func DriftInputs() []step.Input {
	out := CommonInputs()
	for _, in := range planOwnInputs() {
		if in.Name != "bundle-path" { // drift writes no bundle
			out = append(out, in)
		}
	}
	return append(out, step.Input{Name: "fail-on-drift", Usage: "fail the step when there is drift: true or false"})
}

func planOwnInputs() []step.Input {
	return []step.Input{
		{Name: "workspace", Usage: "workspace to select, created when missing (default: the current one)"},
		{Name: "var-files", Usage: "variable files, one per line or comma-separated, relative to the working directory (-var-file)"},
		{Name: "variables", Usage: "variables, one NAME=VALUE per line (-var); values of names like *token*, *password* are masked"},
		{Name: "targets", Usage: "resource addresses to target, one per line or comma-separated (-target)"},
		{Name: "destroy", Usage: "plan to destroy everything: true or false (-destroy)"},
		{Name: "refresh-only", Usage: "only plan to update the state to the real objects: true or false (-refresh-only)"},
		{Name: "bundle-path", Usage: "where to write the plan bundle (default: terraform-plan.bundle in the working directory)"},
	}
}

// RunOptions are what every Terraform action reads besides its own
// options: the program to run and the bound of the whole action.
type RunOptions struct {
	// Binary is the terraform program, a path or a name on the PATH; ""
	// means terraform.
	Binary string
	// Timeout bounds the whole action. Default DefaultTimeout.
	Timeout time.Duration
}

// ParsePlan reads terraform-plan's inputs, reporting every problem at
// once.
func ParsePlan(in *step.Inputs) (RunOptions, PlanOptions, error) {
	return parseRun(in), parsePlan(in), in.Err()
}

// ParseApply reads terraform-apply's inputs, reporting every problem at
// once.
func ParseApply(in *step.Inputs) (RunOptions, ApplyOptions, error) {
	r := parseRun(in)
	o := ApplyOptions{
		WorkingDirectory: in.String("working-directory"),
		Bundle:           in.String("bundle"),
		ExpectedSHA256:   in.String("expected-sha256"),
		Passphrase:       in.Raw("encryption-passphrase"),
		BackendConfig:    in.Lines("backend-config"),
		LockTimeout:      in.Duration("lock-timeout", DefaultLockTimeout),
	}
	if o.Bundle == "" {
		in.Problemf("input bundle is empty: pass the bundle output of terraform-plan (a path on this runner)")
	}
	if o.ExpectedSHA256 == "" {
		in.Problemf("input expected-sha256 is empty: pass the bundle-sha256 output of the reviewed terraform-plan, so that only that plan is applied")
	}
	return r, o, in.Err()
}

// ParseDrift reads terraform-drift's inputs, reporting every problem at
// once.
func ParseDrift(in *step.Inputs) (RunOptions, DriftOptions, error) {
	r, p := parseRun(in), parsePlan(in)
	return r, DriftOptions{PlanOptions: p, FailOnDrift: in.Bool("fail-on-drift", false)}, in.Err()
}

func parseRun(in *step.Inputs) RunOptions {
	return RunOptions{Binary: in.String("terraform-binary"), Timeout: in.Duration("timeout", DefaultTimeout)}
}

func parsePlan(in *step.Inputs) PlanOptions {
	o := PlanOptions{
		WorkingDirectory: in.String("working-directory"),
		Workspace:        in.String("workspace"),
		VarFiles:         in.List("var-files"),
		Variables:        in.Lines("variables"),
		BackendConfig:    in.Lines("backend-config"),
		Targets:          in.List("targets"),
		Destroy:          in.Bool("destroy", false),
		RefreshOnly:      in.Bool("refresh-only", false),
		LockTimeout:      in.Duration("lock-timeout", DefaultLockTimeout),
		Passphrase:       in.Raw("encryption-passphrase"),
		BundlePath:       in.String("bundle-path"),
	}
	for i, v := range o.Variables {
		// The entry itself is not quoted: it may hold a secret.
		if name, _, ok := strings.Cut(v, "="); !ok || strings.TrimSpace(name) == "" {
			in.Problemf("input variables: entry %d is not NAME=VALUE; write one variable per line", i+1)
		}
	}
	if o.Destroy && o.RefreshOnly {
		in.Problemf("inputs destroy and refresh-only are both true; choose one")
	}
	return o
}
