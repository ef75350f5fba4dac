package expr

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		expr string
		want any
	}{
		// github, as data: keys act's GithubContext lacks stay reachable.
		{"github sha", "github.sha", "4f3c2b1a0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"},
		{"github key act lacks", "github.server_url", "https://codeberg.org"},
		{"github event property", "github.event.pusher.login", "alice"},
		{"github event number", "github.event.total_commits", 2.0},
		{"github event bool", "github.event.forced", false},
		{"github index access", "github['event']['ref']", "refs/heads/main"},
		{"github array index", "github.event.commits[1].author.name", "Bob"},
		{"github array index out of range", "github.event.commits[5]", nil},
		{"github missing key is null", "github.missing", nil},
		{"github missing nested is null", "github.event.missing.deeper", nil},
		{"context names are case-insensitive", "GITHUB.Event.Pusher.LOGIN", "alice"},
		{"object filter on array", "github.event.commits.*.id", []any{"1111", "2222"}},
		{"object filter nested", "github.event.commits.*.author.name", []any{"Alice", "Bob"}},
		{"object filter on typed map", "contains(needs.*.result, 'failure')", true},
		{"object filter on steps", "contains(steps.*.outcome, 'failure')", true},
		{"object filter no match", "contains(needs.*.result, 'cancelled')", false},
		// forgejo and gitea are github.
		{"forgejo alias", "forgejo.sha", "4f3c2b1a0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"},
		{"gitea alias", "gitea.ref_name", "main"},
		{"alias case-insensitive", "FORGEJO.event.repository.name", "demo"},
		{"alias equals github", "toJSON(forgejo) == toJSON(github) && toJSON(gitea) == toJSON(github)", true},
		{"alias in string untouched", "format('{0}/{1}', 'forgejo', 'gitea')", "forgejo/gitea"},
		{"alias as property untouched", "github.forgejo", nil},
		{"alias as index untouched", "github['gitea']", nil},
		// Other contexts.
		{"env", "env.GREETING", "hello"},
		{"env case-insensitive key", "env.greeting", "hello"},
		{"env missing", "env.MISSING", nil},
		{"env empty", "env.EMPTY", ""},
		{"vars", "vars.DEPLOY_TARGET", "staging"},
		{"secrets", "secrets.TOKEN", "s3cret"},
		{"inputs bool", "inputs.debug", true},
		{"inputs number", "inputs.count", 3.0},
		{"job status", "job.status", "success"},
		{"job services", "job.services.db.ports['5432']", "49153"},
		{"steps output", "steps.build.outputs.version", "1.2.3"},
		{"steps outcome", "steps.lint.outcome", "failure"},
		{"steps conclusion", "steps.lint.conclusion", "success"},
		{"steps missing", "steps.missing.outputs.x", nil},
		{"runner", "runner.os", "Linux"},
		{"strategy dashed key", "strategy.job-index", 1.0},
		{"strategy index", "strategy['fail-fast']", true},
		{"matrix", "matrix.os", "ubuntu"},
		{"matrix array", "matrix.flags[0]", "a"},
		{"needs output", "needs.build.outputs.artifact", "app.tar"},
		{"needs result", "needs.test.result", "failure"},
		{"jobs output", "jobs.deploy.outputs.url", "https://demo.example.org"},
		// Literals.
		{"null", "null", nil},
		{"true", "true", true},
		{"int", "42", 42},
		{"negative int", "-2", -2},
		{"hex int", "0xff", 255},
		{"float", "1.5", 1.5},
		{"exponent", "1e3", 1000.0},
		{"int beyond 32 bits", "12345678901", 12345678901.0},
		{"string with quote", "'it''s'", "it's"},
		{"infinity", "Infinity", math.Inf(1)},
		{"nan", "NaN", math.NaN()},
		// Operators, with GitHub's loose equality.
		{"empty string equals zero", "'' == 0", true},
		{"null equals zero", "null == 0", true},
		{"null equals empty string", "null == ''", true},
		{"strings compare case-insensitively", "'abc' == 'ABC'", true},
		{"not equal", "'abc' != 'abd'", true},
		{"number string equals number", "'1.0' == 1", true},
		{"hex string equals number", "'0x10' == 16", true},
		{"true equals one", "true == 1", true},
		{"false equals zero", "false == 0", true},
		{"string true is not true", "'true' == true", false},
		{"nan is not nan", "NaN == NaN", false},
		{"nan not equal", "NaN != NaN", true},
		{"nan compares false", "'abc' < 1 || 'abc' >= 1", false},
		{"less", "1 < 2", true},
		{"less or equal", "2 <= 2", true},
		{"greater", "'B' > 'a'", true},
		{"greater or equal", "1 >= 2", false},
		{"null less than one", "null < 1", true},
		{"number from json equals int", "inputs.count == 3", true},
		{"big int equals float", "12345678901 == 12345678901.0", true},
		{"not zero", "!0", true},
		{"not empty string", "!''", true},
		{"not string", "!'a'", false},
		{"not null", "!null", true},
		{"not object", "!github.event", false},
		{"and returns right", "1 && 'x'", "x"},
		{"and returns falsy left", "0 && 'x'", 0},
		{"or returns right", "'' || 'fallback'", "fallback"},
		{"or null fallback", "env.MISSING || 'default'", "default"},
		{"or returns truthy left", "'a' || 'b'", "a"},
		{"and binds tighter than or", "true || false && false", true},
		{"grouping", "!(1 == 2) && (2 > 1)", true},
		// Functions.
		{"contains string", "contains('Hello World', 'world')", true},
		{"contains array", "contains(github.event.repository.topics, 'CI')", true},
		{"contains array miss", "contains(github.event.repository.topics, 'go')", false},
		{"contains number array", "contains(fromJSON('[1, 2]'), 2)", true},
		{"startsWith", "startsWith(github.ref, 'refs/heads/')", true},
		{"startsWith case-insensitive", "startsWith('Abc', 'a')", true},
		{"endsWith", "endsWith(github.repository, '/DEMO')", true},
		{"format", "format('{0} {1}!', 'Hello', github.actor)", "Hello alice!"},
		{"format escapes", "format('{{{0}}}', 'x')", "{x}"},
		{"format reuses an argument", "format('{0}-{0}', 'a')", "a-a"},
		{"format number", "format('{0}', 3.0)", "3"},
		{"format null", "format('[{0}]', null)", "[]"},
		{"join default separator", "join(github.event.repository.topics)", "ci,forgejo"},
		{"join separator", "join(github.event.commits.*.id, ' | ')", "1111 | 2222"},
		{"join string", "join('abc', '-')", "abc"},
		{"toJSON array", "toJSON(matrix.flags)", "[\n  \"a\",\n  \"b\"\n]"},
		{"toJSON object", "toJSON(github.event.pusher)", "{\n  \"email\": \"alice@example.org\",\n  \"login\": \"alice\"\n}"},
		{"toJSON null", "toJSON(null)", "null"},
		{"toJSON nil context is empty object", "toJSON(steps.build.outputs)", "{\n  \"version\": \"1.2.3\"\n}"},
		{"fromJSON object", `fromJSON('{"a": [1, true]}')`, map[string]any{"a": []any{1.0, true}}},
		{"fromJSON string", `fromJSON('"s"')`, "s"},
		{"fromJSON round trip", "fromJSON(toJSON(matrix)).os", "ubuntu"},
		{"fromJSON index", "fromJSON('[1, 2]')[1]", 2.0},
		{"function names are case-insensitive", "CONTAINS('a', 'A') && StartsWith('ab', 'a') && toJson(1) == '1' && FROMJSON('1') == 1", true},
		{"success", "success()", true},
		{"failure", "failure()", false},
		{"cancelled", "cancelled()", false},
		{"always", "always()", true},
		// With ${{ }}.
		{"wrapped", "${{ github.actor }}", "alice"},
		{"wrapped keeps type", "  ${{ inputs.count }}  ", 3.0},
		{"wrapped string with braces", "${{ 'a}}b' }}", "a}}b"},
		{"template interpolates", "by ${{ github.actor }}", "by alice"},
	}
	c := testContexts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Evaluate(tt.expr)
			if err != nil {
				t.Fatalf("Evaluate(%q) error: %v", tt.expr, err)
			}
			if diff := cmp.Diff(got, tt.want, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("Evaluate(%q) mismatch (-got +want):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestEvaluateZeroContexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		expr string
		want any
	}{
		{"nil github reads as empty object", "toJSON(github)", "{}"},
		{"nil env reads as empty object", "toJSON(env)", "{}"},
		{"nil steps reads as empty object", "toJSON(steps)", "{}"},
		{"nil needs reads as empty object", "toJSON(needs)", "{}"},
		{"missing property is null", "github.event.ref", nil},
		{"missing step is null", "steps.build.outputs.x", nil},
		{"object filter over nothing", "join(needs.*.result)", ""},
		{"status defaults to success", "success()", true},
	}
	var c Contexts
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Evaluate(tt.expr)
			if err != nil {
				t.Fatalf("Evaluate(%q) error: %v", tt.expr, err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Evaluate(%q) mismatch (-got +want):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		expr    string
		want    string
		invalid bool // the error wraps ErrInvalid
	}{
		{"invalid JSON", "fromJSON('x')", "evaluating ${{ fromJSON('x') }}: invalid JSON: invalid character 'x' looking for beginning of value", false},
		{"fromJSON of a number", "${{ fromJSON(1) }}", "evaluating ${{ fromJSON(1) }}: cannot parse non-string type int as JSON", false},
		{"unknown context", "foo.bar == 1", `evaluating ${{ foo.bar == 1 }}: unknown context "foo": use one of github (or forgejo, gitea), env, vars, secrets, inputs, job, jobs, steps, runner, strategy, matrix, needs`, true},
		{"unknown function", "frobnicate(1)", `evaluating ${{ frobnicate(1) }}: unknown function "frobnicate": use one of contains, startsWith, endsWith, format, join, toJSON, fromJSON, hashFiles, success, failure, cancelled, always`, true},
		{"too few arguments", "contains('a')", "evaluating ${{ contains('a') }}: contains() takes 2 argument(s), got 1", true},
		{"too many arguments", "toJSON(1, 2)", "evaluating ${{ toJSON(1, 2) }}: toJSON() takes 1 argument(s), got 2", true},
		{"no arguments", "join()", "evaluating ${{ join() }}: join() takes 1 to 2 arguments, got 0", true},
		{"variadic without arguments", "format()", "evaluating ${{ format() }}: format() takes at least 1 argument(s), got 0", true},
		{"arguments in nested call", "contains(format('{0}', 1, 2), toJSON())", "evaluating ${{ contains(format('{0}', 1, 2), toJSON()) }}: toJSON() takes 1 argument(s), got 0", true},
		{"status function with argument", "success(1)", "evaluating ${{ success(1) }}: success() takes no arguments", true},
		{"format index beyond arguments", "format('{0} {1}', 'a')", `evaluating ${{ format('{0} {1}', 'a') }}: format string "{0} {1}" references argument {1} but only 1 argument(s) follow it`, true},
		{"format bad index", "format('{x}', 1)", `evaluating ${{ format('{x}', 1) }}: format string "{x}" has "{x}" where {N} with a number N was expected: write {{ for a literal {`, true},
		{"format unclosed", "format('{0', 1)", `evaluating ${{ format('{0', 1) }}: format string "{0" has a { that is not closed: write {{ for a literal {`, true},
		{"format stray closing brace", "format('}', 1)", `evaluating ${{ format('}', 1) }}: format string "}" has a } that closes nothing: write }} for a literal }`, true},
		{"computed format string that panics act", "format(format('{0}', '}x'))", "evaluating ${{ format(format('{0}', '}x')) }}: invalid format parser state", false},
		{"computed format index beyond arguments", "format(format('{0}1{1}', '{', '}'))", "evaluating ${{ format(format('{0}1{1}', '{', '}')) }}: the following format string references more arguments than were supplied: '{1}'", false},
		{"incomplete comparison", "1 ==", "evaluating ${{ 1 == }}: failed to parse: unexpected end of input while parsing variable access, function call, null, bool, int, float or string. expecting \"IDENT\", \"(\", \"INTEGER\", \"FLOAT\", \"STRING\"", true},
		{"double quotes", `"x" == 'x'`, `evaluating ${{ "x" == 'x' }}: got unexpected character '"' while lexing expression, expecting 'a'..'z', 'A'..'Z', '_', '0'..'9', ''', '}', '(', ')', '[', ']', '.', '!', '<', '>', '=', '&', '|', '*', ',', ' '. do you mean string literals? only single quotes are available for string delimiter`, true},
		{"unterminated string", "'abc", "evaluating ${{ 'abc }}: got unexpected EOF while lexing end of string literal, expecting '''", true},
		{"closing braces in the middle", "1 == 1 }} 2", "evaluating ${{ 1 == 1 }} 2 }}: unexpected }} in the middle of the expression: quote it as a string ('}}')", true},
		{"empty", "${{ }}", "evaluating ${{  }}: failed to parse: unexpected end of input while parsing variable access, function call, null, bool, int, float or string. expecting \"IDENT\", \"(\", \"INTEGER\", \"FLOAT\", \"STRING\"", true},
		{"hashFiles without workspace", "hashFiles('**')", "evaluating ${{ hashFiles('**') }}: hashFiles needs a workspace: set Contexts.Workspace to the checkout directory", false},
		{"hashFiles with a number", "hashFiles(1)", "evaluating ${{ hashFiles(1) }}: hashFiles argument 1 is a number, not a string: pass glob patterns such as '**/go.sum'", false},
	}
	c := testContexts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Evaluate(tt.expr)
			if err == nil {
				t.Fatalf("Evaluate(%q) = %#v, want error %q", tt.expr, got, tt.want)
			}
			if diff := cmp.Diff(err.Error(), tt.want); diff != "" {
				t.Errorf("Evaluate(%q) error mismatch (-got +want):\n%s", tt.expr, diff)
			}
			var exprErr *Error
			if !errors.As(err, &exprErr) {
				t.Errorf("Evaluate(%q) error %T is not an *Error", tt.expr, err)
			}
			if got := errors.Is(err, ErrInvalid); got != tt.invalid {
				t.Errorf("errors.Is(Evaluate(%q), ErrInvalid) = %v, want %v", tt.expr, got, tt.invalid)
			}
		})
	}
}
