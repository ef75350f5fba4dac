package forgetest

import (
	"maps"
	"slices"
	"time"
)

// TaskSpec is a job for the forge to hand out.
type TaskSpec struct {
	// WorkflowYAML is a workflow. With JobID empty it is sent verbatim as
	// the workflow_payload, so it should hold exactly one job (or be
	// deliberately malformed). With JobID set, that job is cut out into a
	// single-job workflow, as the forge does.
	WorkflowYAML string
	JobID        string
	// Context adds to or overrides keys of the github context the forge
	// builds (event, event_name, ref, sha, repository, server_url, token,
	// gitea_default_actions_url, ...); a nil value removes a key. Values are
	// anything encoding/json can marshal.
	Context map[string]any
	// Secrets are the repository's secrets; the forge adds the job token as
	// GITHUB_TOKEN, GITEA_TOKEN and FORGEJO_TOKEN.
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
// have produced (JobID not in the workflow, Needs naming an unknown task,
// a Context that is not JSON) fails the test.
func (s *Server) AddTask(spec TaskSpec) int64 {
	s.tb.Helper()
	payload, job, err := singleJob(spec.WorkflowYAML, spec.JobID)
	if err != nil {
		s.tb.Fatalf("forgetest: AddTask: %v", err)
		return 0
	}
	if spec.RunsOn != nil {
		job.runsOn = slices.Clone(spec.RunsOn)
	}
	overrides, err := jsonMap(spec.Context)
	if err != nil {
		s.tb.Fatalf("forgetest: AddTask: Context: %v", err)
		return 0
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	id := int64(len(s.order) + 1)
	t := newTaskState(id)
	t.job, t.payload, t.created = job, payload, time.Now()
	t.token = randomHex(20)
	t.vars = maps.Clone(spec.Vars)
	t.secrets = maps.Clone(spec.Secrets)
	if t.secrets == nil {
		t.secrets = map[string]string{}
	}
	for _, name := range []string{"GITHUB_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN"} {
		t.secrets[name] = t.token
	}
	runID := id
	t.needSpecs = cloneNeeds(spec.Needs)
	for name, n := range t.needSpecs {
		if n.Task == 0 {
			continue
		}
		if _, ok := s.tasks[n.Task]; !ok {
			s.tb.Fatalf("forgetest: AddTask: need %q names task %d, which was not added", name, n.Task)
			return 0
		}
		runID = min(runID, s.tasks[n.Task].runID)
	}
	t.runID = runID
	t.context = s.defaultContext(t, runID)
	for k, v := range overrides {
		if v == nil {
			delete(t.context, k)
		} else {
			t.context[k] = v
		}
	}
	t.status = StatusBlocked
	s.tasks[id] = t
	s.order = append(s.order, id)
	s.resolve(t.created)
	s.notify()
	return id
}

// resolve moves blocked tasks whose needs are done to waiting (bumping
// tasks_version) or skipped, as the forge's job emitter does; s.mu held.
func (s *Server) resolve(now time.Time) {
	for changed := true; changed; {
		changed = false
		for _, id := range s.order {
			t := s.tasks[id]
			if t.status != StatusBlocked {
				continue
			}
			ready, succeeded := true, true
			for _, n := range t.needSpecs {
				if n.Task == 0 {
					continue
				}
				st := s.tasks[n.Task].status
				ready = ready && st.Done()
				succeeded = succeeded && st == StatusSuccess
			}
			switch {
			case !ready:
				continue
			case succeeded || t.job.hasIf:
				t.status = StatusWaiting
				s.bumpVersion()
			default:
				t.stop(StatusSkipped, now)
			}
			changed = true
		}
	}
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
