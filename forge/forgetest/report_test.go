package forgetest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// logCall is one UpdateLog request and what the forge must answer.
type logCall struct {
	index   int64
	rows    []string
	noMore  bool
	wantAck int64
	wantErr string
}

func TestUpdateLog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		calls      []logCall
		wantRows   []string
		wantSent   []int
		wantClosed bool
		wantNote   string
	}{{
		name:     "in order",
		calls:    []logCall{{0, []string{"a", "b"}, false, 2, ""}, {2, []string{"c"}, false, 3, ""}},
		wantRows: []string{"a", "b", "c"}, wantSent: []int{1, 1, 1},
	}, {
		name:     "overlapping resend keeps the new part only",
		calls:    []logCall{{0, []string{"a", "b"}, false, 2, ""}, {1, []string{"b", "c", "d"}, false, 4, ""}},
		wantRows: []string{"a", "b", "c", "d"}, wantSent: []int{1, 2, 1, 1},
	}, {
		name:     "resend of stored rows only",
		calls:    []logCall{{0, []string{"a", "b"}, false, 2, ""}, {0, []string{"x", "y"}, false, 2, ""}},
		wantRows: []string{"a", "b"}, wantSent: []int{2, 2},
	}, {
		name:     "gap is ignored",
		calls:    []logCall{{0, []string{"a"}, false, 1, ""}, {5, []string{"f"}, false, 1, ""}},
		wantRows: []string{"a"}, wantSent: []int{1}, wantNote: "rows from 5 ignored",
	}, {
		name:     "no_more closes",
		calls:    []logCall{{0, []string{"a"}, false, 1, ""}, {1, []string{"b"}, true, 2, ""}},
		wantRows: []string{"a", "b"}, wantSent: []int{1, 1}, wantClosed: true,
	}, {
		name:     "empty final request is ignored even with no_more",
		calls:    []logCall{{0, []string{"a"}, false, 1, ""}, {1, nil, true, 1, ""}, {1, []string{"b"}, false, 2, ""}},
		wantRows: []string{"a", "b"}, wantSent: []int{1, 1}, wantNote: "no rows and no_more",
	}, {
		name: "new rows after no_more are an error",
		calls: []logCall{
			{0, []string{"a"}, true, 1, ""},
			{1, []string{"b"}, false, 0, "log file has been archived"},
			{0, []string{"a"}, false, 1, ""}, // a resend of stored rows still gets the ack
		},
		wantRows: []string{"a"}, wantSent: []int{2}, wantClosed: true, wantNote: "after no_more",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			c, id := started(t, srv)
			for i, call := range tt.calls {
				ack, err := c.log(t.Context(), id, call.index, call.noMore, call.rows...)
				if call.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), call.wantErr) || connect.CodeOf(err) != connect.CodeUnknown {
						t.Errorf("call %d: UpdateLog = %d, %v; want code unknown with %q", i, ack, err, call.wantErr)
					}
					continue
				}
				if err != nil || ack != call.wantAck {
					t.Errorf("call %d: UpdateLog(%d, %q, %t) = %d, %v; want ack %d", i, call.index, call.rows, call.noMore, ack, err, call.wantAck)
				}
			}
			rec := srv.Task(id)
			sent := make([]int, len(rec.Rows))
			for i, r := range rec.Rows {
				sent[i] = r.Sent
			}
			if !slices.Equal(contents(rec.Rows), tt.wantRows) || !slices.Equal(sent, tt.wantSent) || rec.LogClosed != tt.wantClosed {
				t.Errorf("rows %q sent %v closed %t; want %q sent %v closed %t", contents(rec.Rows), sent, rec.LogClosed, tt.wantRows, tt.wantSent, tt.wantClosed)
			}
			if rec.LogLength != int64(len(tt.wantRows)) {
				t.Errorf("LogLength = %d, want %d", rec.LogLength, len(tt.wantRows))
			}
			hasNote := slices.ContainsFunc(rec.Notes, func(n string) bool { return tt.wantNote != "" && strings.Contains(n, tt.wantNote) })
			if hasNote != (tt.wantNote != "") || (tt.wantNote == "" && len(rec.Notes) > 0) {
				t.Errorf("notes = %q, want one with %q", rec.Notes, tt.wantNote)
			}
		})
	}
}

func TestLogRowTimesAndDigest(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]forgetest.Option{nil, {forgetest.WithoutLogContent()}} {
		srv := forgetest.New(t, opts...)
		c, id := started(t, srv)
		at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		_, err := c.UpdateLog(t.Context(), connect.NewRequest(&runnerv1.UpdateLogRequest{
			TaskId: id, Rows: []*runnerv1.LogRow{{Time: timestamppb.New(at), Content: "one"}, {Content: "two"}},
		}))
		if err != nil {
			t.Fatal(err)
		}
		rec := srv.Task(id)
		sum := sha256.Sum256([]byte("one\ntwo\n"))
		if rec.LogDigest != hex.EncodeToString(sum[:]) || rec.LogLength != 2 || rec.RowsSent != 2 {
			t.Errorf("digest %s, length %d, sent %d; want the digest of one two, 2, 2", rec.LogDigest, rec.LogLength, rec.RowsSent)
		}
		if opts == nil && !rec.Rows[0].Time.Equal(at) {
			t.Errorf("row time = %v, want %v", rec.Rows[0].Time, at)
		}
		if opts != nil && len(rec.Rows) != 0 {
			t.Errorf("WithoutLogContent kept %d rows", len(rec.Rows))
		}
	}
}

func TestUpdateTask(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, id := started(t, srv)
	now := timestamppb.Now()
	resp := c.update(t, &runnerv1.TaskState{Id: id, StartedAt: now, Steps: []*runnerv1.StepState{
		{Id: 0, Result: runnerv1.Result_RESULT_SUCCESS, StartedAt: now, StoppedAt: now, LogIndex: 1, LogLength: 3},
		{Id: 1, StartedAt: now, LogIndex: 4},
		{Id: 7}, // the job has two steps
	}}, map[string]string{"a": "first", strings.Repeat("k", 256): "long key", "big": strings.Repeat("v", 1<<20+1)})
	if resp.GetState().GetResult() != runnerv1.Result_RESULT_UNSPECIFIED || !slices.Equal(resp.GetSentOutputs(), []string{"a"}) {
		t.Errorf("reply = %v; want result UNSPECIFIED, sent_outputs [a]", resp)
	}
	resp = c.update(t, &runnerv1.TaskState{Id: id, Result: runnerv1.Result_RESULT_FAILURE, StoppedAt: now}, map[string]string{"a": "second", "b": "x"})
	if resp.GetState().GetResult() != runnerv1.Result_RESULT_FAILURE || !slices.Equal(resp.GetSentOutputs(), []string{"a", "b"}) {
		t.Errorf("final reply = %v; want FAILURE, sent_outputs [a b]", resp)
	}
	rec := srv.Task(id)
	wantSteps := []forgetest.StepRecord{
		{ID: 0, Result: runnerv1.Result_RESULT_SUCCESS, Started: now.AsTime(), Stopped: now.AsTime(), LogIndex: 1, LogLength: 3},
		{ID: 1, Started: now.AsTime(), LogIndex: 4},
	}
	if diff := cmp.Diff(rec.Steps, wantSteps); diff != "" {
		t.Errorf("steps (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(rec.Outputs, map[string]string{"a": "first", "b": "x"}); diff != "" {
		t.Errorf("outputs, first value per key, limits applied (-got +want):\n%s", diff)
	}
	if rec.Status != forgetest.StatusFailure || rec.Finished.IsZero() || !slices.Equal(rec.UnknownSteps, []int64{7}) || len(rec.Notes) != 3 {
		t.Errorf("task = status %s finished %v unknown %v notes %q; want failure, finished, [7], 3 notes", rec.Status, rec.Finished, rec.UnknownSteps, rec.Notes)
	}
	// A done task ignores later states.
	c.update(t, &runnerv1.TaskState{Id: id, Result: runnerv1.Result_RESULT_SUCCESS}, nil)
	if rec := srv.Task(id); rec.Status != forgetest.StatusFailure || rec.ReportedResult != runnerv1.Result_RESULT_SUCCESS {
		t.Errorf("after a late state: status %s reported %s; want failure kept, SUCCESS reported", rec.Status, rec.ReportedResult)
	}
}

func TestUpdateTaskOfAnotherRunner(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	_, id := started(t, srv)
	other, _ := runner(t, srv, "ubuntu-latest")
	for name, call := range map[string]func() error{
		"UpdateTask": func() error {
			_, err := other.UpdateTask(t.Context(), connect.NewRequest(&runnerv1.UpdateTaskRequest{State: &runnerv1.TaskState{Id: id}}))
			return err
		},
		"UpdateLog": func() error { _, err := other.log(t.Context(), id, 0, false, "x"); return err },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "invalid runner for task") {
			t.Errorf("%s of another runner's task = %v, want \"invalid runner for task\"", name, err)
		}
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, id := started(t, srv)
	queued := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	srv.Cancel(queued)
	if got := srv.Task(queued).Status; got != forgetest.StatusCancelled {
		t.Errorf("queued task after Cancel = %s, want cancelled", got)
	}
	now := timestamppb.Now()
	c.update(t, &runnerv1.TaskState{Id: id, Steps: []*runnerv1.StepState{{Id: 0, StartedAt: now}}}, nil)
	srv.Cancel(id)
	resp := c.update(t, &runnerv1.TaskState{Id: id, Steps: []*runnerv1.StepState{{Id: 0, StartedAt: now, Result: runnerv1.Result_RESULT_SUCCESS}}}, nil)
	if resp.GetState().GetResult() != runnerv1.Result_RESULT_CANCELLED {
		t.Errorf("UpdateTask reply after Cancel = %v, want CANCELLED", resp.GetState().GetResult())
	}
	c.update(t, &runnerv1.TaskState{Id: id, Result: runnerv1.Result_RESULT_CANCELLED}, nil)
	rec := srv.Task(id)
	if rec.Status != forgetest.StatusCancelled || rec.ReportedResult != runnerv1.Result_RESULT_CANCELLED {
		t.Errorf("task = %s reported %s; want cancelled, CANCELLED", rec.Status, rec.ReportedResult)
	}
	for _, st := range rec.Steps {
		if st.Result != runnerv1.Result_RESULT_CANCELLED || st.Stopped.IsZero() {
			t.Errorf("step %d = %+v; want cancelled by the forge with a stop time", st.ID, st)
		}
	}
	// The log stays open for the runner's last rows.
	if ack, err := c.log(t.Context(), id, 0, true, "cancelled"); err != nil || ack != 1 {
		t.Errorf("UpdateLog after Cancel = %d, %v; want 1", ack, err)
	}
}

func TestZombieTimeout(t *testing.T) {
	t.Parallel()
	// Generous margins: a heartbeat every 50ms against a 500ms timeout
	// holds on a loaded machine.
	srv := forgetest.New(t, forgetest.WithZombieTimeout(500*time.Millisecond))
	c, silent := started(t, srv)
	beating := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	if task, _ := c.fetch(t, 0); task.GetId() != beating {
		t.Fatalf("fetched %v, want %d", task, beating)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_, _ = c.UpdateTask(ctx, connect.NewRequest(&runnerv1.UpdateTaskRequest{State: &runnerv1.TaskState{Id: beating}}))
			}
		}
	}()
	rec, err := srv.WaitResult(ctx, silent)
	if err != nil || rec.Status != forgetest.StatusFailure || !slices.ContainsFunc(rec.Notes, func(n string) bool { return strings.Contains(n, "zombie") }) {
		t.Errorf("silent task = %s %q, %v; want failure as a zombie", rec.Status, rec.Notes, err)
	}
	time.Sleep(600 * time.Millisecond)
	cancel()
	<-done
	if got := srv.Task(beating).Status; got != forgetest.StatusRunning {
		t.Errorf("task with a heartbeat = %s, want running", got)
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, id := started(t, srv)
	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitResult(short, id); err == nil || !strings.Contains(err.Error(), "status running") {
		t.Errorf("WaitResult of a running task = %v, want a timeout naming the status", err)
	}
	go func() {
		_, _ = c.log(context.Background(), id, 0, true, "x")
		_, _ = c.UpdateTask(context.Background(), connect.NewRequest(&runnerv1.UpdateTaskRequest{State: &runnerv1.TaskState{Id: id, Result: runnerv1.Result_RESULT_SUCCESS}}))
	}()
	rec, err := srv.WaitFor(t.Context(), id, func(r forgetest.TaskRecord) bool { return r.Status.Done() && r.LogClosed })
	if err != nil || rec.Result != runnerv1.Result_RESULT_SUCCESS {
		t.Errorf("WaitFor = %v, %v; want success", rec.Result, err)
	}
}
