package terraform

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ApplyResult is what an apply did.
type ApplyResult struct {
	Meta    BundleMeta
	Changes *ChangeSummary
	// Outputs are the root module's outputs after the apply.
	Outputs []TerraformOutput
	// Warnings are problems that did not fail the apply, such as sensitive
	// outputs that could not be read back.
	Warnings []string
}

// Apply runs terraform-apply: check the bundle's sha256 against the
// reviewed one, unpack it, init with its lock file, apply its plan and
// export the outputs. A failure sets failure-reason: plan-mismatch,
// bundle-invalid, plan-stale, state-locked (with lock-id and lock-info),
// apply-failed, cancelled or timeout.
func (a *Action) Apply(ctx context.Context, o ApplyOptions) (*ApplyResult, error) {
	a.Runtime.Mask(o.Passphrase)
	for _, v := range secretValues(o.BackendConfig) {
		a.Runtime.Mask(v)
	}
	res, err := a.apply(ctx, o)
	if err != nil {
		return nil, a.fail("Terraform apply", err)
	}
	outs := []Output{{Name: "failure-reason", Value: ""}, {Name: "outputs-json", Value: outputsJSON(res.Outputs)}}
	outs = append(outs, a.exportOutputs(res)...)
	for _, w := range res.Warnings {
		a.Runtime.Command("warning", w)
	}
	if err := a.Runtime.SetOutputs(outs); err != nil {
		return res, err
	}
	return res, a.Runtime.AddSummary(applyReport(res))
}

func (a *Action) apply(ctx context.Context, o ApplyOptions) (*ApplyResult, error) {
	dir, err := workingDir(o.WorkingDirectory)
	if err != nil {
		return nil, err
	}
	b, err := readVerifiedBundle(o.Bundle, o.ExpectedSHA256, o.Passphrase)
	if err != nil {
		return nil, err
	}
	a.Runtime.Printf("Bundle %s matches the expected sha256; its plan was made in workspace %q with Terraform %s", o.Bundle, b.Meta.Workspace, b.Meta.TerraformVersion)
	tmp, err := os.MkdirTemp(a.Runtime.Temp(), "terraform-apply-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for the plan: %w", err)
	}
	defer os.RemoveAll(tmp)
	planFile := filepath.Join(tmp, bundlePlanName)
	if err := os.WriteFile(planFile, b.Plan, 0o600); err != nil {
		return nil, fmt.Errorf("unpacking the plan: %w", err)
	}
	var initArgs []string
	if b.LockFile != nil {
		if err := a.placeLockFile(dir, b.LockFile); err != nil {
			return nil, err
		}
		initArgs = append(initArgs, "-lockfile=readonly")
	}
	// Terraform 1.5 applies a saved plan in the working directory's
	// current workspace, not the plan's: select the plan's for every step.
	env := []string{"TF_WORKSPACE=" + b.Meta.Workspace}
	if err := a.init(ctx, dir, env, o.BackendConfig, initArgs...); err != nil {
		return nil, err
	}
	code, stream, err := a.run(ctx, dir, env, "apply", "-input=false", "-json", "-lock-timeout="+formatSeconds(o.LockTimeout), planFile)
	if err != nil {
		return nil, ctxFailure(ctx, err)
	}
	if code != 0 {
		return nil, classify(stream.Errors(), ReasonApplyFailed)
	}
	res := &ApplyResult{Meta: b.Meta, Changes: stream.Changes}
	res.Outputs, res.Warnings = a.readOutputs(ctx, dir, env, stream.Outputs)
	return res, nil
}

// readVerifiedBundle reads the bundle file once, checks the sha256 of
// exactly those bytes and decodes them.
func readVerifiedBundle(path, expected, passphrase string) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, failf(ReasonBundleInvalid, "opening the bundle: %w; pass the bundle output of terraform-plan, copied to this runner", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 2*MaxBundleSize+1))
	if err != nil {
		return nil, failf(ReasonBundleInvalid, "reading the bundle %s: %w", path, err)
	}
	if len(data) > 2*MaxBundleSize {
		return nil, failf(ReasonBundleInvalid, "the bundle %s is larger than %d bytes; it is not a bundle terraform-plan wrote", path, 2*MaxBundleSize)
	}
	want := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(expected), "sha256:"))
	if got := SHA256(data); got != want {
		return nil, failf(ReasonPlanMismatch, "the bundle %s has sha256 %s but the reviewed plan has %s: it is not the reviewed plan, so nothing was applied; plan and review again", path, got, want)
	}
	b, err := DecodeBundle(data, passphrase)
	if err != nil {
		return nil, &Failure{Reason: ReasonBundleInvalid, Err: err}
	}
	return b, nil
}

// placeLockFile writes the plan's dependency lock file into dir, so that
// init installs exactly the providers the plan was made with.
func (a *Action) placeLockFile(dir string, lock []byte) error {
	path := filepath.Join(dir, bundleLockName)
	old, err := os.ReadFile(path)
	switch {
	case err == nil && !bytes.Equal(old, lock):
		a.Runtime.Command("warning", "the working directory's .terraform.lock.hcl differs from the plan's; using the plan's")
	case err != nil && !os.IsNotExist(err):
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := os.WriteFile(path, lock, 0o644); err != nil {
		return fmt.Errorf("writing the plan's dependency lock file: %w", err)
	}
	return nil
}
