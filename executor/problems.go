package executor

import (
	"cmp"
	"fmt"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// hasErrors reports whether any of ps stops the jobs of its workflow.
func hasErrors(ps []plan.Problem) bool {
	for _, p := range ps {
		if p.IsError() {
			return true
		}
	}
	return false
}

// problemLevel is the log level a problem's line carries: its severity.
func problemLevel(p plan.Problem) string {
	if p.IsError() {
		return string(plan.SeverityError)
	}
	return string(plan.SeverityWarning)
}

// failProblems reports every job of wf, a workflow with error problems, as
// started and failed before its first step, each with all of wf's problems
// (errors and warnings) in its log. A workflow without a readable job gets
// one job without an id, named after the file, standing for all of it.
func (e *Engine) failProblems(wf *plan.Workflow) []*JobResult {
	jobs := wf.Jobs
	if len(jobs) == 0 {
		jobs = []*plan.Job{{Name: cmp.Or(wf.Name, wf.File)}}
	}
	errs, warns := 0, 0
	for _, p := range wf.Problems {
		if p.IsError() {
			errs++
		} else {
			warns++
		}
	}
	found := count(errs, "error")
	if warns > 0 {
		found += " and " + count(warns, "warning")
	}
	msg := e.masker.Mask(fmt.Sprintf("%s has %s (see above), so none of its jobs ran; fix the file and run again", wf.File, found))
	results := make([]*JobResult, 0, len(jobs))
	for _, j := range jobs {
		// A name with an expression is not evaluated: nothing of the file runs.
		name := cmp.Or(j.Name, j.ID)
		if strings.Contains(name, "${{") {
			name = cmp.Or(j.ID, wf.File)
		}
		start := e.cfg.Now()
		e.emit(Event{Kind: EventJobStart, Workflow: wf.File, Job: j.ID, JobName: name, Step: -1})
		for _, p := range wf.Problems {
			e.emit(Event{Kind: EventLog, Workflow: wf.File, Job: j.ID, Step: -1, Level: problemLevel(p), Line: p.String()})
		}
		r := &JobResult{Workflow: wf.File, JobID: j.ID, Job: j.ID, Name: e.masker.Mask(name), Result: ResultFailure,
			Error: msg, Duration: e.since(start)}
		e.emit(Event{Kind: EventJobEnd, Workflow: wf.File, Job: j.ID, JobName: name, Step: -1,
			Result: ResultFailure, Error: msg, Duration: r.Duration})
		results = append(results, r)
	}
	return results
}

// logWarnings writes the workflow's problems, all warnings when its jobs
// run, at the start of the job with key.
func (w *workflowRun) logWarnings(key string) {
	for _, p := range w.wf.Problems {
		w.engine.emit(Event{Kind: EventLog, Workflow: w.wf.File, Job: key, Step: -1, Level: problemLevel(p), Line: p.String()})
	}
}

// count is "1 error" or "N errors".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
