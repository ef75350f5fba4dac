package terraform

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Default bounds of the waits every action has.
const (
	// DefaultLockTimeout is how long Terraform waits for the state lock.
	DefaultLockTimeout = 5 * time.Minute
	// DefaultTimeout bounds a whole action run.
	DefaultTimeout = time.Hour
)

// PlanOptions are terraform-plan's inputs; terraform-drift uses them too.
type PlanOptions struct {
	// WorkingDirectory holds the configuration; "" is the current directory.
	WorkingDirectory string
	// Workspace is selected, or created when missing; "" keeps the
	// working directory's current one.
	Workspace string
	// VarFiles (-var-file), Variables (-var NAME=VALUE), BackendConfig
	// (-backend-config KEY=VALUE or FILE) and Targets (-target ADDRESS).
	VarFiles      []string
	Variables     []string
	BackendConfig []string
	Targets       []string
	// Destroy plans the destruction of everything (-destroy).
	Destroy bool
	// RefreshOnly plans only to update the state to match the remote
	// objects (-refresh-only), for drift checks.
	RefreshOnly bool
	// LockTimeout is how long to wait for the state lock.
	LockTimeout time.Duration
	// Passphrase encrypts the bundle with age (scrypt); "" leaves it in
	// clear.
	Passphrase string
	// BundlePath is where the bundle is written; "" means
	// terraform-plan.bundle in the working directory.
	BundlePath string
}

// ApplyOptions are terraform-apply's inputs.
type ApplyOptions struct {
	// WorkingDirectory holds the configuration (the same as the plan's,
	// possibly checked out at another path).
	WorkingDirectory string
	// Bundle is the file terraform-plan wrote; ExpectedSHA256 its
	// bundle-sha256 output, as reviewed.
	Bundle         string
	ExpectedSHA256 string
	Passphrase     string
	// BackendConfig is the plan's backend configuration; it is needed to
	// read sensitive outputs back (the apply itself uses the backend
	// recorded in the plan).
	BackendConfig []string
	LockTimeout   time.Duration
}

// DriftOptions are terraform-drift's inputs.
type DriftOptions struct {
	PlanOptions
	// FailOnDrift makes Drift return an error when there is drift.
	FailOnDrift bool
}

// Inputs reads one action input by name ("" when unset).
type Inputs func(name string) string

// ParsePlanOptions reads terraform-plan's inputs.
func ParsePlanOptions(in Inputs) (PlanOptions, error) {
	var errs []error
	o := PlanOptions{
		WorkingDirectory: strings.TrimSpace(in("working-directory")),
		Workspace:        strings.TrimSpace(in("workspace")),
		VarFiles:         List(in("var-files")),
		Variables:        List(in("variables")),
		BackendConfig:    List(in("backend-config")),
		Targets:          List(in("targets")),
		Passphrase:       in("encryption-passphrase"),
		BundlePath:       strings.TrimSpace(in("bundle-path")),
	}
	var err error
	if o.Destroy, err = Bool(in, "destroy"); err != nil {
		errs = append(errs, err)
	}
	if o.RefreshOnly, err = Bool(in, "refresh-only"); err != nil {
		errs = append(errs, err)
	}
	if o.LockTimeout, err = Duration(in, "lock-timeout", DefaultLockTimeout); err != nil {
		errs = append(errs, err)
	}
	for i, v := range o.Variables {
		if name, _, ok := strings.Cut(v, "="); !ok || strings.TrimSpace(name) == "" {
			errs = append(errs, fmt.Errorf("input variables: entry %d is not NAME=VALUE; write one variable per line", i+1))
		}
	}
	if o.Destroy && o.RefreshOnly {
		errs = append(errs, errors.New("inputs destroy and refresh-only are both true; choose one"))
	}
	return o, errors.Join(errs...)
}

// ParseApplyOptions reads terraform-apply's inputs.
func ParseApplyOptions(in Inputs) (ApplyOptions, error) {
	var errs []error
	o := ApplyOptions{
		WorkingDirectory: strings.TrimSpace(in("working-directory")),
		Bundle:           strings.TrimSpace(in("bundle")),
		ExpectedSHA256:   strings.TrimSpace(in("expected-sha256")),
		Passphrase:       in("encryption-passphrase"),
		BackendConfig:    List(in("backend-config")),
	}
	var err error
	if o.LockTimeout, err = Duration(in, "lock-timeout", DefaultLockTimeout); err != nil {
		errs = append(errs, err)
	}
	if o.Bundle == "" {
		errs = append(errs, errors.New("input bundle is empty: pass the bundle output of terraform-plan (a path on this runner)"))
	}
	if o.ExpectedSHA256 == "" {
		errs = append(errs, errors.New("input expected-sha256 is empty: pass the bundle-sha256 output of the reviewed terraform-plan, so that only that plan is applied"))
	}
	return o, errors.Join(errs...)
}

// ParseDriftOptions reads terraform-drift's inputs.
func ParseDriftOptions(in Inputs) (DriftOptions, error) {
	p, err := ParsePlanOptions(in)
	fail, ferr := Bool(in, "fail-on-drift")
	return DriftOptions{PlanOptions: p, FailOnDrift: fail}, errors.Join(err, ferr)
}

// List splits a multi-line input into its non-empty, trimmed lines.
func List(s string) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Bool reads a boolean input: true or false in any case, "" is false.
func Bool(in Inputs, name string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(in(name))); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, fmt.Errorf("input %s is %q; write true or false", name, strings.TrimSpace(in(name)))
}

// Duration reads a duration input such as 90s or 5m; "" gives def.
func Duration(in Inputs, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(in(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("input %s is %q; write a duration such as 30s or 5m", name, v)
	}
	return d, nil
}

// secretName matches variable and backend setting names whose values are
// masked: tokens, passwords, keys, credentials.
var secretName = regexp.MustCompile(`(?i)(secret|token|passw|private|credential|access_key|api_key|client_key|account_key|auth|sas_|_pat$)`)

// secretValues returns the values of NAME=VALUE entries whose names look
// secret.
func secretValues(entries []string) []string {
	var out []string
	for _, e := range entries {
		if name, value, ok := strings.Cut(e, "="); ok && secretName.MatchString(name) && value != "" {
			out = append(out, value)
		}
	}
	return out
}
