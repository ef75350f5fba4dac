package forgetest

import (
	"context"
	"slices"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Output limits of the forge; larger outputs are dropped.
const (
	maxOutputKey   = 255
	maxOutputValue = 1 << 20
)

// UpdateTask stores the runner's state as Gitea's UpdateTaskByState does:
// nothing changes once the task is done (cancelled, failed as a zombie, or
// finished); a result other than UNSPECIFIED finishes it; outputs are
// stored once per key even after that. The reply's state.result is the
// forge's status, CANCELLED after Cancel.
func (v *service) UpdateTask(ctx context.Context, req *connect.Request[runnerv1.UpdateTaskRequest]) (*connect.Response[runnerv1.UpdateTaskResponse], error) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := v.runner(ctx)
	if err != nil {
		return nil, err
	}
	state := req.Msg.GetState()
	t, ok := s.tasks[state.GetId()]
	switch {
	case state == nil:
		return nil, rpcError("Internal", "update task: no state")
	case !ok || t.runner == "": // the forge creates a task when it hands it out
		return nil, rpcError("Internal", "update task: task %d does not exist", state.GetId())
	case t.runner != r.UUID:
		return nil, rpcError("Internal", "update task: invalid runner for task")
	}
	now := time.Now()
	t.updates++
	t.lastState = proto.CloneOf(state)
	if state.GetResult() != runnerv1.Result_RESULT_UNSPECIFIED {
		t.reported = state.GetResult()
	}
	if !t.status.Done() {
		s.applyState(t, state, now)
	}
	for k, val := range req.Msg.GetOutputs() {
		switch {
		case len(k) > maxOutputKey:
			t.notef("UpdateTask: output key of %d bytes ignored (limit %d)", len(k), maxOutputKey)
		case len(val) > maxOutputValue:
			t.notef("UpdateTask: output %q of %d bytes ignored (limit %d)", k, len(val), maxOutputValue)
		default:
			if _, ok := t.outputs[k]; !ok {
				t.outputs[k] = val
			}
		}
	}
	sent := slices.Sorted(func(yield func(string) bool) {
		for k := range t.outputs {
			if !yield(k) {
				return
			}
		}
	})
	s.notify()
	return connect.NewResponse(&runnerv1.UpdateTaskResponse{
		State:       &runnerv1.TaskState{Id: state.GetId(), Result: t.status.Result()},
		SentOutputs: sent,
	}), nil
}

// applyState stores a state for a task not done; s.mu held.
func (s *Server) applyState(t *taskState, state *runnerv1.TaskState, now time.Time) {
	t.lastUpdate = now
	if status, final := statusOf(state.GetResult()); final {
		t.status, t.finished = status, now
		s.resolve(now)
	} else if state.GetResult() != runnerv1.Result_RESULT_UNSPECIFIED {
		t.notef("UpdateTask: unknown result %d ignored", state.GetResult())
	}
	for _, st := range state.GetSteps() {
		id := st.GetId()
		if id < 0 || id >= int64(len(t.steps)) {
			if !slices.Contains(t.unknownSteps, id) {
				t.unknownSteps = append(t.unknownSteps, id)
				t.notef("UpdateTask: step %d ignored: the job has %d steps", id, len(t.steps))
			}
			continue
		}
		t.steps[id] = StepRecord{
			ID: id, Result: st.GetResult(),
			Started: timeOf(st.GetStartedAt()), Stopped: timeOf(st.GetStoppedAt()),
			LogIndex: st.GetLogIndex(), LogLength: st.GetLogLength(),
		}
	}
}

func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}
