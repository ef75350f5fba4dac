package runner

import (
	"context"
	"errors"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/forge"
)

// Forge is the part of the runner protocol the runner uses (see
// forge.Client, which implements it). Every call blocks until the forge
// answers or ctx ends; none retries by itself. Errors are classified by
// the forge package's sentinels: forge.ErrUnregistered (stop: the runner
// must register again), forge.ErrRetryable (try again later) and
// forge.ErrUnimplemented (an older forge); anything else is a refusal of
// that request.
type Forge interface {
	// Declare sends the runner's version and label names; it is called
	// once on start.
	Declare(ctx context.Context, version string, labels []string) error
	// FetchTask asks for a task. It is not idempotent: a task whose reply
	// is lost stays assigned to this runner, so it is never retried.
	FetchTask(ctx context.Context, tasksVersion int64) (task *runnerv1.Task, newVersion int64, err error)
	// UpdateTask reports a task's state and outputs; the reply carries the
	// forge's view of the result (CANCELLED when a user cancelled) and the
	// output keys it has stored.
	UpdateTask(ctx context.Context, state *runnerv1.TaskState, outputs map[string]string) (*runnerv1.UpdateTaskResponse, error)
	// UpdateLog appends log rows from an absolute index and returns how
	// many rows the forge holds.
	UpdateLog(ctx context.Context, taskID, index int64, rows []*runnerv1.LogRow, noMore bool) (ackIndex int64, err error)
}

var _ Forge = forge.Client(nil)

// isUnregistered reports that the forge no longer knows this runner.
func isUnregistered(err error) bool { return errors.Is(err, forge.ErrUnregistered) }

// isRetryable reports an error worth trying again: network, 5xx, timeout.
func isRetryable(err error) bool {
	return errors.Is(err, forge.ErrRetryable) || errors.Is(err, context.DeadlineExceeded)
}

// isUnimplemented reports a call the forge does not know (Declare on old
// servers).
func isUnimplemented(err error) bool { return errors.Is(err, forge.ErrUnimplemented) }
