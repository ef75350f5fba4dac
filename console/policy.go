package console

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// PrintPolicyTests writes each failed test of a policy with why, then a
// count (nothing without tests), and returns how many failed (anvil
// policy test).
func PrintPolicyTests(w io.Writer, results []policy.TestResult) int {
	failed := 0
	for _, r := range results {
		if r.Passed() {
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL test %s:%d %q\n", r.Test.File, r.Test.Line, r.Test.Name)
		for _, f := range r.Failures {
			fmt.Fprintf(w, "        %s\n", f)
		}
	}
	if len(results) > 0 {
		fmt.Fprintf(w, "policy tests: %d passed, %d failed\n", len(results)-failed, failed)
	}
	return failed
}

// PrintDecisions writes one job's line and each rule's decision on it,
// and returns 1 when one of them denies the job, else 0.
func PrintDecisions(w io.Writer, in *policy.Input, ds []policy.Decision) int {
	fmt.Fprintf(w, "%s: %s (runs-on: %s)\n", in.Job.Workflow, in.Job.Key, strings.Join(in.Job.RunsOn, ", "))
	denied := 0
	for _, d := range ds {
		switch d.Outcome {
		case policy.OutcomeAllow:
			fmt.Fprintf(w, "  allow  %s\n", d.Rule)
		case policy.OutcomeDeny:
			denied = 1
			fmt.Fprintf(w, "  deny   %s\n", d.Line())
		default:
			fmt.Fprintf(w, "  warn   %s\n", d.Line())
		}
	}
	return denied
}
