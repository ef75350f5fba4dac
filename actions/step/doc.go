// Package step is the side of the runner protocol that a shipped action's
// Go code speaks from inside a job: its inputs (flags or INPUT_*, read
// under one set of rules by Inputs), workflow commands on the step's log,
// $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY (Runtime). The action packages
// (terraform, gitops, argocd) parse their inputs with it; their anvil
// subcommands in cmd only wire flags and the environment to it. It reads
// no environment itself: callers pass lookup functions.
package step
