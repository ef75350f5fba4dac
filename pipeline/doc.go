// Package pipeline turns workflow YAML into plain-data plan types
// (package pipeline/plan).
//
// It reads workflow files (GitHub Actions syntax with Forgejo and Gitea
// extensions), reports every problem with its file, line and column, and
// orders jobs by their needs; plan.New then keeps the workflows an event
// triggers. It runs nothing: the executor package runs plans, importing
// pipeline/plan and never this package, and the runner package gets them
// from a forge. Loader reads for the executor the actions and reusable
// workflows a running job refers to. Expressions stay as text in the plan;
// pipeline/expr evaluates them when their contexts are known.
package pipeline
