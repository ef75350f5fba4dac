package runner

import (
	"maps"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor"
)

// reporter turns one task's engine events into what the forge shows: log
// rows (spooled to disk, sent in order in batches) and step states. It is
// the engine's Sink for that task; a goroutine of its own (run, in
// report_send.go) talks to the forge, so the engine never waits for the
// network.
type reporter struct {
	forge  Forge
	dir    string
	spool  *spool
	log    *logrus.Entry
	now    func() time.Time
	masker *executor.Masker
	timing ReportTiming

	mu sync.Mutex
	// file is the task's workflow (setJob); events of other workflows are
	// from jobs of a workflow the task's job calls.
	file  string
	st    taskState
	rows  int64 // rows appended to the spool
	open  int   // the step whose log range grows with new rows, or -1
	dirty bool  // the state changed since it was last sent or saved
	// unsentBytes counts bytes appended since logs were last sent; a
	// backlog of a full batch wakes the sender early.
	unsentBytes int
	closing     bool
	// ended: the result is set, and the sender may finish the report
	// (closing alone comes a moment earlier, before the last row).
	ended bool
	// closeAt is the number of rows before the closing row: requests other
	// than the closing one send no row from there on.
	closeAt int64
	// ackedOff is the spool offset of the first row the forge has not
	// acknowledged (as far as this run knows).
	ackedOff int64
	err      error // first spool write error
	summary  strings.Builder
	// sentOutputs are the output keys the forge has stored; outputTries
	// counts final states it answered without all of them.
	sentOutputs []string
	outputTries int
	// savedAcked and changedSinceSave tell saveState whether to write;
	// saveMu serializes saves.
	saveMu           sync.Mutex
	savedAcked       int64
	changedSinceSave atomic.Bool

	// wake asks the sender for a round now (step started or ended, a
	// backlog of logs, the task ended).
	wake chan struct{}
	// done is closed when the sender has finished (or given up).
	done chan struct{}
	// onCancel is called once when the forge says the task is over
	// (cancelled by a user) while it still runs here.
	onCancel func(result runnerv1.Result)
	// onUnregistered is called when the forge no longer knows the runner.
	onUnregistered func(error)
	cancelOnce     sync.Once
}

// withDefaults fills the zero fields of t.
func (t ReportTiming) withDefaults() ReportTiming {
	if t.Interval <= 0 {
		t.Interval = time.Second
	}
	if t.Heartbeat <= 0 {
		t.Heartbeat = 3 * time.Second
	}
	if t.RequestTimeout <= 0 {
		t.RequestTimeout = 15 * time.Second
	}
	if t.MaxBackoff <= 0 {
		t.MaxBackoff = 30 * time.Second
	}
	return t
}

const (
	// maxBatchRows and maxBatchBytes bound one UpdateLog request, well
	// under the 1 MiB a default reverse proxy accepts.
	maxBatchRows  = 5000
	maxBatchBytes = 512 << 10
)

// reporterConfig is what newReporter needs.
type reporterConfig struct {
	Forge          Forge
	Dir            string // the task's state directory (created)
	State          taskState
	Log            *logrus.Entry
	Now            func() time.Time
	Masker         *executor.Masker
	Timing         ReportTiming
	OnCancel       func(result runnerv1.Result)
	OnUnregistered func(error)
}

// newReporter opens the task's spool in cfg.Dir and saves its state. The
// caller starts the sender with run.
func newReporter(cfg reporterConfig) (*reporter, error) {
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	sp, err := openSpool(spoolFile(cfg.Dir))
	if err != nil {
		return nil, err
	}
	if cfg.Masker == nil {
		cfg.Masker = executor.NewMasker()
	}
	r := &reporter{
		forge: cfg.Forge, dir: cfg.Dir, spool: sp, log: cfg.Log, now: cfg.Now, masker: cfg.Masker,
		timing: cfg.Timing.withDefaults(), st: cfg.State, open: -1,
		wake: make(chan struct{}, 1), done: make(chan struct{}),
		onCancel: cfg.OnCancel, onUnregistered: cfg.OnUnregistered,
	}
	r.rows = sp.Rows()
	if err := r.st.save(cfg.Dir); err != nil {
		sp.Close()
		return nil, err
	}
	return r, nil
}

// setSteps declares how many steps the job has; the forge lists them from
// the same workflow, by index.
func (r *reporter) setSteps(n int) { r.setJob("", n) }

// setJob declares the task's workflow file and how many steps its job has.
// Events of other workflows come from jobs of a workflow the task's job
// calls: their lines are logged, framed by a line at each job's start and
// end, and their outputs are not the task's.
func (r *reporter) setJob(file string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.file = file
	if len(r.st.Steps) == 0 && n > 0 {
		r.st.Steps = make([]stepState, n)
		r.dirty = true
	}
}

// Emit records one engine event. It implements executor.Sink.
func (r *reporter) Emit(e executor.Event) {
	if e.Time.IsZero() {
		e.Time = r.now()
	}
	switch e.Kind {
	case executor.EventStepStart:
		if e.Stage == "post" {
			r.line(e.Time, e.StepName)
			return
		}
		r.stepStart(e)
	case executor.EventStepEnd:
		if e.Stage != "post" {
			r.stepEnd(e)
			r.addSummary(e.Summary)
		}
	case executor.EventLog:
		r.line(e.Time, rowContent(e))
	case executor.EventJobStart:
		if r.called(e) {
			r.line(e.Time, "Job "+e.Job+" (called workflow) started")
		}
	case executor.EventJobEnd:
		if r.called(e) {
			r.line(e.Time, "Job "+e.Job+" (called workflow) ended: "+string(e.Result))
		}
		r.mu.Lock()
		if len(e.Outputs) > 0 && !r.called(e) {
			r.st.Outputs = maps.Clone(e.Outputs)
			r.changedSinceSave.Store(true)
		}
		summary := r.summary.String()
		r.summary.Reset()
		r.mu.Unlock()
		r.summaryRows(e.Time, summary)
	}
}

// called reports whether e is about a job of a workflow the task's job
// calls.
func (r *reporter) called(e executor.Event) bool {
	return r.file != "" && e.Workflow != r.file
}

// Line adds a row of the runner's own, masked with the task's secrets.
func (r *reporter) Line(level, text string) {
	r.line(r.now(), rowContent(executor.Event{Level: level, Line: r.masker.Mask(text)}))
}

// rowContent renders a log event as a row, marking workflow-command levels
// the way GitHub's raw logs do (Gitea and Forgejo fold ##[group] blocks).
func rowContent(e executor.Event) string {
	switch e.Level {
	case "":
		return e.Line
	case "endgroup":
		return "##[endgroup]"
	}
	return "##[" + e.Level + "]" + e.Line
}

// line appends one row.
func (r *reporter) line(t time.Time, content string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.appendRow(t, content)
}

// appendRow appends one row; r.mu is held.
func (r *reporter) appendRow(t time.Time, content string) {
	if _, err := r.spool.Append(t, content); err != nil {
		if r.err == nil {
			r.err = err
			r.log.WithError(err).Error("cannot spool the job's log to disk; rows are lost")
		}
		return
	}
	r.rows++
	if r.open >= 0 {
		st := &r.st.Steps[r.open]
		st.LogLength = r.rows - st.LogIndex
		r.dirty = true
	}
	r.unsentBytes += len(content) + recordHeader
	if r.unsentBytes >= maxBatchBytes {
		r.unsentBytes = 0
		r.poke()
	}
}

// stepStart starts a step's log range at the next row.
func (r *reporter) stepStart(e executor.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Step < 0 || e.Step >= len(r.st.Steps) {
		return
	}
	st := &r.st.Steps[e.Step]
	st.StartedAt = e.Time
	st.LogIndex = r.rows
	st.LogLength = 0
	r.open = e.Step
	r.dirty = true
	r.changedSinceSave.Store(true)
	r.poke()
}

// stepEnd records a step's result. Rows that come before the next step
// starts (job-level lines between steps) stay in its range; after the last
// step they belong to "Complete job".
func (r *reporter) stepEnd(e executor.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Step < 0 || e.Step >= len(r.st.Steps) {
		return
	}
	st := &r.st.Steps[e.Step]
	st.Result = resultOf(e.Result)
	st.StoppedAt = e.Time
	if st.StartedAt.IsZero() {
		st.StartedAt = e.Time
		st.LogIndex = r.rows
	}
	st.LogLength = r.rows - st.LogIndex
	r.open = e.Step
	if e.Step == len(r.st.Steps)-1 {
		r.open = -1
	}
	r.dirty = true
	r.changedSinceSave.Store(true)
	r.poke()
}

// poke wakes the sender without blocking.
func (r *reporter) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}
