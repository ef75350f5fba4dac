package forgetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"google.golang.org/protobuf/proto"
)

// maxNotes bounds a task's notes.
const maxNotes = 100

// taskState is a task inside the server; guarded by Server.mu.
type taskState struct {
	id        int64
	job       jobInfo
	payload   []byte
	context   map[string]any
	secrets   map[string]string
	vars      map[string]string
	needSpecs map[string]Need
	needTasks map[string]*taskState // the tasks needSpecs wait for
	needs     map[string]Need
	token     string
	runID     int64 // a chain of needs is one run

	// seq is the creation order (Gitea's job id) and readyAt when the job
	// became waiting (Gitea's updated): waiting jobs go out oldest first.
	seq, readyAt int64
	// run, name, matrix and needIDs: a job of a run from AddRun.
	run     *runState
	name    string
	matrix  map[string]any
	needIDs []string

	status                                  Status
	runner                                  string
	created, assigned, finished, lastUpdate time.Time
	reported                                runnerv1.Result
	lastState                               *runnerv1.TaskState
	steps                                   []StepRecord
	unknownSteps                            []int64
	rows                                    []Row
	logLength, rowsSent                     int64
	digest                                  hash.Hash
	logClosed                               bool
	outputs                                 map[string]string
	updates, logUpdates                     int
	notes                                   []string
}

func (t *taskState) notef(format string, args ...any) {
	if len(t.notes) < maxNotes {
		t.notes = append(t.notes, fmt.Sprintf(format, args...))
	}
}

// stop finishes the task from the forge's side (cancel, zombie): steps not
// done get the same status, as Gitea's StopTask does.
func (t *taskState) stop(status Status, now time.Time) {
	t.status = status
	t.finished = now
	for i := range t.steps {
		st := &t.steps[i]
		if _, done := statusOf(st.Result); done {
			continue
		}
		st.Result = status.Result()
		if st.Started.IsZero() {
			st.Started = now
		}
		st.Stopped = now
	}
}

func (t *taskState) record() TaskRecord {
	r := TaskRecord{
		ID: t.id, RunID: t.runID, JobID: t.job.id, Name: t.name, Matrix: maps.Clone(t.matrix),
		Status: t.status, Result: t.status.Result(),
		ReportedResult: t.reported, RunnerUUID: t.runner, Token: t.token,
		Payload: append([]byte(nil), t.payload...),
		Secrets: maps.Clone(t.secrets), Vars: maps.Clone(t.vars), Needs: cloneNeeds(t.needs),
		Created: t.created, Assigned: t.assigned, Finished: t.finished, LastUpdate: t.lastUpdate,
		Steps: append([]StepRecord(nil), t.steps...), UnknownSteps: append([]int64(nil), t.unknownSteps...),
		Rows:      append([]Row(nil), t.rows...),
		LogLength: t.logLength, RowsSent: t.rowsSent, LogDigest: hex.EncodeToString(t.digest.Sum(nil)),
		LogClosed: t.logClosed, Outputs: maps.Clone(t.outputs),
		Updates: t.updates, LogUpdates: t.logUpdates, Notes: append([]string(nil), t.notes...),
	}
	if t.lastState != nil {
		r.LastState = proto.CloneOf(t.lastState)
	}
	if r.Outputs == nil {
		r.Outputs = map[string]string{}
	}
	return r
}

func newTaskState(id int64) *taskState {
	return &taskState{id: id, digest: sha256.New(), outputs: map[string]string{}}
}

func cloneNeeds(in map[string]Need) map[string]Need {
	if in == nil {
		return nil
	}
	out := make(map[string]Need, len(in))
	for k, n := range in {
		n.Outputs = maps.Clone(n.Outputs)
		out[k] = n
	}
	return out
}
