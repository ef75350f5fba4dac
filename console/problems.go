package console

import (
	"fmt"
	"io"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// ListProblems prints, for anvil exec -l, the problems of the planned
// workflows, saying which would fail at once. It reports whether one would.
func ListProblems(w io.Writer, plan *plan.Plan) bool {
	failing := false
	for _, wf := range plan.Workflows {
		if len(wf.Problems) == 0 {
			continue
		}
		errs := 0
		for _, p := range wf.Problems {
			if p.IsError() {
				errs++
			}
		}
		if errs > 0 {
			failing = true
			found := "1 error"
			if errs > 1 {
				found = fmt.Sprintf("%d errors", errs)
			}
			fmt.Fprintf(w, "anvil: %s has %s, so its jobs would fail at once:\n", wf.File, found)
		}
		for _, p := range wf.Problems {
			fmt.Fprintf(w, "%s: %s\n", severityOf(p), p)
		}
	}
	return failing
}

// severityOf names p's severity.
func severityOf(p plan.Problem) plan.Severity {
	if p.IsError() {
		return plan.SeverityError
	}
	return plan.SeverityWarning
}
