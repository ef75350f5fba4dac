package policy

import (
	"fmt"
	"slices"
)

// TestResult is the outcome of one case of a tests block.
type TestResult struct {
	Test Test
	// Failures say, per rule, what it decided and what was expected;
	// empty when the case passed.
	Failures []string
}

// Passed reports whether the case passed.
func (r TestResult) Passed() bool { return len(r.Failures) == 0 }

// RunTests runs every file's tests block against that file's rules (a
// file's tests know nothing of the other files' rules).
func (p *Policy) RunTests() []TestResult {
	var out []TestResult
	for _, f := range p.files {
		for _, t := range f.tests {
			in := t.Input
			res := TestResult{Test: t}
			for _, d := range f.evaluate(&in, nil) {
				want := OutcomeAllow
				switch {
				case slices.Contains(t.Deny, d.Rule):
					want = OutcomeDeny
				case slices.Contains(t.Warn, d.Rule):
					want = OutcomeWarn
				}
				if d.Outcome != want {
					res.Failures = append(res.Failures, fmt.Sprintf("rule %q: got %s, want %s (%s)", d.Rule, d.Outcome, want, d.Line()))
				}
			}
			out = append(out, res)
		}
	}
	return out
}

// Tests returns the number of test cases in the policy's files.
func (p *Policy) Tests() int {
	n := 0
	for _, f := range p.files {
		n += len(f.tests)
	}
	return n
}
