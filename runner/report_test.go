package runner

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// testReporter returns a started reporter for task 1 with steps steps on
// f, and a function that closes it and waits for its report.
func testReporter(t *testing.T, f *fakeForge, steps int, onCancel func(runnerv1.Result)) (*reporter, func(runnerv1.Result)) {
	t.Helper()
	l := logrus.New()
	l.SetOutput(&testkit.LockedBuffer{})
	rep, err := newReporter(reporterConfig{
		Forge: f, Dir: t.TempDir() + "/task", State: taskState{ID: 1, StartedAt: time.Now()},
		Log: logrus.NewEntry(l), Now: time.Now, OnCancel: onCancel,
		Timing: ReportTiming{Interval: 20 * time.Millisecond, Heartbeat: 50 * time.Millisecond, MaxBackoff: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	rep.setSteps(steps)
	ctx, cancel := context.WithCancel(context.Background())
	go rep.run(ctx)
	t.Cleanup(func() {
		cancel()
		<-rep.done
	})
	return rep, func(r runnerv1.Result) {
		t.Helper()
		rep.close(r, "Job "+resultWord(r))
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		defer wcancel()
		if !rep.wait(wctx) {
			t.Fatalf("the report did not finish; requests: %v", f.log())
		}
	}
}

func TestReporterMapsEventsToRowsAndSteps(t *testing.T) {
	t.Parallel()
	f := newFakeForge(t)
	rep, closeRep := testReporter(t, f, 3, nil)
	line := func(step int, stage, level, text string) {
		rep.Emit(executor.Event{Kind: executor.EventLog, Step: step, Stage: stage, Level: level, Line: text})
	}
	step := func(kind executor.EventKind, i int, stage string, r executor.Result) {
		rep.Emit(executor.Event{Kind: kind, Step: i, Stage: stage, StepName: fmt.Sprintf("Post step %d", i), Result: r})
	}
	line(-1, "", "", "set up 1")
	line(-1, "", "", "set up 2")
	step(executor.EventStepStart, 0, "main", "")
	line(0, "main", "group", "Run make")
	line(0, "main", "", "make")
	line(0, "main", "endgroup", "")
	line(0, "main", "error", "it broke")
	step(executor.EventStepEnd, 0, "main", executor.ResultSuccess)
	line(-1, "", "", "between steps")
	step(executor.EventStepStart, 1, "main", "")
	line(1, "main", "warning", "careful")
	rep.Emit(executor.Event{Kind: executor.EventStepEnd, Step: 1, Stage: "main", Result: executor.ResultFailure, Summary: "## Tests\n3 failed"})
	step(executor.EventStepStart, 2, "main", "")
	step(executor.EventStepEnd, 2, "main", executor.ResultSkipped)
	step(executor.EventStepStart, 0, "post", "")
	line(0, "post", "", "post output")
	step(executor.EventStepEnd, 0, "post", executor.ResultSuccess)
	line(-1, "", "", "complete")
	rep.Emit(executor.Event{Kind: executor.EventJobEnd, Step: -1, Result: executor.ResultFailure, Outputs: map[string]string{"a": "1"}})
	closeRep(runnerv1.Result_RESULT_FAILURE)

	rows, closed := f.storedRows(1)
	wantRows := []string{"set up 1", "set up 2", "##[group]Run make", "make", "##[endgroup]", "##[error]it broke",
		"between steps", "##[warning]careful", "Post step 0", "post output", "complete",
		"##[group]Job summary (Markdown)", "## Tests", "3 failed", "##[endgroup]", "Job failed"}
	if diff := cmp.Diff(rows, wantRows); diff != "" || !closed {
		t.Errorf("rows (-got +want), log closed %t:\n%s", closed, diff)
	}
	st := f.lastState(1)
	type span struct {
		Result        runnerv1.Result
		Index, Length int64
	}
	var got []span
	for _, s := range st.GetSteps() {
		got = append(got, span{s.GetResult(), s.GetLogIndex(), s.GetLogLength()})
	}
	want := []span{
		{runnerv1.Result_RESULT_SUCCESS, 2, 5}, // its rows and the job line before the next step
		{runnerv1.Result_RESULT_FAILURE, 7, 1},
		{runnerv1.Result_RESULT_SKIPPED, 8, 0}, // post rows and after: "Complete job"
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("steps (-got +want):\n%s", diff)
	}
	if st.GetResult() != runnerv1.Result_RESULT_FAILURE || st.GetStoppedAt() == nil {
		t.Errorf("final state %v, want FAILURE with stopped_at", st)
	}
	if diff := cmp.Diff(f.outputs[1], map[string]string{"a": "1"}); diff != "" {
		t.Errorf("outputs (-got +want):\n%s", diff)
	}
	// The result goes last, after the log is closed, with the outputs.
	reqs := f.log()
	if last := reqs[len(reqs)-1]; last != "UpdateTask result=2 outputs=1" {
		t.Errorf("last request %q, want the final UpdateTask with the outputs; all: %v", last, reqs)
	}
	for _, r := range reqs[:len(reqs)-1] {
		if strings.HasPrefix(r, "UpdateTask result=2") {
			t.Errorf("a state with the result went before the log was closed: %v", reqs)
		}
	}
}

func TestReporterBatchesAndResends(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		set  func(f *fakeForge)
	}{
		{name: "no faults"},
		{name: "forge unreachable at first", set: func(f *fakeForge) {
			var n atomic.Int32
			f.Fail = func(m string) error {
				if m == "UpdateLog" && n.Add(1) <= 3 {
					return errRetryable
				}
				return nil
			}
		}},
		{name: "replies lost", set: func(f *fakeForge) {
			var n atomic.Int32
			f.Drop = func(m string) bool { return n.Add(1)%3 == 0 }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeForge(t)
			if tt.set != nil {
				tt.set(f)
			}
			rep, closeRep := testReporter(t, f, 1, nil)
			rep.Emit(executor.Event{Kind: executor.EventStepStart, Step: 0})
			const n = 12001
			for i := range n {
				rep.Emit(executor.Event{Kind: executor.EventLog, Step: 0, Line: fmt.Sprintf("line %d", i)})
			}
			rep.Emit(executor.Event{Kind: executor.EventStepEnd, Step: 0, Result: executor.ResultSuccess})
			closeRep(runnerv1.Result_RESULT_SUCCESS)
			rows, closed := f.storedRows(1)
			if len(rows) != n+1 || !closed {
				t.Fatalf("%d rows stored (closed %t), want %d and closed", len(rows), closed, n+1)
			}
			for i := range n {
				if rows[i] != fmt.Sprintf("line %d", i) {
					t.Fatalf("row %d is %q", i, rows[i])
				}
			}
			noMore := 0
			for _, r := range f.log() {
				var index, count int
				if _, err := fmt.Sscanf(r, "UpdateLog %d+%d", &index, &count); err == nil && count > maxBatchRows {
					t.Errorf("%q: more than %d rows in one request", r, maxBatchRows)
				}
				if strings.HasSuffix(r, "no_more") {
					noMore++
				}
			}
			if noMore == 0 {
				t.Errorf("no request closed the log: %v", f.log())
			}
		})
	}
}

func TestReporterCancelAndOutputs(t *testing.T) {
	t.Parallel()
	f := newFakeForge(t)
	f.Result = runnerv1.Result_RESULT_CANCELLED
	f.IgnoreOutputs = 2
	cancelled := make(chan runnerv1.Result, 1)
	rep, closeRep := testReporter(t, f, 1, func(r runnerv1.Result) { cancelled <- r })
	rep.Emit(executor.Event{Kind: executor.EventStepStart, Step: 0})
	select {
	case r := <-cancelled:
		if r != runnerv1.Result_RESULT_CANCELLED {
			t.Errorf("onCancel(%s), want CANCELLED", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reporter did not pass on the forge's cancel")
	}
	big := strings.Repeat("k", 300)
	rep.Emit(executor.Event{Kind: executor.EventJobEnd, Outputs: map[string]string{"ok": "v", big: "x"}})
	closeRep(runnerv1.Result_RESULT_CANCELLED)
	if diff := cmp.Diff(f.outputs[1], map[string]string{"ok": "v"}); diff != "" {
		t.Errorf("outputs (-got +want):\n%s", diff)
	}
	sends := 0
	for _, r := range f.log() {
		if r == "UpdateTask result=3 outputs=1" {
			sends++
		}
	}
	if sends != 3 {
		t.Errorf("the outputs were sent %d times, want 3 (until the forge listed them): %v", sends, f.log())
	}
	if rows, _ := f.storedRows(1); !strings.Contains(strings.Join(rows, "\n"), "is too large for the forge") {
		t.Errorf("no row says the large output was dropped: %v", rows)
	}
}

// The closing row goes only with no_more, however the sender's rounds
// interleave with the end of the job.
// TestReporterClosingRowOnlyWithNoMore closes reporters whose sender runs
// all the time: the row that closes the log goes with no_more, and the
// last state carries the result.
func TestReporterClosingRowOnlyWithNoMore(t *testing.T) {
	t.Parallel()
	for i := range 300 {
		f := newFakeForge(t)
		l := logrus.New()
		l.SetOutput(&testkit.LockedBuffer{})
		rep, err := newReporter(reporterConfig{
			Forge: f, Dir: t.TempDir(), State: taskState{ID: int64(i)}, Log: logrus.NewEntry(l), Now: time.Now,
			Timing: ReportTiming{Interval: time.Microsecond},
		})
		if err != nil {
			t.Fatal(err)
		}
		rep.setSteps(1)
		ctx, cancel := context.WithCancel(context.Background())
		go rep.run(ctx)
		rep.Emit(executor.Event{Kind: executor.EventStepStart, Step: 0})
		rep.Emit(executor.Event{Kind: executor.EventLog, Step: 0, Line: "hi"})
		rep.Emit(executor.Event{Kind: executor.EventStepEnd, Step: 0, Result: executor.ResultSuccess})
		rep.close(runnerv1.Result_RESULT_SUCCESS, "Job succeeded")
		if !rep.wait(t.Context()) {
			t.Fatal("not reported")
		}
		cancel()
		if _, closed := f.storedRows(int64(i)); !closed {
			t.Fatalf("iteration %d: log not closed; requests %v", i, f.log())
		}
		// The sender must not finish before the result is set: a final
		// state without it leaves the task running on the forge.
		f.mu.Lock()
		states := f.states[int64(i)]
		f.mu.Unlock()
		if len(states) == 0 || states[len(states)-1].GetResult() != runnerv1.Result_RESULT_SUCCESS {
			t.Fatalf("iteration %d: the last state sent = %v; want result SUCCESS; requests %v", i, states, f.log())
		}
	}
}

// TestCloseIsOneStepForTheSender runs a sender round at the first moment
// close reads the clock. close used to mark the task closing before it
// spooled the last row, so a round there closed the log without that row
// and reported the task before its result was set: the last row and the
// result were lost (TestManyTrivialTasks failed about one run in five).
func TestCloseIsOneStepForTheSender(t *testing.T) {
	t.Parallel()
	f := newFakeForge(t)
	var (
		rep   *reporter
		armed atomic.Bool
	)
	now := func() time.Time {
		if armed.CompareAndSwap(true, false) && rep.mu.TryLock() {
			closing := rep.closing
			rep.mu.Unlock()
			if closing {
				if err := rep.finish(t.Context()); err != nil {
					t.Errorf("early finish: %v", err)
				}
			}
		}
		return time.Now()
	}
	l := logrus.New()
	l.SetOutput(&testkit.LockedBuffer{})
	rep, err := newReporter(reporterConfig{
		Forge: f, Dir: t.TempDir() + "/task", State: taskState{ID: 1, StartedAt: time.Now()},
		Log: logrus.NewEntry(l), Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.spool.Close()
	rep.setSteps(1)
	rep.Line("", "hello")
	armed.Store(true)
	rep.close(runnerv1.Result_RESULT_SUCCESS, "Job succeeded")
	if err := rep.finish(t.Context()); err != nil {
		t.Fatalf("finish: %v", err)
	}
	rows, closed := f.storedRows(1)
	if diff := cmp.Diff(rows, []string{"hello", "Job succeeded"}); diff != "" || !closed {
		t.Errorf("rows (-got +want):\n%s\nclosed %v, want true; requests: %v", diff, closed, f.log())
	}
	if got := f.lastState(1).GetResult(); got != runnerv1.Result_RESULT_SUCCESS {
		t.Errorf("result %s, want success; requests: %v", got, f.log())
	}
}
