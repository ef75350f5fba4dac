// Package expr evaluates GitHub Actions expressions (${{ ... }}) with
// nektos/act's exprparser, adding what Forgejo users write: the forgejo and
// gitea contexts as aliases of github, and errors that fail the step instead
// of evaluating to an empty string. The executor calls it while it runs a
// job; it performs no I/O except hashFiles reading the workspace.
package expr
