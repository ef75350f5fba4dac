package expr

import (
	"testing"
)

func TestCondition(t *testing.T) {
	t.Parallel()
	var (
		ok        = Status{}
		failed    = Status{Failed: true}
		cancelled = Status{Cancelled: true}
		both      = Status{Failed: true, Cancelled: true}
		skipped   = Status{Skipped: true}
	)
	tests := []struct {
		name   string
		cond   string
		level  Level
		status Status
		want   bool
	}{
		{"empty is success", "", LevelStep, ok, true},
		{"empty after failure", "  ", LevelStep, failed, false},
		{"empty after cancel", "", LevelStep, cancelled, false},
		{"success", "success()", LevelStep, ok, true},
		{"success after failure", "success()", LevelStep, failed, false},
		{"success after cancel", "${{ success() }}", LevelStep, cancelled, false},
		{"failure", "failure()", LevelStep, failed, true},
		{"failure when fine", "failure()", LevelStep, ok, false},
		{"failure when only cancelled", "failure()", LevelStep, cancelled, false},
		{"cancelled", "cancelled()", LevelStep, cancelled, true},
		{"cancelled when failed", "cancelled()", LevelStep, failed, false},
		{"always after failure", "always()", LevelStep, failed, true},
		{"always after cancel", "${{ always() }}", LevelStep, cancelled, true},
		{"not cancelled after failure", "!cancelled()", LevelStep, failed, true},
		{"not cancelled when cancelled", "${{ !cancelled() }}", LevelStep, cancelled, false},
		{"status names are case-insensitive", "SUCCESS() || Failure()", LevelStep, failed, true},
		{"implicit success holds", "github.ref == 'refs/heads/main'", LevelStep, ok, true},
		{"implicit success after failure", "github.ref == 'refs/heads/main'", LevelStep, failed, false},
		{"implicit success wrapped", "${{ github.ref == 'refs/heads/main' }}", LevelStep, ok, true},
		{"implicit success false condition", "${{ github.ref == 'refs/heads/dev' }}", LevelStep, ok, false},
		{"implicit success keeps or inside", "false || true", LevelStep, failed, false},
		{"status name in a string is no status call", "'always()' != ''", LevelStep, failed, false},
		{"status name as a property is no status call", "steps.always || true", LevelStep, failed, false},
		{"failure with step outcome", "failure() && steps.lint.outcome == 'failure'", LevelStep, failed, true},
		{"always and input", "always() && inputs.debug", LevelStep, cancelled, true},
		{"string is truthy", "inputs.name", LevelStep, ok, true},
		{"empty string is falsy", "env.EMPTY", LevelStep, ok, false},
		{"zero is falsy", "0", LevelStep, ok, false},
		{"nan is falsy", "NaN", LevelStep, ok, false},
		{"null is falsy", "env.MISSING", LevelStep, ok, false},
		{"object is truthy", "github.event", LevelStep, ok, true},
		{"alias", "forgejo.event_name == 'push'", LevelStep, ok, true},
		{"template is a non-empty string", "sha ${{ github.sha }} == 'x'", LevelStep, ok, true},
		{"template after failure", "sha ${{ github.sha }}", LevelStep, failed, false},
		{"short circuit skips evaluation errors", "fromJSON('x')", LevelStep, failed, false},
		{"job empty", "", LevelJob, ok, true},
		{"job empty after needed job skipped", "", LevelJob, skipped, false},
		{"job failure after needed job skipped", "failure()", LevelJob, skipped, false},
		{"job always after needed job skipped", "always()", LevelJob, skipped, true},
		{"job empty after needed job failed", "", LevelJob, failed, false},
		{"job failure", "failure()", LevelJob, failed, true},
		{"job cancelled and failed", "cancelled()", LevelJob, both, true},
		{"job failure when cancelled and failed", "failure()", LevelJob, both, true},
		{"job success when cancelled", "success()", LevelJob, cancelled, false},
		{"job always", "always()", LevelJob, both, true},
		{"job needs result", "always() && needs.test.result == 'failure'", LevelJob, failed, true},
		{"job implicit success with needs", "${{ needs.build.outputs.artifact != '' }}", LevelJob, failed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := testContexts(t)
			c.Status = tt.status
			got, err := c.Condition(tt.cond, tt.level)
			if err != nil {
				t.Fatalf("Condition(%q, %v) error: %v", tt.cond, tt.level, err)
			}
			if got != tt.want {
				t.Errorf("Condition(%q, %v) with %+v = %v, want %v", tt.cond, tt.level, tt.status, got, tt.want)
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cond  string
		level Level
		want  string
	}{
		{"unknown level", "true", Level(7), `evaluating condition "true": unknown level Level(7): use LevelStep or LevelJob`},
		{"unknown context", "${{ foo }}", LevelStep, `evaluating ${{ foo }}: unknown context "foo": use one of github (or forgejo, gitea), env, vars, secrets, inputs, job, jobs, steps, runner, strategy, matrix, needs`},
		{"evaluation error when it runs", "fromJSON('x')", LevelJob, "evaluating ${{ fromJSON('x') }}: invalid JSON: invalid character 'x' looking for beginning of value"},
		{"syntax error even after failure", "success() ==", LevelStep, "evaluating ${{ success() == }}: failed to parse: unexpected end of input while parsing variable access, function call, null, bool, int, float or string. expecting \"IDENT\", \"(\", \"INTEGER\", \"FLOAT\", \"STRING\""},
		{"template error", "a ${{ frobnicate() }}", LevelStep, `evaluating ${{ frobnicate() }}: unknown function "frobnicate": use one of contains, startsWith, endsWith, format, join, toJSON, fromJSON, hashFiles, success, failure, cancelled, always`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := testContexts(t)
			got, err := c.Condition(tt.cond, tt.level)
			if err == nil {
				t.Fatalf("Condition(%q, %v) = %v, want error %q", tt.cond, tt.level, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Condition(%q, %v) error = %q, want %q", tt.cond, tt.level, err, tt.want)
			}
		})
	}
}
