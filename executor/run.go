package executor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Run runs every workflow of the plan, each job once its needs are done, and
// returns when all jobs have ended. A workflow with error-severity
// Problems runs nothing: each of its jobs starts and fails at once with
// every problem of the file in its log; warnings alone are logged at the
// start of each job, which then runs. Cancelling ctx cancels the run: running
// steps are interrupted, then steps and jobs with always() or cancelled()
// conditions and post steps still run, and the result is cancelled. The
// returned error is for problems that prevent running at all; job failures
// are in the result.
func (e *Engine) Run(ctx context.Context, p *plan.Plan) (*RunResult, error) {
	if p == nil {
		return nil, fmt.Errorf("running a plan: no plan given")
	}
	if e.cfg.Backends == nil {
		return nil, fmt.Errorf("running a plan: no backend configured for jobs")
	}
	var (
		mu  sync.Mutex
		res = &RunResult{Result: ResultSuccess}
		wg  sync.WaitGroup
	)
	for _, wf := range p.Workflows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := e.cfg.Now()
			e.emit(Event{Kind: EventWorkflowStart, Workflow: wf.File, JobName: wf.Name, Step: -1})
			for _, note := range wf.Notes {
				e.emit(Event{Kind: EventLog, Workflow: wf.File, Step: -1, Level: "notice", Line: note})
			}
			var jobs []*JobResult
			if hasErrors(wf.Problems) {
				jobs = e.failProblems(wf)
			} else {
				wr := &workflowRun{
					engine:  e,
					wf:      wf,
					prefix:  "",
					inputs:  e.dispatchInputs(wf, p.Event),
					secrets: e.cfg.Secrets,
					depth:   0,
				}
				jobs = wr.run(ctx)
			}
			result := aggregate(jobs)
			e.emit(Event{Kind: EventWorkflowEnd, Workflow: wf.File, JobName: wf.Name, Step: -1,
				Result: result, Duration: e.cfg.Now().Sub(start)})
			mu.Lock()
			defer mu.Unlock()
			res.Jobs = append(res.Jobs, jobs...)
		}()
	}
	wg.Wait()
	res.Result = aggregate(res.Jobs)
	return res, nil
}

// aggregate gives the overall result of jobs: failure wins over cancelled,
// which wins over success; all skipped (or none) is success.
func aggregate(jobs []*JobResult) Result {
	result := ResultSuccess
	for _, j := range jobs {
		switch j.Result {
		case ResultFailure:
			if !j.ContinueOnError {
				return ResultFailure
			}
		case ResultCancelled:
			result = ResultCancelled
		}
	}
	return result
}

// emit stamps, masks and delivers an event. A log line longer than
// MaxLineLength is delivered in pieces, each its own event.
func (e *Engine) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = e.cfg.Now()
	}
	ev.Line = e.masker.Mask(ev.Line)
	ev.Summary = e.masker.Mask(ev.Summary)
	ev.Error = e.masker.Mask(ev.Error)
	ev.JobName = e.masker.Mask(ev.JobName)
	ev.StepName = e.masker.Mask(ev.StepName)
	if len(ev.Outputs) > 0 {
		out := make(map[string]string, len(ev.Outputs))
		for k, v := range ev.Outputs {
			out[k] = e.masker.Mask(v)
		}
		ev.Outputs = out
	}
	if ev.Kind != EventLog || len(ev.Line) <= MaxLineLength {
		e.cfg.Sink.Emit(ev)
		return
	}
	// Cut only now that the whole line is masked: a secret cannot be split.
	for _, piece := range linePieces(ev.Line) {
		ev.Line = piece
		e.cfg.Sink.Emit(ev)
	}
}

// since is a helper for durations measured with the engine clock.
func (e *Engine) since(t time.Time) time.Duration { return e.cfg.Now().Sub(t) }

// dispatchInputs gives a workflow's inputs context for event: the given
// inputs converted to the types the event's trigger declares, and its
// declared defaults for the rest. Inputs declared for another event (a
// workflow_call input of a workflow run by workflow_dispatch) are not
// there, as on GitHub.
func (e *Engine) dispatchInputs(wf *plan.Workflow, event string) map[string]any {
	out := map[string]any{}
	for k, v := range e.cfg.Inputs {
		out[k] = v
	}
	var declared map[string]plan.Input
	if t := wf.On[event]; t != nil {
		declared = t.Inputs
	}
	for name, in := range declared {
		v, ok := out[name]
		if !ok {
			v = in.Default
		}
		if typed, err := typedInput(name, in.Type, v); err == nil {
			out[name] = typed
		} else {
			e.emit(Event{Kind: EventLog, Workflow: wf.File, Step: -1, Level: "warning", Line: err.Error()})
		}
	}
	return out
}
