package forge

import (
	"context"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
)

// Client is the runner's side of the Forgejo/Gitea runner protocol.
//
// Context: every call blocks until the forge answers or ctx ends, and sets
// no deadline of its own, so give each call one (forgejo-runner uses 5 s for
// FetchTask). When ctx is cancelled the error wraps context.Canceled and
// carries no class; when its deadline passes the error is ErrRetryable.
//
// Retries: the client never retries. Each error is classified, checked with
// errors.Is: ErrUnregistered (register again, don't retry), ErrBadRegistrationToken
// (Register only), ErrRetryable (network failure, HTTP 5xx, timeout, 503;
// safe to retry where the method says so), ErrUnimplemented (the forge does
// not serve this call). Anything else is fatal for that call: retrying
// won't help.
//
// Methods are safe for concurrent use.
type Client interface {
	// Ping asks the forge to echo data. It needs no registration, so it tells
	// whether the forge is up and the address right. Idempotent: retry
	// freely, with backoff, while the forge starts.
	Ping(ctx context.Context, data string) error

	// Register creates a runner on the forge with the registration token in
	// req and returns it with its uuid and token (the credentials every
	// later call sends). req.Version defaults to Config.Version. Only the
	// labels' names are sent (LabelNames strips ":schema[:arg]"), so full
	// labels may be passed. Not idempotent: each call that reaches
	// the forge creates a runner, so a retry after a lost reply leaves an
	// orphan runner behind (harmless: it shows offline and can be deleted).
	Register(ctx context.Context, req *runnerv1.RegisterRequest) (*runnerv1.Runner, error)

	// Declare tells the forge the runner's version and labels (their names
	// only, as in Register); call it on every daemon start. Forges older than Gitea 1.21 answer
	// ErrUnimplemented: go on without it. Idempotent.
	Declare(ctx context.Context, version string, labels []string) error

	// FetchTask asks for a task. Send the tasksVersion from the last reply
	// (0 at start and after receiving a task): the forge only looks for work
	// when it differs from its own. task is nil when there is none.
	//
	// Not idempotent: a task in a reply that is lost stays assigned to this
	// runner and is never run. Keep its deadline short, and after an
	// ErrRetryable just poll again later, like any other poll; there is no
	// way to recover the lost task.
	FetchTask(ctx context.Context, tasksVersion int64) (task *runnerv1.Task, newVersion int64, err error)

	// UpdateTask reports the task's state: steps (with log_index and
	// log_length), and a result other than UNSPECIFIED to finish it. Outputs
	// are stored once per key (the first value wins; limits: key 255 bytes,
	// value 1 MiB, larger ones are dropped); resend them until the reply's
	// sent_outputs lists them. The reply's state.result is CANCELLED when
	// the forge cancelled the task: stop the job then. Send state at least
	// every few seconds while a job runs, or the forge fails the task as a
	// zombie. Safe to retry with the same or a newer state.
	UpdateTask(ctx context.Context, state *runnerv1.TaskState, outputs map[string]string) (*runnerv1.UpdateTaskResponse, error)

	// UpdateLog sends log rows numbered from index (the absolute number of
	// rows[0]) and returns ackIndex, the number of rows the forge has
	// stored. The forge keeps only the part of rows at its current length,
	// so resending from the last ackIndex after a failure is safe and never
	// duplicates a row. noMore closes the log; sending new rows after that
	// is a fatal error. A request with no rows is ignored even with noMore,
	// so the closing request must carry at least one row.
	UpdateLog(ctx context.Context, taskID, index int64, rows []*runnerv1.LogRow, noMore bool) (ackIndex int64, err error)
}
