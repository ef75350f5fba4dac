// Package actiontest runs the shipped actions end to end in tests: it
// builds the anvil binary of this checkout once per test binary, makes a
// temporary git repository holding a workflow and the actions under test
// (copied from actions/), and runs "anvil exec --json" on it as a
// subprocess, so the composite wiring, the engine and the anvil
// subcommands all run for real. Runs come back as the engine's events.
//
// Test packages call Main from TestMain, so that the binary is removed
// afterwards. It is used by the tests of actions/terraform, actions/gitops
// and actions/argocd; it is not part of anvil.
package actiontest
