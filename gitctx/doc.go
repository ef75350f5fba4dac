// Package gitctx builds the github context and the event of a local run
// (anvil exec, anvil policy test) from a git repository.
//
// Read learns what a run needs from the repository (branch, tag, commit,
// remote, user, the files the last commit changed) in-process with go-git,
// without git subprocesses. Build turns that, with what the user asked for
// (event name, -e payload, inputs, actor), into the github context map, the
// github.event payload and the plan.Event planning matches on.
//
// It is not the runner's context: a forge task brings its own. It imports
// pipeline for the event type only, never executor or runner; cmd calls it.
package gitctx
