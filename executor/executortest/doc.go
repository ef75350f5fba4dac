// Package executortest is a fake executor.Backend for the unit tests of
// the engine and the runner. It records every call and fails the test
// when its caller breaks the lifecycle that executor.Backend and
// executor.Environment document:
//
//   - Prepare once per job: a second Prepare for a JobID fails the test;
//   - Exec never concurrently for one job, and never after Close;
//   - Close once the Execs have returned (not while one runs), and before
//     the test ends: an environment left open fails the test.
//
// Close is idempotent by the contract, so a second Close is recorded and
// returns nil without failing. An Exec before Prepare cannot be written:
// Environments come only from Prepare.
//
// Without Config.Inner an environment runs nothing (Exec exits 0 with no
// output); with it, a real backend (host.New) does the work and the fake
// checks and records the calls in between. Config's func fields inject
// faults (a failing Prepare, a panicking Exec). It is test support: only
// tests and test kits import it.
package executortest
