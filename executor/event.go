package executor

import "time"

// EventKind says what an Event reports.
type EventKind string

// The kinds of Event, in the order a job produces them.
const (
	EventWorkflowStart EventKind = "workflow_start"
	EventJobStart      EventKind = "job_start"
	EventStepStart     EventKind = "step_start"
	EventLog           EventKind = "log"
	EventStepEnd       EventKind = "step_end"
	EventJobEnd        EventKind = "job_end"
	EventWorkflowEnd   EventKind = "workflow_end"
)

// Result is the outcome of a step, job or workflow, as GitHub names them.
type Result string

// Results.
const (
	ResultSuccess   Result = "success"
	ResultFailure   Result = "failure"
	ResultCancelled Result = "cancelled"
	ResultSkipped   Result = "skipped"
)

// Event is the single type the engine emits. Log lines are masked before
// any Sink sees them.
type Event struct {
	Kind EventKind `json:"kind"`
	Time time.Time `json:"time"`
	// Workflow is the workflow file; Job the job's key (with matrix suffix
	// when expanded, e.g. "build (1.22, linux)"); JobName its display name.
	Workflow string `json:"workflow,omitempty"`
	Job      string `json:"job,omitempty"`
	JobName  string `json:"job_name,omitempty"`
	// Step is the step's index in the job, -1 for job-level lines (set up,
	// complete job). StepName is its display name. Stage is "pre", "main" or
	// "post" for action stages.
	Step     int    `json:"step"`
	StepName string `json:"step_name,omitempty"`
	Stage    string `json:"stage,omitempty"`
	// Line is one log line without its newline (EventLog). Group is the
	// group nesting depth the line is in; Level is "", "debug", "notice",
	// "warning", "error", "group" or "endgroup" for workflow commands.
	Line  string `json:"line,omitempty"`
	Level string `json:"level,omitempty"`
	// Result, Outcome and Duration are set on *_end events. Outcome is the
	// step result before continue-on-error.
	Result   Result        `json:"result,omitempty"`
	Outcome  Result        `json:"outcome,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
	// Outputs are a job's outputs (job_end) or a step's (step_end).
	Outputs map[string]string `json:"outputs,omitempty"`
	// Summary is the step summary Markdown (step_end), masked.
	Summary string `json:"summary,omitempty"`
	// Error explains a failure that is not a process exit code.
	Error string `json:"error,omitempty"`
}

// Sink consumes events, already masked. Emit is called from the goroutines
// of parallel jobs and matrix combinations at once, so a Sink must be safe
// for concurrent use.
type Sink interface {
	Emit(Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

// Emit calls f(e).
func (f SinkFunc) Emit(e Event) { f(e) }

// NopSink drops every event.
type NopSink struct{}

// Emit does nothing.
func (NopSink) Emit(Event) {}

// MultiSink sends every event to each of its sinks in order.
type MultiSink []Sink

// Emit sends e to every sink.
func (m MultiSink) Emit(e Event) {
	for _, s := range m {
		s.Emit(e)
	}
}
