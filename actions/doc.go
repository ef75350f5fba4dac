// Package actions holds the reusable actions Anvil ships (Terraform, GitOps
// promotion, Argo CD), each a thin action.yml whose logic is Go run as an
// anvil subcommand inside jobs.
//
// They are built by the deployment-actions issue; until then the package
// holds only this description.
package actions
