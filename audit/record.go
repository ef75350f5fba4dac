package audit

import (
	"time"

	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// Record is one job, as the audit log keeps it.
type Record struct {
	// Time is when the record was written.
	Time time.Time `json:"time"`
	// Source is "daemon" or "exec"; Runner the runner's name.
	Source string `json:"source"`
	Runner string `json:"runner,omitempty"`
	// TaskID is the forge's task id (daemon); RunID github.run_id.
	TaskID int64  `json:"task_id,omitempty"`
	RunID  string `json:"run_id,omitempty"`
	// The task's context.
	Repository string `json:"repository"`
	SHA        string `json:"sha"`
	Ref        string `json:"ref"`
	Event      string `json:"event"`
	Actor      string `json:"actor"`
	Workflow   string `json:"workflow"`
	// Job is the job's key (id, matrix suffix, caller prefix); JobName
	// its display name.
	Job     string `json:"job"`
	JobName string `json:"job_name,omitempty"`
	// Labels, Images and Actions are what the job asked for: its runs-on
	// labels, every image it uses and every action and reusable
	// workflow with the commit it resolved to ("" when unknown). They are
	// known for jobs that reached the policy check.
	Labels  []string `json:"labels"`
	Images  []string `json:"images"`
	Actions []Action `json:"actions"`
	// Decisions are every rule's decision on the job.
	Decisions []policy.Decision `json:"decisions"`
	// Result is success, failure, cancelled or skipped; Error why a job
	// failed when no step says it.
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
	// Start, End and DurationMS time the job.
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	DurationMS int64     `json:"duration_ms"`
}

// Action is one uses: reference of a job and its commit.
type Action struct {
	Uses string `json:"uses"`
	Kind string `json:"kind"`
	SHA  string `json:"sha"`
}

// Base is a record with the task's fields filled in, for JournalConfig.
func Base(source string, t policy.Task) Record {
	return Record{Source: source, Repository: t.Repository, SHA: t.SHA, Ref: t.Ref,
		Event: t.Event, Actor: t.Actor, Workflow: t.Workflow}
}
