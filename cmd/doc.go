// Package cmd is anvil's command line: the only place that wires concrete
// types together.
//
// It builds the cobra commands (exec, demo, version) from constructors that
// take a Process (streams, environment, interrupts), turns flags and the
// local git repository into an executor.Config and a pipeline.Event, and
// prints the engine's events as terminal progress, plain lines or JSON. It
// holds no run logic of its own: pipeline plans, executor runs. The binary
// in cmd/anvil only calls Main.
package cmd
