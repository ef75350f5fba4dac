// Package cmd is anvil's command line: the only place that wires concrete
// types together.
//
// It builds the cobra commands from constructors that take a Process
// (streams, environment, interrupts):
//
//   - exec, demo and lint run or check a repository's workflows on this
//     machine;
//   - register, create-runner-file, daemon, drain and generate-config run
//     anvil as a Forgejo/Gitea runner, and fleet reads the forge's queue
//     for autoscaling;
//   - cache-server serves actions/cache to a fleet of runners;
//   - policy checks policies offline;
//   - action runs a shipped action's logic inside a job;
//   - version prints the build.
//
// It turns flags, configuration and the local git repository (through
// gitctx) into an executor.Config and a plan.Event, and prints the
// engine's events as terminal progress, plain lines or JSON. It holds no
// run logic of its own: pipeline plans, executor runs. The binary in
// cmd/anvil only calls Main.
package cmd
