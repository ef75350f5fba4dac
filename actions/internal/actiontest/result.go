package actiontest

import (
	"fmt"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Result is a finished anvil exec run.
type Result struct {
	ExitCode int
	// Events are the engine's events, in order.
	Events []executor.Event
	// Stdout is everything anvil printed on stdout (the JSON events) and
	// Stderr its notes and errors.
	Stdout, Stderr string
}

// Job returns the job_end event of the job with key id (its result and
// outputs), and whether it ran.
func (r *Result) Job(id string) (executor.Event, bool) {
	for _, e := range r.Events {
		if e.Kind == executor.EventJobEnd && e.Job == id {
			return e, true
		}
	}
	return executor.Event{}, false
}

// Step returns the step_end event of the step named name in job id.
func (r *Result) Step(id, name string) (executor.Event, bool) {
	for _, e := range r.Events {
		if e.Kind == executor.EventStepEnd && e.Job == id && e.StepName == name {
			return e, true
		}
	}
	return executor.Event{}, false
}

// Log returns job id's log lines (every job's when id is ""), one per
// line.
func (r *Result) Log(id string) string {
	var b strings.Builder
	for _, e := range r.Events {
		if e.Kind == executor.EventLog && (id == "" || e.Job == id) {
			b.WriteString(e.Line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Summaries returns job id's step summaries, concatenated.
func (r *Result) Summaries(id string) string {
	var b strings.Builder
	for _, e := range r.Events {
		if e.Kind == executor.EventStepEnd && e.Job == id {
			b.WriteString(e.Summary)
		}
	}
	return b.String()
}

// String describes the run for failure messages: every job's log, step
// and job results, and stderr.
func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "anvil exec exited %d\n", r.ExitCode)
	for _, e := range r.Events {
		switch e.Kind {
		case executor.EventLog:
			fmt.Fprintf(&b, "[%s]   | %s\n", e.Job, e.Line)
		case executor.EventStepStart:
			fmt.Fprintf(&b, "[%s] ▶ %s\n", e.Job, e.StepName)
		case executor.EventStepEnd, executor.EventJobEnd:
			fmt.Fprintf(&b, "[%s] %s %s %s %v\n", e.Job, e.Kind, e.Result, e.Error, e.Outputs)
		}
	}
	fmt.Fprintf(&b, "--- stderr ---\n%s", r.Stderr)
	return b.String()
}
