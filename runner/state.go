package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// taskState is what the runner reports about one task, kept on disk next
// to the log spool so that a restarted runner can finish the report. It
// never holds secrets: rows and outputs are masked before they get here.
type taskState struct {
	ID int64 `json:"id"`
	// Repo and Job are for the runner's own log lines.
	Repo      string          `json:"repo,omitempty"`
	Job       string          `json:"job,omitempty"`
	StartedAt time.Time       `json:"started_at"`
	StoppedAt time.Time       `json:"stopped_at,omitzero"`
	Result    runnerv1.Result `json:"result,omitempty"`
	Steps     []stepState     `json:"steps,omitempty"`
	// Outputs are the job's outputs, sent with the final state.
	Outputs map[string]string `json:"outputs,omitempty"`
	// Acked is how many log rows the forge has confirmed.
	Acked int64 `json:"acked"`
}

// stepState is one step's state as the forge shows it.
type stepState struct {
	Result    runnerv1.Result `json:"result,omitempty"`
	StartedAt time.Time       `json:"started_at,omitzero"`
	StoppedAt time.Time       `json:"stopped_at,omitzero"`
	LogIndex  int64           `json:"log_index"`
	LogLength int64           `json:"log_length"`
}

// proto converts the state to the protocol's TaskState.
func (s *taskState) proto() *runnerv1.TaskState {
	out := &runnerv1.TaskState{Id: s.ID, Result: s.Result, StartedAt: stamp(s.StartedAt), StoppedAt: stamp(s.StoppedAt)}
	out.Steps = make([]*runnerv1.StepState, len(s.Steps))
	for i, st := range s.Steps {
		out.Steps[i] = &runnerv1.StepState{
			Id: int64(i), Result: st.Result, StartedAt: stamp(st.StartedAt), StoppedAt: stamp(st.StoppedAt),
			LogIndex: st.LogIndex, LogLength: st.LogLength,
		}
	}
	return out
}

// stamp converts t, leaving the zero time unset.
func stamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// finishSteps gives every step without a result one, once the task has
// ended with result: a step cut off while running gets the task's result,
// a step that never started is skipped.
func (s *taskState) finishSteps(result runnerv1.Result, now time.Time) {
	var end int64 // where the previous step's rows end
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Result != runnerv1.Result_RESULT_UNSPECIFIED {
			end = st.LogIndex + st.LogLength
			continue
		}
		if st.StartedAt.IsZero() {
			st.Result = runnerv1.Result_RESULT_SKIPPED
			st.LogIndex, st.LogLength = end, 0
			continue
		}
		end = st.LogIndex + st.LogLength
		st.Result = result
		if result == runnerv1.Result_RESULT_SUCCESS {
			st.Result = runnerv1.Result_RESULT_FAILURE
		}
		st.StoppedAt = now
	}
}

// stateFile is the state's name in a task's directory.
func stateFile(dir string) string { return filepath.Join(dir, "state.json") }

// taskDir is where a task's spool and state live under the state
// directory.
func taskDir(stateDir string, id int64) string {
	return filepath.Join(stateDir, "tasks", strconv.FormatInt(id, 10))
}

// save writes the state atomically (a new file renamed over the old).
func (s *taskState) save(dir string) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encoding the state of task %d: %w", s.ID, err)
	}
	tmp := stateFile(dir) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("saving the state of task %d: %w (check that the state_dir is writable)", s.ID, err)
	}
	if err := os.Rename(tmp, stateFile(dir)); err != nil {
		return fmt.Errorf("saving the state of task %d: %w", s.ID, err)
	}
	return nil
}

// loadState reads a task's saved state.
func loadState(dir string) (*taskState, error) {
	data, err := os.ReadFile(stateFile(dir))
	if err != nil {
		return nil, fmt.Errorf("reading the saved state of a task: %w", err)
	}
	var s taskState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("reading the saved state in %s: %w", dir, err)
	}
	return &s, nil
}
