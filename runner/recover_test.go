package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// leaveTask writes what a runner killed during task id leaves behind:
// its spool with rows and its saved state; with result set, the job had
// ended but its report was not sent.
func leaveTask(t *testing.T, stateDir string, id int64, rows []string, result runnerv1.Result) {
	t.Helper()
	l := logrus.New()
	l.SetOutput(&testkit.LockedBuffer{})
	rep, err := newReporter(reporterConfig{Forge: newFakeForge(t), Dir: taskDir(stateDir, id),
		State: taskState{ID: id, StartedAt: time.Now()}, Log: logrus.NewEntry(l), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	rep.setSteps(2)
	rep.Emit(executor.Event{Kind: executor.EventStepStart, Step: 0})
	for _, r := range rows {
		rep.Emit(executor.Event{Kind: executor.EventLog, Step: 0, Line: r})
	}
	if result != 0 {
		rep.close(result, "Job "+resultWord(result))
	}
	rep.saveState()
	rep.spool.Close()
}

func TestRecoverTasksLeftBehind(t *testing.T) {
	t.Parallel()
	stateDir := t.TempDir()
	leaveTask(t, stateDir, 7, []string{"a", "b"}, 0)
	leaveTask(t, stateDir, 8, []string{"c"}, runnerv1.Result_RESULT_SUCCESS)
	if err := os.MkdirAll(taskDir(stateDir, 9), 0o700); err != nil { // no state: unusable
		t.Fatal(err)
	}
	f := newFakeForge(t)
	r := New(Config{Forge: f, StateDir: stateDir, Labels: []string{"x:host"}, FetchInterval: 50 * time.Millisecond,
		Report: ReportTiming{Interval: 20 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s7, s8 := f.lastState(7), f.lastState(8)
		if s7.GetResult() != 0 && s8.GetResult() != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks left behind were not reported; requests: %v", f.log())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run() = %v", err)
	}
	tests := []struct {
		id     int64
		result runnerv1.Result
		rows   []string
		// A step cut off while running fails; one never started is
		// skipped.
		stepFirst, stepLast runnerv1.Result
	}{
		{id: 7, result: runnerv1.Result_RESULT_FAILURE, rows: []string{"a", "b", "##[error]" + restartLine, "Job failed"},
			stepFirst: runnerv1.Result_RESULT_FAILURE, stepLast: runnerv1.Result_RESULT_SKIPPED},
		{id: 8, result: runnerv1.Result_RESULT_SUCCESS, rows: []string{"c", "Job succeeded"},
			stepFirst: runnerv1.Result_RESULT_FAILURE, stepLast: runnerv1.Result_RESULT_SKIPPED},
	}
	for _, tt := range tests {
		rows, closed := f.storedRows(tt.id)
		if diff := cmp.Diff(rows, tt.rows); diff != "" || !closed {
			t.Errorf("task %d rows (-got +want), closed %t:\n%s", tt.id, closed, diff)
		}
		st := f.lastState(tt.id)
		if st.GetResult() != tt.result || len(st.GetSteps()) != 2 || st.GetSteps()[0].GetResult() != tt.stepFirst || st.GetSteps()[1].GetResult() != tt.stepLast {
			t.Errorf("task %d final state %v, want %s with step 0 %s and step 1 %s", tt.id, st, tt.result, tt.stepFirst, tt.stepLast)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(stateDir, "tasks"))
	if len(entries) != 0 {
		t.Errorf("the state directory still holds %d tasks after reporting them", len(entries))
	}
}
