package forgetest

import (
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
)

// Status is a task's status on the forge.
type Status string

// Task statuses. Blocked waits for the tasks it needs, Waiting for a
// runner; the last four are final.
const (
	StatusBlocked   Status = "blocked"
	StatusWaiting   Status = "waiting"
	StatusRunning   Status = "running"
	StatusSuccess   Status = "success"
	StatusFailure   Status = "failure"
	StatusCancelled Status = "cancelled"
	StatusSkipped   Status = "skipped"
)

// Done tells whether the status is final.
func (s Status) Done() bool {
	switch s {
	case StatusSuccess, StatusFailure, StatusCancelled, StatusSkipped:
		return true
	}
	return false
}

// Result is the protocol's result for a final status, UNSPECIFIED for the
// others (what UpdateTask replies carry in state.result).
func (s Status) Result() runnerv1.Result {
	switch s {
	case StatusSuccess:
		return runnerv1.Result_RESULT_SUCCESS
	case StatusFailure:
		return runnerv1.Result_RESULT_FAILURE
	case StatusCancelled:
		return runnerv1.Result_RESULT_CANCELLED
	case StatusSkipped:
		return runnerv1.Result_RESULT_SKIPPED
	}
	return runnerv1.Result_RESULT_UNSPECIFIED
}

func statusOf(r runnerv1.Result) (Status, bool) {
	switch r {
	case runnerv1.Result_RESULT_SUCCESS:
		return StatusSuccess, true
	case runnerv1.Result_RESULT_FAILURE:
		return StatusFailure, true
	case runnerv1.Result_RESULT_CANCELLED:
		return StatusCancelled, true
	case runnerv1.Result_RESULT_SKIPPED:
		return StatusSkipped, true
	}
	return "", false
}

// TaskRecord is a snapshot of a task as the forge stores it.
type TaskRecord struct {
	// ID is the task id; for a job of a run from AddRun, 0 until it is
	// handed out.
	ID int64
	// RunID is the run (github.run_id); JobID the job's id in the
	// workflow, Name its name as the forge shows it (a matrix job's
	// interpolated, or followed by its values), Matrix its combination.
	RunID  int64
	JobID  string
	Name   string
	Matrix map[string]any
	// Status is the forge's view. After Cancel or a zombie timeout it stays
	// cancelled or failure whatever the runner reports later.
	Status Status
	// Result is Status.Result(): UNSPECIFIED until the task is done.
	Result runnerv1.Result
	// ReportedResult is the last final result the runner sent, even when
	// the forge ignored it because the task was already done.
	ReportedResult runnerv1.Result
	// LastState is the last state the runner sent in UpdateTask.
	LastState *runnerv1.TaskState
	// RunnerUUID is the runner the task went to; empty while not assigned.
	RunnerUUID string
	// Token is the job token (the GITHUB_TOKEN/GITEA_TOKEN/FORGEJO_TOKEN
	// secrets and github.token): a secret that must never be in a log row.
	Token string
	// Payload is the workflow_payload sent; Secrets and Vars as sent.
	Payload []byte
	Secrets map[string]string
	Vars    map[string]string
	// Needs are the needs as sent to the runner (filled in at dispatch).
	Needs map[string]Need
	// Created: AddTask. Assigned: handed out by FetchTask. Finished: the
	// forge received the final result (or cancelled or failed the task).
	// LastUpdate: the last UpdateTask (the zombie clock).
	Created, Assigned, Finished, LastUpdate time.Time
	// Steps are the job's steps by index as the runner reported them.
	Steps []StepRecord
	// UnknownSteps are step ids the runner sent that the job does not
	// have; the forge ignores them.
	UnknownSteps []int64
	// Rows are the stored log rows in order (empty with WithoutLogContent).
	Rows []Row
	// LogLength is the number of stored rows (the ack index), RowsSent how
	// many rows UpdateLog requests carried in all (resends included), and
	// LogDigest the hex SHA-256 of every stored row's content followed by
	// "\n".
	LogLength int64
	RowsSent  int64
	LogDigest string
	// LogClosed: a request with no_more and at least one row was stored.
	LogClosed bool
	// Outputs are the stored outputs (first value per key).
	Outputs map[string]string
	// Updates and LogUpdates count the UpdateTask and UpdateLog calls for
	// this task.
	Updates, LogUpdates int
	// Notes say what the forge ignored or rejected that a well-behaved
	// runner should not send, e.g. a closing UpdateLog with no rows.
	Notes []string
}

// StepRecord is one step's state as the forge stores it.
type StepRecord struct {
	ID                  int64
	Result              runnerv1.Result
	Started, Stopped    time.Time
	LogIndex, LogLength int64
}

// Row is one stored log row.
type Row struct {
	Time    time.Time
	Content string
	// Sent is how many UpdateLog requests carried this row; 1 when the
	// runner never resent it.
	Sent int
}

// Need is a needed job's outcome as the task gets it.
type Need struct {
	// Task, when set in a TaskSpec, is an earlier task this one waits for;
	// its outputs and result fill in Outputs and Result at dispatch.
	Task    int64
	Outputs map[string]string
	Result  runnerv1.Result
}

// RunnerRecord is a snapshot of a registered runner.
type RunnerRecord struct {
	ID        int64
	UUID      string
	Token     string
	Name      string
	Version   string
	Labels    []string
	Ephemeral bool
	// Registered, LastOnline (any authenticated call), LastActive
	// (UpdateTask or UpdateLog).
	Registered, LastOnline, LastActive time.Time
	// Online: a call within the offline time (1 minute by default).
	Online bool
	// Declares counts Declare calls.
	Declares int
	// Running is the number of tasks assigned and not done; MaxRunning the
	// most there ever were at once.
	Running, MaxRunning int
}
