// Package forgetest is a Forgejo/Gitea stand-in for tests: it serves the
// runner protocol (ping.v1 and runner.v1 over connect, binary or JSON,
// replies of 1 KiB or more gzip-compressed) over real HTTP on 127.0.0.1,
// so the runner and package forge are tested across the wire.
//
// It behaves as real Gitea 1.25/1.26 and Forgejo servers do (see
// PROTOCOL.md), awkward parts included: auth failures are HTTP 500 with
// connect code unknown and the text "unregistered runner"; FetchTask only
// looks for work when tasks_version differs and is not idempotent (a task
// in a lost reply stays assigned); a task goes to a runner only when every
// runs-on label is among the runner's label names; UpdateLog keeps only the
// part of rows at its current length, ignores a request with no rows even
// with no_more, and rejects new rows after no_more; outputs are stored once
// per key with the forge's size limits; cancellation reaches the runner only
// through an UpdateTask reply; a task without UpdateTask for the zombie
// timeout is failed; jobs whose needs failed are skipped unless they have
// an if:; an ephemeral runner gets one task, and its next fetch after that
// task is done deletes it.
//
// # Tasks as Gitea 1.25.4 hands them out
//
// Payloads are what Gitea's job parser stores, byte for byte (checked
// against tasks captured from a real server, testdata/forge-tasks): the
// workflow with one job, re-encoded by yaml.v3 with 4-space indentation,
// "on" quoted and the parser's key order; the job's needs: removed (the
// task's needs carry them, as {outputs, result}); its matrix expanded
// (include and exclude applied), one combination per task, with scalars
// such as fail-fast, max-parallel and timeout-minutes as strings; a
// matrix job's name interpolated (or followed by its values) and runs-on
// interpolated; a matrix the server cannot evaluate (fromJSON of needs)
// left out, so the job runs once; a reusable-workflow call sent with
// runs-on: [] and its uses, with and secrets; keys the parser lacks
// dropped (top-level concurrency, a job's environment and
// continue-on-error). The context has Gitea's keys and values:
// server_url with a trailing slash, gitea_default_actions_url
// (WithDefaultActionsURL, "self" for the forge's URL),
// gitea_runtime_token, token, secret_source, event, an empty
// triggering_actor.
//
// # Whole runs
//
// AddRun takes a repository's workflow files and an event (RunSpec: push,
// pull_request, pull_request_target, workflow_dispatch with inputs, or any
// other event by name; ref, sha, actor, secrets, vars) and creates a run
// of each workflow the event triggers, in file name order (on: filters
// for branches, tags, paths and pull request types apply), with Gitea's
// jobs: one per job and matrix combination. The webhook payload in
// github.event has Gitea's top-level keys. A job without needs is waiting
// at once; one with needs waits until every job it needs (all its
// combinations) is done, then gets their outputs and aggregated result in
// Task.needs, or is skipped and never sent when one did not succeed and
// its if: is the default. Waiting jobs go out oldest first (the order in
// which they became waiting, then job order); a new push or dispatch of a
// workflow on a ref cancels the earlier run's jobs not done. A job's task
// id is given when it is handed out. Run, Runs and WaitRun return
// RunRecords; RunRecord.Job finds a job by id and matrix combination.
//
// AddTask (TaskSpec) queues one task outside any run, its payload
// rendered the same way from a workflow and a job id; a workflow Gitea
// could not parse is sent verbatim, for tests of a runner's defences.
// Such a task gets the job token also as FORGEJO_TOKEN, as Forgejo sends
// it; a run's jobs get Gitea's GITHUB_TOKEN and GITEA_TOKEN only.
//
// # Driving and inspecting
//
// Tests drive it with AddRegistrationToken, AddRunner, AddRun, AddTask
// and Cancel, inspect it with Task, Tasks, Run, Runs, Runner and
// Requests, wait with WaitFor, WaitResult and WaitRun, and inject faults
// with Refuse, Delay, DropReply and Unavailable. Where the real forge
// silently ignores or rejects something a runner should not do, the
// task's Notes say so, so tests can assert there are none. It is not a
// forge: no web UI or REST API.
//
// # Repositories
//
// NewRepo creates a git repository that the forge serves over git smart
// HTTP (the real git http-backend) at URL/owner/name.git, as Gitea does,
// so that a runner can fetch what a task names, such as a local reusable
// workflow at the task's sha. Public repositories are read by anyone,
// private ones with the token of a running task of the repository;
// credentials that are no running task's token are refused. Tests commit
// with Repo.Commit and create the runs of a push from what they
// committed: RunSpec.Workflows from Repo.Workflows (what Gitea reads at
// a commit), ChangedFiles from Repo.Changed, Before from Commit.
//
// It does not import package forge: it implements the wire protocol, not
// the client interface. It uses act's expression evaluator, as Gitea
// does, for the few expressions the server evaluates.
package forgetest
