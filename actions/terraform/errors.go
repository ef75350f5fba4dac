package terraform

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
)

// Reason is the failure-reason output: why an action failed, so that a
// pipeline can react to each case.
type Reason string

// The reasons an action fails.
const (
	// ReasonPlanMismatch: the bundle's sha256 is not the expected one.
	ReasonPlanMismatch Reason = "plan-mismatch"
	// ReasonPlanStale: the state changed since the plan was made.
	ReasonPlanStale Reason = "plan-stale"
	// ReasonStateLocked: another operation holds the state lock.
	ReasonStateLocked Reason = "state-locked"
	// ReasonApplyFailed: Terraform failed while applying.
	ReasonApplyFailed Reason = "apply-failed"
	// ReasonPlanFailed: Terraform failed while planning.
	ReasonPlanFailed Reason = "plan-failed"
	// ReasonInitFailed: terraform is missing, or init or workspace
	// selection failed.
	ReasonInitFailed Reason = "init-failed"
	// ReasonBundleInvalid: the bundle cannot be read or decrypted.
	ReasonBundleInvalid Reason = "bundle-invalid"
	// ReasonInvalidInput: an input is missing or malformed.
	ReasonInvalidInput Reason = "invalid-input"
	// ReasonCancelled: the run was cancelled; Terraform was interrupted.
	ReasonCancelled Reason = "cancelled"
	// ReasonTimeout: the action's timeout ran out.
	ReasonTimeout Reason = "timeout"
	// ReasonDrift: terraform-drift found drift and fail-on-drift is set.
	ReasonDrift Reason = "drift"
)

// Failure is an action failing for Reason.
type Failure struct {
	Reason Reason
	Err    error
	// Lock is the holder of the state lock (ReasonStateLocked), when
	// Terraform reported it.
	Lock *LockInfo
}

func (f *Failure) Error() string { return fmt.Sprintf("%s: %v", f.Reason, f.Err) }

func (f *Failure) Unwrap() error { return f.Err }

// failf returns a Failure for reason with a formatted error.
func failf(reason Reason, format string, args ...any) *Failure {
	return &Failure{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// ReasonOf returns err's Reason, or "" when err is no Failure.
func ReasonOf(err error) Reason {
	var f *Failure
	if errors.As(err, &f) {
		return f.Reason
	}
	return ""
}

// LockInfo is who holds a state lock, as Terraform reports it.
type LockInfo struct {
	ID        string `json:"ID"`
	Path      string `json:"Path,omitempty"`
	Operation string `json:"Operation,omitempty"`
	Who       string `json:"Who,omitempty"`
	Version   string `json:"Version,omitempty"`
	Created   string `json:"Created,omitempty"`
	Info      string `json:"Info,omitempty"`
}

// Summaries of the diagnostics Terraform reports for the cases the
// actions tell apart (internal/command/clistate and internal/backend).
const (
	summaryLocked = "Error acquiring the state lock"
	summaryStale  = "Saved plan is stale"
)

// classify turns the error diagnostics of a failed plan or apply into a
// Failure; other is the reason when no diagnostic says more.
func classify(diags []Diagnostic, other Reason) *Failure {
	for _, d := range diags {
		switch d.Summary {
		case summaryLocked:
			return &Failure{Reason: ReasonStateLocked, Err: errors.New("another operation holds the state lock"), Lock: parseLockInfo(d.Detail)}
		case summaryStale:
			return failf(ReasonPlanStale, "the state changed after the plan was made; plan again and review the new plan")
		}
	}
	if len(diags) == 0 {
		return failf(other, "terraform failed without a diagnostic; see the log above")
	}
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Summary)
	}
	return failf(other, "%s", strings.Join(msgs, "; "))
}

// parseLockInfo reads the "Lock Info:" block of a lock diagnostic's
// detail; nil when there is none.
func parseLockInfo(detail string) *LockInfo {
	sc := bufio.NewScanner(strings.NewReader(detail))
	in := false
	var li LockInfo
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "Lock Info:" {
			in = true
			continue
		}
		if !in {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(line, "  ") {
			break
		}
		value = strings.TrimSpace(value)
		switch key {
		case "ID":
			li.ID = value
		case "Path":
			li.Path = value
		case "Operation":
			li.Operation = value
		case "Who":
			li.Who = value
		case "Version":
			li.Version = value
		case "Created":
			li.Created = value
		case "Info":
			li.Info = value
		}
	}
	if li.ID == "" {
		return nil
	}
	return &li
}
