package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// PlanResult is what a plan found.
type PlanResult struct {
	// ExitCode is plan -detailed-exitcode's: 0 no changes, 2 changes.
	ExitCode int
	// Changes is true when applying would change something (resources or
	// outputs).
	Changes          bool
	Summary          *PlanSummary
	Workspace        string
	TerraformVersion string
	// Text is "terraform show" of the plan, for people.
	Text string
	// Bundle is the bundle's absolute path and BundleSHA256 the sha256 of
	// its bytes; Encrypted says whether a passphrase protects it.
	Bundle       string
	BundleSHA256 string
	Encrypted    bool
}

// Plan runs terraform-plan: init, select the workspace, plan with
// -detailed-exitcode, count the changes from the JSON plan, write the
// bundle, then the outputs and the report. A failure sets failure-reason.
func (a *Action) Plan(ctx context.Context, o PlanOptions) (*PlanResult, error) {
	a.maskPlanSecrets(o)
	res, err := a.plan(ctx, o, true)
	if err != nil {
		return nil, a.fail("Terraform plan", err)
	}
	if o.Passphrase == "" {
		a.Runtime.Command("warning", "the plan bundle is not encrypted but holds the configuration, variable values and backend settings: set encryption-passphrase")
	}
	outs := append(planOutputs(res), Output{Name: "bundle", Value: res.Bundle}, Output{Name: "bundle-sha256", Value: res.BundleSHA256}, Output{Name: "failure-reason", Value: ""})
	if err := a.Runtime.SetOutputs(outs); err != nil {
		return res, err
	}
	a.Runtime.Printf("Plan: %d to add, %d to change, %d to destroy; bundle %s (sha256 %s)", res.Summary.Counts.Add, res.Summary.Counts.Change, res.Summary.Counts.Destroy, res.Bundle, res.BundleSHA256)
	return res, a.Runtime.AddSummary(planReport("Terraform plan", res))
}

// maskPlanSecrets registers the passphrase and secret-looking variable
// and backend values with the runner.
func (a *Action) maskPlanSecrets(o PlanOptions) {
	a.Runtime.Mask(o.Passphrase)
	for _, v := range append(secretValues(o.Variables), secretValues(o.BackendConfig)...) {
		a.Runtime.Mask(v)
	}
}

// plan does the work of Plan and Drift; withBundle writes the bundle.
func (a *Action) plan(ctx context.Context, o PlanOptions, withBundle bool) (*PlanResult, error) {
	dir, err := workingDir(o.WorkingDirectory)
	if err != nil {
		return nil, err
	}
	version, err := a.version(ctx, dir)
	if err != nil {
		return nil, initFailure(ctx, err)
	}
	if err := a.init(ctx, dir, nil, o.BackendConfig); err != nil {
		return nil, err
	}
	res := &PlanResult{TerraformVersion: version}
	if res.Workspace, err = a.selectWorkspace(ctx, dir, o.Workspace); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(a.Runtime.Temp(), "terraform-plan-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for the plan: %w", err)
	}
	defer os.RemoveAll(tmp)
	planFile := filepath.Join(tmp, bundlePlanName)

	code, stream, err := a.run(ctx, dir, nil, planArgs(o, planFile)...)
	if err != nil {
		return nil, ctxFailure(ctx, err)
	}
	if code != 0 && code != 2 {
		return nil, classify(stream.Errors(), ReasonPlanFailed)
	}
	res.ExitCode, res.Changes = code, code == 2

	show, err := a.capture(ctx, dir, nil, "show", "-json", planFile)
	if err != nil {
		return nil, ctxFailure(ctx, fmt.Errorf("reading the plan: %w", err))
	}
	if res.Summary, err = ParsePlanJSON(show); err != nil {
		return nil, err
	}
	text, err := a.capture(ctx, dir, nil, "show", "-no-color", planFile)
	if err != nil {
		return nil, ctxFailure(ctx, fmt.Errorf("reading the plan: %w", err))
	}
	res.Text = string(text)
	a.Runtime.Group("Plan details", func() { a.Runtime.Printf("%s", res.Text) })
	if !withBundle {
		return res, nil
	}
	return res, a.writeBundle(dir, o, planFile, res)
}

// planArgs is the terraform plan command line for o.
func planArgs(o PlanOptions, planFile string) []string {
	args := []string{"plan", "-input=false", "-json", "-detailed-exitcode",
		"-lock-timeout=" + formatSeconds(o.LockTimeout), "-out=" + planFile}
	if o.Destroy {
		args = append(args, "-destroy")
	}
	if o.RefreshOnly {
		args = append(args, "-refresh-only")
	}
	for _, f := range o.VarFiles {
		args = append(args, "-var-file="+f)
	}
	for _, v := range o.Variables {
		args = append(args, "-var="+v)
	}
	for _, t := range o.Targets {
		args = append(args, "-target="+t)
	}
	return args
}

// writeBundle packs the plan file and dir's lock file into the bundle.
func (a *Action) writeBundle(dir string, o PlanOptions, planFile string, res *PlanResult) error {
	plan, err := os.ReadFile(planFile)
	if err != nil {
		return fmt.Errorf("reading the plan file: %w", err)
	}
	b := &Bundle{Plan: plan, Meta: BundleMeta{Format: BundleFormat, TerraformVersion: res.TerraformVersion,
		Workspace: res.Workspace, Destroy: o.Destroy, Counts: res.Summary.Counts}}
	if b.LockFile, err = os.ReadFile(filepath.Join(dir, bundleLockName)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reading the dependency lock file: %w", err)
	}
	data, err := b.Encode(o.Passphrase, a.ScryptWorkFactor)
	if err != nil {
		return err
	}
	path := o.BundlePath
	if path == "" {
		path = "terraform-plan.bundle"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("writing the bundle: %w", err)
	}
	res.Bundle, res.BundleSHA256, res.Encrypted = path, SHA256(data), o.Passphrase != ""
	return nil
}

// planOutputs are the outputs terraform-plan and terraform-drift share.
func planOutputs(res *PlanResult) []Output {
	c := res.Summary.Counts
	return []Output{
		{Name: "changes", Value: strconv.FormatBool(res.Changes)},
		{Name: "add", Value: strconv.Itoa(c.Add)},
		{Name: "change", Value: strconv.Itoa(c.Change)},
		{Name: "destroy", Value: strconv.Itoa(c.Destroy)},
		{Name: "exitcode", Value: strconv.Itoa(res.ExitCode)},
		{Name: "workspace", Value: res.Workspace},
		{Name: "terraform-version", Value: res.TerraformVersion},
	}
}

// fail reports err: failure outputs, an error annotation and a report. It
// returns err, or the error writing the outputs.
func (a *Action) fail(title string, err error) error {
	a.Runtime.Command("error", err.Error())
	if werr := a.Runtime.SetOutputs(failureOutputs(err)); werr != nil {
		return fmt.Errorf("%w (and %v)", err, werr)
	}
	if werr := a.Runtime.AddSummary(failureReport(title, err)); werr != nil {
		return fmt.Errorf("%w (and %v)", err, werr)
	}
	return err
}

// formatSeconds formats d as Terraform's duration flags take it.
func formatSeconds(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
