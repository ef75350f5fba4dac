// Package actions holds the reusable actions Anvil ships: terraform-plan,
// terraform-apply, terraform-drift, gitops-promote, argocd-sync and
// argocd-wait. Each is a thin composite action.yml in its own directory
// whose step runs an `anvil action NAME` subcommand; the logic lives in the
// Go packages actions/terraform, actions/gitops and actions/argocd, which
// cmd wires into that command group. Pipelines use them as
// ./actions/NAME or as a remote action from a forge that mirrors Anvil.
//
// The packages below it never import runner: they run inside jobs.
package actions
