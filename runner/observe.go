package runner

import (
	"context"
	"slices"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/forge"
)

// Observer is told what the runner does, for metrics (cmd passes one from
// package metrics when metrics.addr is set). Its methods are called from
// many goroutines and must return quickly.
type Observer interface {
	// ForgeCall follows every request to the forge: call is the protocol
	// method (Declare, FetchTask, UpdateTask, UpdateLog), err its error.
	ForgeCall(call string, err error)
	// JobStarted is called when a task's job starts running: label is the
	// runner label it runs on (the first of its runs-on that the runner
	// has; "none" for a job with no runs-on), wait the time since the
	// forge handed the task out. The task carries no time of its own
	// creation, so time spent queued on the forge is not in wait (anvil
	// fleet queue shows that side).
	JobStarted(label string, wait time.Duration)
	// JobFinished is called when a job has ended with result (success,
	// failure, cancelled or skipped) after took.
	JobFinished(label, result string, took time.Duration)
}

// Stats is a snapshot of the runner's load.
type Stats struct {
	// Running is the number of jobs running; Capacity how many may.
	Running, Capacity int
	// SpoolRows and SpoolBytes are the log rows (and their bytes on disk)
	// of running and finishing tasks that the forge has not acknowledged
	// yet.
	SpoolRows, SpoolBytes int64
}

// Stats returns the runner's load now.
func (r *Runner) Stats() Stats {
	r.mu.Lock()
	s := Stats{Running: r.running, Capacity: r.cfg.Capacity}
	reps := make([]*reporter, 0, len(r.active))
	for rep := range r.active {
		reps = append(reps, rep)
	}
	r.mu.Unlock()
	for _, rep := range reps {
		rows, bytes := rep.backlog()
		s.SpoolRows += rows
		s.SpoolBytes += bytes
	}
	return s
}

// sendReport runs rep's sender until the report is done, counting it among
// the active reports meanwhile (Stats).
func (r *Runner) sendReport(rep *reporter) {
	r.mu.Lock()
	if r.active == nil {
		r.active = map[*reporter]struct{}{}
	}
	r.active[rep] = struct{}{}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.active, rep)
		r.mu.Unlock()
	}()
	rep.run(r.reportCtx)
}

// backlog is what the forge has not acknowledged of the task's log: rows,
// and their bytes in the spool.
func (r *reporter) backlog() (rows, bytes int64) {
	r.mu.Lock()
	acked, off := r.st.Acked, r.ackedOff
	r.mu.Unlock()
	rows = r.spool.Rows() - acked
	bytes = r.spool.Size() - off
	return max(rows, 0), max(bytes, 0)
}

// jobLabel is the runner label a job with runsOn runs on, as backendFor
// picks it: the first of runsOn that is a name of labels.
func jobLabel(runsOn, labels []string) string {
	names := forge.LabelNames(labels)
	for _, want := range runsOn {
		if slices.Contains(names, want) {
			return want
		}
	}
	return "none"
}

// nopObserver is the Observer of a runner without metrics.
type nopObserver struct{}

func (nopObserver) ForgeCall(string, error)                   {}
func (nopObserver) JobStarted(string, time.Duration)          {}
func (nopObserver) JobFinished(string, string, time.Duration) {}

// observedForge tells an Observer about every call to the forge.
type observedForge struct {
	Forge
	obs Observer
}

func (f observedForge) Declare(ctx context.Context, version string, labels []string) error {
	err := f.Forge.Declare(ctx, version, labels)
	f.obs.ForgeCall("Declare", err)
	return err
}

func (f observedForge) FetchTask(ctx context.Context, tasksVersion int64) (*runnerv1.Task, int64, error) {
	task, v, err := f.Forge.FetchTask(ctx, tasksVersion)
	f.obs.ForgeCall("FetchTask", err)
	return task, v, err
}

func (f observedForge) UpdateTask(ctx context.Context, state *runnerv1.TaskState, outputs map[string]string) (*runnerv1.UpdateTaskResponse, error) {
	resp, err := f.Forge.UpdateTask(ctx, state, outputs)
	f.obs.ForgeCall("UpdateTask", err)
	return resp, err
}

func (f observedForge) UpdateLog(ctx context.Context, taskID, index int64, rows []*runnerv1.LogRow, noMore bool) (int64, error) {
	ack, err := f.Forge.UpdateLog(ctx, taskID, index, rows, noMore)
	f.obs.ForgeCall("UpdateLog", err)
	return ack, err
}
