package forgetest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"time"
)

// TaskSpec is one job for the forge to hand out, outside any run: for
// tests of one task. AddRun creates the tasks of whole workflows.
type TaskSpec struct {
	// WorkflowYAML is a workflow. The payload is what Gitea stores for
	// the job JobID (or, with JobID empty, the workflow's only job): the
	// workflow with that one job, its matrix reduced to one combination,
	// its needs removed, re-encoded as Gitea does. A workflow Gitea could
	// not parse, or with JobID empty one with several jobs, is sent
	// verbatim: a payload no real forge sends, for tests of a runner's
	// defences.
	WorkflowYAML string
	JobID        string
	// Matrix picks the matrix combination (see RunRecord.Job); default
	// the first in Gitea's order.
	Matrix map[string]any
	// Context adds to or overrides keys of the github context the forge
	// builds (Gitea's keys for a push to main of forgetest/repo: event,
	// event_name, ref, sha, repository, server_url, token,
	// gitea_default_actions_url, ...); a nil value removes a key. Values
	// are anything encoding/json can marshal.
	Context map[string]any
	// Secrets are the repository's secrets; the forge adds the job token
	// as GITHUB_TOKEN, GITEA_TOKEN and FORGEJO_TOKEN.
	Secrets map[string]string
	Vars    map[string]string
	// Needs are the needed jobs by id. A Need with Task set waits for that
	// earlier task: this one stays blocked until it is done, then gets its
	// outputs and result; when a needed task did not succeed and the job has
	// no if:, this one is skipped without being handed out.
	Needs map[string]Need
	// RunsOn are the labels a runner must all have; default: the job's
	// runs-on.
	RunsOn []string
}

// AddTask queues a task and returns its id. A spec the forge could not
// have produced (JobID not in the workflow or not parsing, no such
// Matrix, Needs naming an unknown task, a Context that is not JSON) fails
// the test.
func (s *Server) AddTask(spec TaskSpec) int64 {
	s.tb.Helper()
	overrides, err := jsonMap(spec.Context)
	if err != nil {
		s.tb.Fatalf("forgetest: AddTask: Context: %v", err)
		return 0
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	t := s.newJob(now)
	s.lastTaskID++
	t.id = s.lastTaskID
	s.tasks[t.id] = t
	t.token = randomHex(20)
	t.vars = maps.Clone(spec.Vars)
	t.secrets = maps.Clone(spec.Secrets)
	if t.secrets == nil {
		t.secrets = map[string]string{}
	}
	for _, name := range []string{"GITHUB_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN"} {
		t.secrets[name] = t.token
	}
	t.needSpecs = cloneNeeds(spec.Needs)
	t.needTasks = map[string]*taskState{}
	runID := int64(0)
	for name, n := range t.needSpecs {
		if n.Task == 0 {
			continue
		}
		dep, ok := s.tasks[n.Task]
		if !ok || dep.run != nil {
			s.tb.Fatalf("forgetest: AddTask: need %q names task %d, which was not added with AddTask", name, n.Task)
			return 0
		}
		t.needTasks[name] = dep
		if runID == 0 || dep.runID < runID {
			runID = dep.runID
		}
	}
	if runID == 0 {
		s.lastRunID++
		runID = s.lastRunID
	}
	t.runID = runID

	sum := sha1.Sum(fmt.Appendf(nil, "forgetest task %d", t.id))
	sha := hex.EncodeToString(sum[:])
	p := newPayloads(s.URL(), "forgetest/repo")
	info := runInfo{
		id: runID, index: runID, workflow: "ci.yml", triggerEvent: "push", ref: "refs/heads/main",
		sha: sha, actor: "forgetest", repository: "forgetest/repo",
	}
	info.event, _ = jsonMap(p.push(info.ref, zeroSHA, sha, info.actor)) // built of JSON values
	runCtx := s.giteaContext(info, "", 0)
	apply(runCtx, overrides)
	env := exprEnv{github: githubContext(runCtx), vars: t.vars}
	if err := t.render(spec, env); err != nil {
		s.tb.Fatalf("forgetest: AddTask: %v", err)
		return 0
	}
	if spec.RunsOn != nil {
		t.job.runsOn = slices.Clone(spec.RunsOn)
	}
	t.context = s.giteaContext(info, t.job.id, 1)
	t.context["token"] = t.token
	t.context["gitea_runtime_token"] = runtimeToken(t.id, runID, t.seq)
	apply(t.context, overrides)
	t.status = StatusBlocked
	s.resolve(now)
	s.notify()
	return t.id
}

// render sets the task's payload and job from the spec.
func (t *taskState) render(spec TaskSpec, env exprEnv) error {
	jobs, err := renderWorkflow([]byte(spec.WorkflowYAML), env)
	if spec.JobID == "" && (err != nil || !oneJob(jobs)) {
		t.payload, t.job = []byte(spec.WorkflowYAML), verbatimJob(spec.WorkflowYAML)
		return nil
	}
	if err != nil {
		return fmt.Errorf("gitea would not accept the workflow: %w", err)
	}
	want := spec.JobID
	if want == "" {
		want = jobs[0].id
	}
	for _, j := range jobs {
		if j.id == want && hasAll(j.matrix, spec.Matrix) {
			t.payload, t.name, t.matrix = j.payload, j.name, j.matrix
			t.job = jobInfo{id: j.id, runsOn: j.runsOn, steps: j.steps, hasIf: j.hasIf}
			return nil
		}
	}
	if spec.Matrix != nil {
		return fmt.Errorf("workflow has no job %q with matrix %v", want, spec.Matrix)
	}
	return fmt.Errorf("workflow has no job %q", want)
}

func oneJob(jobs []renderedJob) bool {
	return len(jobs) > 0 && !slices.ContainsFunc(jobs, func(j renderedJob) bool { return j.id != jobs[0].id })
}

func apply(m, overrides map[string]any) {
	for k, v := range overrides {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
}

// resolve moves blocked jobs whose needs are done to waiting (bumping
// tasks_version) or skipped, as Gitea's job emitter does: a job is skipped
// when a job it needs failed, was cancelled or skipped, and it has no if:
// (with an if:, the runner decides). s.mu held.
func (s *Server) resolve(now time.Time) {
	for changed := true; changed; {
		changed = false
		for _, t := range s.jobs {
			if t.status != StatusBlocked {
				continue
			}
			ready, succeeded := true, true
			for _, dep := range s.deps(t) {
				ready = ready && dep.status.Done()
				succeeded = succeeded && dep.status != StatusFailure && dep.status != StatusCancelled && dep.status != StatusSkipped
			}
			switch {
			case !ready:
				continue
			case succeeded || t.job.hasIf:
				t.status, t.readyAt = StatusWaiting, s.tick()
				s.bumpVersion()
			default:
				t.stop(StatusSkipped, now)
			}
			changed = true
		}
	}
}

// deps are the tasks and jobs t waits for; s.mu held.
func (s *Server) deps(t *taskState) []*taskState {
	if t.run == nil {
		return slices.Collect(maps.Values(t.needTasks))
	}
	var out []*taskState
	for _, j := range t.run.jobs {
		if slices.Contains(t.needIDs, j.job.id) {
			out = append(out, j)
		}
	}
	return out
}

// bumpVersion tells polling runners there may be new work.
func (s *Server) bumpVersion() {
	if s.tasksVersion == 0 {
		s.tasksVersion = 1
	}
	s.tasksVersion++
}

// Cancel cancels a task as a user cancelling the run does: a task not yet
// handed out is cancelled at once; a running one is marked cancelled, and
// its runner learns it from the reply to its next UpdateTask.
func (s *Server) Cancel(id int64) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[id]
	if !ok {
		s.tb.Errorf("forgetest: Cancel(%d): no such task", id)
		return
	}
	if t.status.Done() {
		return
	}
	now := time.Now()
	t.stop(StatusCancelled, now)
	s.resolve(now)
	s.notify()
}
