package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/forge"
)

// Causes of a task's cancellation, which decide what is reported.
var (
	// ErrShutdown cancels the running tasks when the runner stops.
	ErrShutdown = errors.New("the runner is shutting down")
	// errTimeout is the cause when a task exceeds Config.Timeout.
	errTimeout = errors.New("the job exceeded the runner's timeout (runner.timeout)")
)

// errCancelledOnForge is the cause when the forge says the task is over
// while it runs here, normally because a user cancelled it.
type errCancelledOnForge struct{ result runnerv1.Result }

func (e errCancelledOnForge) Error() string {
	if e.result == runnerv1.Result_RESULT_CANCELLED {
		return "cancelled on the forge"
	}
	return fmt.Sprintf("the forge ended the task (%s)", resultName(e.result))
}

// Runner polls a forge for tasks, runs each as an engine run and reports
// logs, step states, outputs and results back.
type Runner struct {
	cfg Config
	log *logrus.Entry

	// slots holds one token per running task (Capacity).
	slots chan struct{}
	// tasks counts running tasks (engine runs); reports their reporters.
	tasks   sync.WaitGroup
	reports sync.WaitGroup
	// finished wakes the poller when a task's report is done.
	finished chan struct{}
	// hard cancels every running task (shutdown timeout, second signal,
	// unregistered); its cause says why.
	hard       context.Context
	hardCancel context.CancelCauseFunc
	// reportCtx ends the reporters (the runner gives up on the forge).
	reportCtx    context.Context
	reportCancel context.CancelFunc

	fatalOnce sync.Once
	fatal     chan error

	mu      sync.Mutex
	running int
	// active holds the reporters whose sender runs (Stats).
	active map[*reporter]struct{}
}

// New returns a Runner for cfg.
func New(cfg Config) *Runner {
	cfg = cfg.withDefaults()
	if _, nop := cfg.Observer.(nopObserver); !nop {
		cfg.Forge = observedForge{Forge: cfg.Forge, obs: cfg.Observer}
	}
	hard, hardCancel := context.WithCancelCause(context.Background())
	reportCtx, reportCancel := context.WithCancel(context.Background())
	return &Runner{
		cfg: cfg, log: cfg.Log,
		slots:    make(chan struct{}, cfg.Capacity),
		finished: make(chan struct{}, 1),
		hard:     hard, hardCancel: hardCancel,
		reportCtx: reportCtx, reportCancel: reportCancel,
		fatal: make(chan error, 1),
	}
}

// ErrUnregistered is wrapped by Run's error when the forge does not know
// the runner any more.
var ErrUnregistered = errors.New("the forge does not know this runner any more (deleted on the forge?): register it again with anvil register")

// Run declares the runner, finishes reporting tasks left by an earlier
// run, then polls for tasks and runs them until ctx ends (or, with Once,
// until one task is done). Ending ctx stops polling; running tasks get
// ShutdownTimeout to finish, then they are cancelled and reported.
// CancelTasks cancels them at once. Run returns an error wrapping
// ErrUnregistered when the forge has deleted the runner.
func (r *Runner) Run(ctx context.Context) error {
	defer r.reportCancel()
	if err := r.declare(ctx); err != nil {
		return err
	}
	if err := r.recoverTasks(); err != nil {
		r.log.WithError(err).Warn("cannot look for tasks left by an earlier run")
	}
	err := r.poll(ctx)
	if err != nil {
		r.hardCancel(err)
		r.reportCancel()
	}
	shutdown := r.cfg.ShutdownTimeout
	if r.cfg.Once && ctx.Err() == nil {
		shutdown = r.cfg.Timeout // Once: the task runs to its end
	}
	r.drain(shutdown)
	if err != nil {
		return err
	}
	select {
	case err := <-r.fatal:
		return err
	default:
	}
	return nil
}

// CancelTasks cancels every running task now (the second signal).
func (r *Runner) CancelTasks() {
	r.hardCancel(ErrShutdown)
}

// drain waits for running tasks (cancelling them after ShutdownTimeout)
// and then, for a bounded time, for their reports.
func (r *Runner) drain(shutdown time.Duration) {
	tasksDone := make(chan struct{})
	go func() {
		r.tasks.Wait()
		close(tasksDone)
	}()
	if n := r.runningTasks(); n > 0 {
		r.log.WithFields(logrus.Fields{"tasks": n, "shutdown_timeout": shutdown}).
			Info("waiting for running jobs to finish before stopping")
	}
	timer := time.NewTimer(shutdown)
	defer timer.Stop()
	select {
	case <-tasksDone:
	case <-timer.C:
		r.hardCancel(ErrShutdown)
		<-tasksDone
	case <-r.hard.Done():
		<-tasksDone
	}
	reportsDone := make(chan struct{})
	go func() {
		r.reports.Wait()
		close(reportsDone)
	}()
	drain := time.NewTimer(r.cfg.Report.DrainTimeout)
	defer drain.Stop()
	select {
	case <-reportsDone:
	case <-drain.C:
		r.log.WithField("drain_timeout", r.cfg.Report.DrainTimeout).
			Warn("the forge did not take every report in time; the rest is kept on disk and sent on the next start")
		r.reportCancel()
		<-reportsDone
	}
}

// stopFatal records an error that stops the runner.
func (r *Runner) stopFatal(err error) {
	r.fatalOnce.Do(func() {
		r.fatal <- fmt.Errorf("%w: %w", ErrUnregistered, err)
	})
}

func (r *Runner) runningTasks() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running
}

// declare sends the version and label names, retrying while the forge is
// unreachable. Old forges without Declare get a warning.
func (r *Runner) declare(ctx context.Context) error {
	names := forge.LabelNames(r.cfg.Labels)
	for attempt := 0; ; attempt++ {
		dctx, cancel := context.WithTimeout(ctx, r.cfg.FetchTimeout)
		err := r.cfg.Forge.Declare(dctx, r.cfg.Version, names)
		cancel()
		switch {
		case err == nil:
			r.log.WithFields(logrus.Fields{"runner": r.cfg.Name, "labels": names, "version": r.cfg.Version}).
				Info("declared to the forge; polling for jobs")
			return nil
		case isUnimplemented(err):
			r.log.WithError(err).Warn("the forge does not know Declare (an older version); labels stay as registered")
			return nil
		case isUnregistered(err):
			return fmt.Errorf("%w: %w", ErrUnregistered, err)
		case !isRetryable(err):
			r.log.WithError(err).Warn("the forge refused Declare; going on with the registered labels")
			return nil
		}
		wait := min(time.Second<<min(attempt, 5), r.cfg.Pace.MaxBackoff)
		r.log.WithError(err).WithField("retry_in", wait).Warn("cannot reach the forge; will retry")
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}
