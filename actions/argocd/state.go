package argocd

import (
	"fmt"
	"strings"
	"time"
)

// InProgress reports whether an operation is still running on the
// application, by Argo CD's own rules: the operation field is set, the
// operation state has not finished, or (not for a dry run) the controller
// has not reconciled the application since it finished.
func InProgress(a *Application) bool {
	if a.Operation != nil {
		return true
	}
	st := a.Status.OperationState
	if st == nil {
		return false
	}
	if st.FinishedAt == "" || st.Phase == PhaseRunning || st.Phase == PhaseTerminating {
		return true
	}
	if st.Operation.Sync != nil && st.Operation.Sync.DryRun {
		return false
	}
	return before(a.Status.ReconciledAt, st.FinishedAt)
}

// before reports a < b for RFC 3339 times; an unreadable or missing a
// counts as before.
func before(a, b string) bool {
	ta, err := time.Parse(time.RFC3339, a)
	if err != nil {
		return true
	}
	tb, err := time.Parse(time.RFC3339, b)
	if err != nil {
		return false
	}
	return ta.Before(tb)
}

// Revisions are the revisions the application's sync status is at (one
// per source).
func Revisions(a *Application) []string {
	if len(a.Status.Sync.Revisions) > 0 {
		return a.Status.Sync.Revisions
	}
	if a.Status.Sync.Revision != "" {
		return []string{a.Status.Sync.Revision}
	}
	return nil
}

// SameRevision compares revisions: equal strings, or for commit SHAs a
// prefix of at least 7 hex digits either way (short SHAs).
func SameRevision(got, want string) bool {
	got, want = strings.ToLower(strings.TrimSpace(got)), strings.ToLower(strings.TrimSpace(want))
	if got == "" || want == "" {
		return false
	}
	if got == want {
		return true
	}
	if !isHex(got) || !isHex(want) || len(got) < 7 || len(want) < 7 {
		return false
	}
	return strings.HasPrefix(got, want) || strings.HasPrefix(want, got)
}

// AtRevision reports whether the application's sync status is at want.
func AtRevision(a *Application, want string) bool {
	for _, r := range Revisions(a) {
		if SameRevision(r, want) {
			return true
		}
	}
	return false
}

func isHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ShortRevision shortens commit SHAs for messages.
func ShortRevision(r string) string {
	if len(r) == 40 && isHex(strings.ToLower(r)) {
		return r[:7]
	}
	return r
}

// phase is the application's last operation phase, or "".
func phase(a *Application) string {
	if st := a.Status.OperationState; st != nil {
		return st.Phase
	}
	return ""
}

// describe is a one-line account of the application's state for logs.
func describe(a *Application) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sync %s, health %s", orUnknown(a.Status.Sync.Status), orUnknown(a.Status.Health.Status))
	if rev := Revisions(a); len(rev) > 0 {
		short := make([]string, len(rev))
		for i, r := range rev {
			short[i] = ShortRevision(r)
		}
		fmt.Fprintf(&b, ", revision %s", strings.Join(short, ","))
	}
	if st := a.Status.OperationState; st != nil {
		fmt.Fprintf(&b, ", operation %s", st.Phase)
		if st.Operation.InitiatedBy.Automated {
			b.WriteString(" (automated)")
		} else if u := st.Operation.InitiatedBy.Username; u != "" {
			fmt.Fprintf(&b, " (by %s)", u)
		}
		if InProgress(a) && st.Phase != PhaseRunning && st.Phase != PhaseTerminating {
			b.WriteString(", in progress")
		}
		if st.Message != "" {
			fmt.Fprintf(&b, ": %s", st.Message)
		}
	} else if a.Operation != nil {
		b.WriteString(", operation requested")
	}
	if a.Status.Health.Message != "" && a.Status.Health.Status != HealthHealthy {
		fmt.Fprintf(&b, " (health: %s)", a.Status.Health.Message)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}
