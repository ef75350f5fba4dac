// Package executor runs a plan.Plan.
//
// The engine in this package walks jobs and steps, evaluates expressions,
// handles workflow commands, env files, masking, timeouts and cancellation,
// and emits Events. Where processes actually run is a Backend: host (package
// executor/host) or Docker. The engine never sees YAML; it reads plan types
// only. It does not talk to a forge: the runner package consumes the Events.
package executor
