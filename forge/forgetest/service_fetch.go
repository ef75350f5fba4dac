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
	// The oldest waiting job first, as Gitea orders by (updated, id).
	var t *taskState
	for _, j := range s.jobs {
		if j.status != StatusWaiting || !matches(j.job.runsOn, r.Labels) {
			continue
		}
		if t == nil || j.readyAt < t.readyAt || (j.readyAt == t.readyAt && j.seq < t.seq) {
			t = j
		}
	}
	if t == nil {
		return nil, nil
	}
	if t.run != nil {
		s.startRunJob(t)
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

// startRunJob makes a run's job a task, as Gitea's CreateTaskForRunner
// and PickTask do: a task id, a job token, the repository's secrets and
// vars, the context; s.mu held.
func (s *Server) startRunJob(t *taskState) {
	s.lastTaskID++
	t.id = s.lastTaskID
	s.tasks[t.id] = t
	t.token = randomHex(20)
	t.secrets = maps.Clone(t.run.secrets)
	if t.secrets == nil {
		t.secrets = map[string]string{}
	}
	t.secrets["GITHUB_TOKEN"], t.secrets["GITEA_TOKEN"] = t.token, t.token
	t.vars = maps.Clone(t.run.vars)
	t.context = s.giteaContext(t.run.info, t.job.id, 1)
	t.context["token"] = t.token
	t.context["gitea_runtime_token"] = runtimeToken(t.id, t.runID, t.seq)
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

// needsOf is what the task gets as needs; s.mu held. For a run's job,
// as Gitea's FindTaskNeeds: per needed job id, the outputs of its
// combinations that ran (merged) and their aggregated result.
func (s *Server) needsOf(t *taskState) map[string]Need {
	if t.run == nil {
		needs := cloneNeeds(t.needSpecs)
		for name, dep := range t.needTasks {
			n := needs[name]
			n.Outputs, n.Result = maps.Clone(dep.outputs), dep.status.Result()
			needs[name] = n
		}
		return needs
	}
	needs := map[string]Need{}
	for _, id := range t.needIDs {
		var group []*taskState
		var outputs map[string]string
		for _, j := range t.run.jobs {
			if j.job.id != id {
				continue
			}
			group = append(group, j)
			if j.id == 0 || !j.status.Done() {
				continue
			}
			outputs = mergeOutputs(j.outputs, outputs)
		}
		if len(group) > 0 {
			needs[id] = Need{Outputs: outputs, Result: aggregate(group).Result()}
		}
	}
	return needs
}

// mergeOutputs merges a matrix combination's outputs into the ones
// before it as Gitea does: the keys are the newer ones', an empty value
// taken from before.
func mergeOutputs(newer, before map[string]string) map[string]string {
	if len(before) == 0 {
		return maps.Clone(newer)
	}
	out := make(map[string]string, len(newer))
	for k, v := range newer {
		if v == "" {
			v = before[k]
		}
		out[k] = v
	}
	return out
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
