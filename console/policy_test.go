package console

import (
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

func TestPrintPolicyTests(t *testing.T) {
	t.Parallel()
	pass := policy.TestResult{Test: policy.Test{Name: "ok", File: "p.yaml", Line: 3}}
	fail := policy.TestResult{Test: policy.Test{Name: "denies latest", File: "p.yaml", Line: 9},
		Failures: []string{`rule "pinned" allowed, want deny`, `rule "x" warned, want allow`}}
	tests := []struct {
		name       string
		results    []policy.TestResult
		wantFailed int
		want       string
	}{
		{name: "no tests", want: ""},
		{name: "all pass", results: []policy.TestResult{pass, pass}, want: "policy tests: 2 passed, 0 failed\n"},
		{name: "one fails", results: []policy.TestResult{pass, fail}, wantFailed: 1,
			want: "FAIL test p.yaml:9 \"denies latest\"\n        rule \"pinned\" allowed, want deny\n        rule \"x\" warned, want allow\npolicy tests: 1 passed, 1 failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if got := PrintPolicyTests(&b, tt.results); got != tt.wantFailed {
				t.Errorf("PrintPolicyTests = %d, want %d", got, tt.wantFailed)
			}
			if b.String() != tt.want {
				t.Errorf("printed:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestPrintDecisions(t *testing.T) {
	t.Parallel()
	in := &policy.Input{Job: policy.Job{Workflow: "ci.yml", Key: "build (linux)", RunsOn: []string{"docker", "linux"}}}
	allow := policy.Decision{Rule: "pinned", Outcome: policy.OutcomeAllow}
	deny := policy.Decision{Rule: "no-latest", Outcome: policy.OutcomeDeny, Message: "pin the image", Values: []string{"node:latest"}}
	warn := policy.Decision{Rule: "timeout", Outcome: policy.OutcomeWarn, Message: "set timeout-minutes"}
	tests := []struct {
		name       string
		decisions  []policy.Decision
		wantDenied int
		want       string
	}{
		{name: "no rules", want: "ci.yml: build (linux) (runs-on: docker, linux)\n"},
		{name: "allowed and warned", decisions: []policy.Decision{allow, warn},
			want: "ci.yml: build (linux) (runs-on: docker, linux)\n  allow  pinned\n  warn   policy rule \"timeout\" warns: set timeout-minutes\n"},
		{name: "denied", decisions: []policy.Decision{deny, allow}, wantDenied: 1,
			want: "ci.yml: build (linux) (runs-on: docker, linux)\n  deny   policy rule \"no-latest\" denies this job: pin the image (value: \"node:latest\")\n  allow  pinned\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if got := PrintDecisions(&b, in, tt.decisions); got != tt.wantDenied {
				t.Errorf("PrintDecisions = %d, want %d", got, tt.wantDenied)
			}
			if b.String() != tt.want {
				t.Errorf("printed:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}
