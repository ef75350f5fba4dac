// Package terraform is the logic of the Terraform actions Anvil ships:
// terraform-plan, terraform-apply and terraform-drift (actions/terraform-*
// in the repository). Each action.yml is a thin composite action whose
// step runs "anvil action terraform-…"; that command (package cmd, wiring
// only) reads the inputs with ParsePlan, ParseApply or ParseDrift and
// calls Plan, Apply or Drift here.
//
// It drives the terraform binary as a child process (Tool), reads what
// Terraform reports only from its machine-readable output (plan -json,
// apply -json, show -json, output -json), packs the reviewed plan and the
// dependency lock file into a bundle (tar, age-encrypted with a passphrase
// when one is given) and checks the bundle's sha256 before applying it.
// Results go where a workflow step's results go (Runtime): outputs to
// $GITHUB_OUTPUT, a Markdown report to $GITHUB_STEP_SUMMARY, secrets
// registered with ::add-mask:: before anything else is printed.
//
// It is not a Terraform client library and holds no state between runs.
// Cancelling the context forwards an interrupt to Terraform, which then
// stops gracefully and releases its state lock.
package terraform
