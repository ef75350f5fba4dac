package forgetest

import (
	"context"
	"maps"
	"slices"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"
)

// FetchTask hands out the first waiting task the runner's labels match,
// but only looks when the runner's tasks_version differs from the
// forge's. Not idempotent: the task is assigned whether or not the reply
// arrives.
func (v *service) FetchTask(ctx context.Context, req *connect.Request[runnerv1.FetchTaskRequest]) (*connect.Response[runnerv1.FetchTaskResponse], error) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := v.runner(ctx)
	if err != nil {
		return nil, err
	}
	if s.tasksVersion == 0 {
		// Gitea never answers version 0: the runner would take it for a
		// forge without versions.
		s.tasksVersion = 1
	}
	latest := s.tasksVersion
	var task *runnerv1.Task
	if req.Msg.GetTasksVersion() != latest {
		task, err = s.pick(r, time.Now())
		if err != nil {
			return nil, err
		}
	}
	return connect.NewResponse(&runnerv1.FetchTaskResponse{Task: task, TasksVersion: latest}), nil
}

// pick assigns a task to r; s.mu held.
func (s *Server) pick(r *RunnerRecord, now time.Time) (*runnerv1.Task, error) {
	if r.Ephemeral {
		// One task per ephemeral runner; once it is done, the next fetch
		// deletes the runner, as Gitea's PickTask does.
		for _, t := range s.tasks {
			if t.runner != r.UUID {
				continue
			}
			if !t.status.Done() {
				return nil, nil
			}
			delete(s.runners, r.UUID)
			s.notify()
			return nil, rpcError("Internal", "pick task: runner has been removed")
		}
	}
	for _, id := range s.order {
		t := s.tasks[id]
		if t.status != StatusWaiting || !matches(t.job.runsOn, r.Labels) {
			continue
		}
		t.status, t.runner, t.assigned, t.lastUpdate = StatusRunning, r.UUID, now, now
		t.steps = make([]StepRecord, t.job.steps)
		for i := range t.steps {
			t.steps[i].ID = int64(i)
		}
		t.needs = s.needsOf(t)
		r.MaxRunning = max(r.MaxRunning, s.running(r.UUID))
		s.notify()
		return s.taskProto(t)
	}
	return nil, nil
}

// matches: every runs-on label is one of the runner's labels, exactly.
func matches(runsOn, labels []string) bool {
	for _, l := range runsOn {
		if !slices.Contains(labels, l) {
			return false
		}
	}
	return true
}

// needsOf fills in the needs that wait for tasks; s.mu held.
func (s *Server) needsOf(t *taskState) map[string]Need {
	needs := cloneNeeds(t.needSpecs)
	for name, n := range needs {
		if n.Task != 0 {
			dep := s.tasks[n.Task]
			n.Outputs, n.Result = maps.Clone(dep.outputs), dep.status.Result()
			needs[name] = n
		}
	}
	return needs
}

func (s *Server) taskProto(t *taskState) (*runnerv1.Task, error) {
	ctx, err := structpb.NewStruct(t.context)
	if err != nil {
		return nil, rpcError("Internal", "pick task: %v", err)
	}
	task := &runnerv1.Task{
		Id: t.id, WorkflowPayload: t.payload, Context: ctx,
		Secrets: maps.Clone(t.secrets), Vars: maps.Clone(t.vars),
	}
	if task.Vars == nil {
		task.Vars = map[string]string{}
	}
	task.Needs = make(map[string]*runnerv1.TaskNeed, len(t.needs))
	for name, n := range t.needs {
		task.Needs[name] = &runnerv1.TaskNeed{Outputs: maps.Clone(n.Outputs), Result: n.Result}
	}
	return task, nil
}
