package lint

import (
	"strings"

	"github.com/rhysd/actionlint"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// forgejoOnly are actionlint findings about what Forgejo accepts and
// GitHub does not, by rule and the start of the message. actionlint has no
// option for them, so they are recognised by their text (pinned by the
// actionlint version in go.mod and by this package's tests).
var forgejoOnly = []struct{ rule, prefix string }{
	// Forgejo's workflow key for mails about failed runs.
	{"syntax-check", `unexpected key "enable-email-notifications" for "workflow" section`},
	// Forgejo's command override for service containers.
	{"syntax-check", `unexpected key "cmd" for "services" section`},
	// Forgejo's event for comments on pull requests.
	{"events", `unknown Webhook event "pull_request_comment"`},
	// Keys GitHub accepts that actionlint's schema lacks: GitHub's queue
	// of pending runs, and filters on create (accepted, not applied, by
	// GitHub, Gitea and Forgejo alike) and merge_group.
	{"syntax-check", `unexpected key "queue" for "concurrency" section`},
	{"events", `"branches" filter is not available for create event`},
	{"events", `"branches-ignore" filter is not available for create event`},
	{"events", `"tags" filter is not available for create event`},
	{"events", `"tags-ignore" filter is not available for create event`},
	{"events", `"branches" filter is not available for merge_group event`},
	{"events", `"branches-ignore" filter is not available for merge_group event`},
}

// githubPolicies are actionlint findings about how github.com runs
// workflows rather than about the workflow: anvil runs an action whatever
// Node version it was written for.
var githubPolicies = []struct{ rule, substring string }{
	{"action", "is too old to run on GitHub Actions"},
}

// accepted reports whether e is about something Forgejo and anvil accept,
// so that it is no problem here: Forgejo's own keys and events, the keys
// GitHub accepts beyond actionlint's schema, secrets in if:, cron
// descriptors, scalars that arrive quoted, and (in a forge task) what the
// forge's re-serialisation changed. src is the text actionlint read.
func (c *check) accepted(e *actionlint.Error) bool {
	for _, f := range forgejoOnly {
		if e.Kind == f.rule && strings.HasPrefix(e.Message, f.prefix) {
			return true
		}
	}
	for _, p := range githubPolicies {
		if e.Kind == p.rule && strings.Contains(e.Message, p.substring) {
			return true
		}
	}
	switch {
	case e.Kind == "events" && cronDescriptor(e.Message):
		return true
	case e.Kind == "syntax-check" && c.quotedLiteral(e):
		return true
	case e.Kind == "expression" && strings.HasPrefix(e.Message, `context "secrets" is not allowed here`) && c.inCondition(e.Line):
		return true
	case c.task && e.Kind == "syntax-check" && runsOnOfCall(e.Message):
		return true
	case c.task && aboutExternalNeed(e, c.outside):
		return true
	}
	return false
}

// severity says whether actionlint's finding e stops the workflow. It is
// an error only when GitHub or Forgejo would fail the job too: an
// expression that does not lex or parse, a name that is no context or
// function (or a function called with the wrong number of arguments),
// needs naming no job or forming a cycle, and container options or
// volumes the Docker executor refuses (ruleContainer). Everything else (unknown
// keys, types that do not fit, properties a context may not have, risks)
// is a warning; anvil's parser reports what makes a job impossible to
// build. Under on: (input descriptions and defaults) nothing is evaluated
// when a job starts, so nothing there is an error.
func (c *check) severity(e *actionlint.Error) plan.Severity {
	switch e.Kind {
	case ruleContainer:
		return plan.SeverityError // the executor refuses the job
	case "expression":
		if blocking(e.Message) && !c.inOn(e.Line) {
			return plan.SeverityError
		}
	case "job-needs":
		if strings.Contains(e.Message, "which does not exist in this workflow") || strings.HasPrefix(e.Message, "cyclic dependencies") {
			return plan.SeverityError
		}
	}
	return plan.SeverityWarning
}

// blockingExpression are the starts of actionlint's messages about
// expressions that fail wherever they run: lexer and parser errors, and
// undefined names.
var blockingExpression = []string{
	"got unexpected ",                        // lexer
	"unexpected EOF while lexing expression", // lexer
	"scan error while lexing expression",     // lexer
	"unexpected ",                            // parser: "unexpected token ... while parsing"
	"parser did not reach end of input",      // parser
	"parsing invalid integer literal",        // parser
	"parsing invalid float literal",          // parser
	"undefined variable ",                    // ${{ foo }} with no such context
	"undefined function ",                    // ${{ foo() }}
	"number of arguments is wrong",           // ${{ format('{0}') }}
}

// runsOnOfCall reports whether msg is actionlint's objection to the
// runs-on: [] that Gitea and Forgejo write into the payload of a job that
// calls a reusable workflow. The forge has matched a task's job to the
// runner already, so its runs-on is never a problem.
func runsOnOfCall(msg string) bool {
	return strings.HasPrefix(msg, `when a reusable workflow is called with "uses", "runs-on" is not available`) ||
		strings.HasPrefix(msg, `"runs-on" section should not be empty`)
}
