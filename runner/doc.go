// Package runner is the daemon side of Anvil: it polls a forge for tasks,
// turns each into a plan.Plan run by the executor, and reports logs,
// step states, outputs and results back through the Forge interface (the
// part of forge.Client it uses).
//
// A Runner declares itself, finishes reporting tasks an earlier run left
// in its state directory (a task cut off by a crash is reported as failed
// with a line that says so), then fetches tasks with tasks_version, runs
// at most Capacity at once, and polls quickly right after a task arrives
// or ends and slowly when idle. Each task's log rows go to a spool file on
// disk as the engine emits them (report.go, spool.go), and a goroutine per
// task sends them in order, in batches, from the forge's last ack, with
// step states at every step start and end and a heartbeat; the final
// request closes the log and the final state carries the outputs
// (report_send.go). Cancellation by the forge, runner.timeout and shutdown
// all cancel the task's context with their own cause, which decides the
// result reported.
//
// It is not the protocol client (package forge) nor the engine (package
// executor), and it does not read configuration files: cmd builds a Config
// and calls New and Run (anvil daemon).
package runner
