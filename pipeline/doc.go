// Package pipeline turns workflow YAML into a plain-data Plan.
//
// It reads workflow files (GitHub Actions syntax with Forgejo and Gitea
// extensions), reports every problem with its file, line and column, filters
// workflows by the triggering event and orders jobs by their needs. It runs
// nothing: the executor package runs plans and the runner package gets them
// from a forge. Expressions stay as text in the plan; pipeline/expr evaluates
// them when their contexts are known.
package pipeline
