// Package localrun is a run of a repository's workflows on this machine,
// as anvil exec (and anvil demo) make it: from the flags as given to the
// engine's config and the services its jobs reach.
//
// It parses -P platform mappings and picks each job's backend from the
// ones it is given (BackendFor); reads secrets, variables, env and inputs
// from flags and dotenv files; lints the workflows first and plans what an
// event triggers, broken workflows included (their jobs fail at once);
// builds the github context from git; starts the run's artifact server
// and its cache server (cache.StartJobs) on one listener; and wires
// --policy and --audit-log into the engine's admission and sink.
//
// It is not the engine, a backend or a printer: cmd creates those
// (executor.New, executor/host, executor/docker, console) and wires them
// with what Prepare and StartServices return. Errors caused by what the
// user gave are *UsageError, which cmd turns into exit status 2.
package localrun
