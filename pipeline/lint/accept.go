package lint

import (
	"strings"

	"github.com/rhysd/actionlint"
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
}

// githubPolicies are actionlint findings about how github.com runs
// workflows rather than about the workflow: anvil runs an action whatever
// Node version it was written for.
var githubPolicies = []struct{ rule, substring string }{
	{"action", "is too old to run on GitHub Actions"},
}

// acceptedByForgejo reports whether e is about something Forgejo and
// anvil accept, so that it is no problem here.
func acceptedByForgejo(e *actionlint.Error) bool {
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
	return false
}

// advisory reports whether e leaves the workflow running as written: it
// points at a risk or a likely mistake, not at something that fails.
func advisory(e *actionlint.Error) bool {
	switch e.Kind {
	case "syntax-check":
		// A run step with with:, or an action step with shell: or
		// working-directory:, runs; the key does nothing. (A step with
		// both run and uses is anvil's error.)
		return strings.HasPrefix(e.Message, "this step is for running ")
	case "credentials", // a password written in the file works, but leaks
		"deprecated-commands", // set-output and save-state still work; set-env fails at run time with its own message
		"if-cond",             // a constant condition is evaluated as written
		"permissions":         // anvil gives jobs no GitHub token scopes to restrict
		return true
	case "expression":
		// Untrusted input in a script is an injection risk, not an error.
		// A secret that a reusable workflow does not declare is there
		// when the caller passes secrets: inherit, and empty otherwise.
		return strings.Contains(e.Message, "is potentially untrusted") || undeclaredSecret(e.Message)
	case "action":
		// Undeclared or missing action inputs: the action runs with the
		// inputs it gets, as on GitHub.
		return strings.HasPrefix(e.Message, "input ") || strings.HasPrefix(e.Message, "missing input ")
	}
	return false
}

// undeclaredSecret reports whether msg is actionlint's "property is not
// defined" about the secrets context of a reusable workflow, which it
// types from on.workflow_call.secrets (always with github_token and the
// debug secrets).
func undeclaredSecret(msg string) bool {
	return strings.HasPrefix(msg, "property ") &&
		strings.Contains(msg, "actions_step_debug: string") &&
		strings.Contains(msg, "github_token: string")
}
