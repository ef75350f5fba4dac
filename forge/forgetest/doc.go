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
// Tests drive it with AddRegistrationToken, AddRunner, AddTask and Cancel,
// inspect it with Task, Tasks, Runner and Requests, wait with WaitFor and
// WaitResult, and inject faults with Refuse, Delay, DropReply and
// Unavailable. Where the real forge silently ignores or rejects something a
// runner should not do, the task's Notes say so, so tests can assert there
// are none. It is not a forge: no repositories, web UI or REST API.
//
// It does not import package forge: it implements the wire protocol, not
// the client interface.
package forgetest
