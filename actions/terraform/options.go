package terraform

import (
	"regexp"
	"strings"
	"sync"
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

// secretName matches variable and backend setting names whose values are
// masked: tokens, passwords, keys, credentials.
var secretName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(secret|token|passw|private|credential|access_key|api_key|client_key|account_key|auth|sas_|_pat$)`)
})

// secretValues returns the values of NAME=VALUE entries whose names look
// secret.
func secretValues(entries []string) []string {
	var out []string
	for _, e := range entries {
		if name, value, ok := strings.Cut(e, "="); ok && secretName().MatchString(name) && value != "" {
			out = append(out, value)
		}
	}
	return out
}
