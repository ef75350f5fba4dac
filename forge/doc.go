// Package forge talks to Forgejo and Gitea: the runner protocol (Ping,
// Register, Declare, FetchTask, UpdateTask, UpdateLog) over connect, behind
// the small Client interface that package runner depends on.
//
// It classifies the forge's errors (ErrUnregistered, ErrBadRegistrationToken,
// ErrRetryable, ErrUnimplemented) so callers decide with errors.Is, and it
// reads and writes the .runner registration file in the format
// forgejo-runner and act_runner use, and parses runner labels
// (name[:schema[:arg]]). It never retries, sleeps or logs: retry policy,
// backoff and logging belong to the caller.
//
// It imports none of runner, executor or pipeline. Package forge/forgetest
// is a test server that speaks the same wire protocol over real HTTP.
package forge
