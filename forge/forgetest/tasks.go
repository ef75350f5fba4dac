package forgetest

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

func (s *Server) defaultContext(t *taskState, runID int64) map[string]any {
	base := s.URL()
	sum := sha1.Sum([]byte(fmt.Sprintf("forgetest task %d", t.id)))
	sha := hex.EncodeToString(sum[:])
	repo := map[string]any{
		"name": "repo", "full_name": "forgetest/repo", "default_branch": "main",
		"html_url": base + "/forgetest/repo", "clone_url": base + "/forgetest/repo.git",
		"owner": map[string]any{"login": "forgetest", "username": "forgetest"},
	}
	return map[string]any{
		"action": "", "action_path": "", "action_ref": "", "action_repository": "", "action_status": "",
		"actor": "forgetest", "api_url": base + "/api/v1", "base_ref": "", "env": "",
		"event": map[string]any{
			"ref": "refs/heads/main", "before": "0000000000000000000000000000000000000000", "after": sha,
			"repository": repo, "pusher": map[string]any{"login": "forgetest"}, "sender": map[string]any{"login": "forgetest"},
		},
		"event_name": "push", "event_path": "", "graphql_url": "", "head_ref": "", "job": t.job.id,
		"ref": "refs/heads/main", "ref_name": "main", "ref_protected": false, "ref_type": "branch", "path": "",
		"repository": "forgetest/repo", "repository_owner": "forgetest", "repositoryUrl": base + "/forgetest/repo",
		"retention_days": "", "run_id": fmt.Sprint(runID), "run_number": fmt.Sprint(runID), "run_attempt": "1",
		"secret_source": "Actions", "server_url": base, "sha": sha, "token": t.token, "triggering_actor": "forgetest",
		"workflow": "ci.yml", "workspace": "",
		"gitea_default_actions_url": s.opts.actionsURL,
		"gitea_runtime_token":       "eyJhbGciOiJIUzI1NiJ9." + randomHex(24) + "." + randomHex(16),
	}
}

// jsonMap normalizes values to what encoding/json decodes (for structpb).
func jsonMap(in map[string]any) (map[string]any, error) {
	if in == nil {
		return nil, nil
	}
	// Keep nil values (deletions) through the round trip.
	data, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(data, &out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Task returns a snapshot of a task; an unknown id fails the test.
func (s *Server) Task(id int64) TaskRecord {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[id]
	if !ok {
		s.tb.Errorf("forgetest: Task(%d): no such task", id)
		return TaskRecord{}
	}
	return t.record()
}

// Tasks returns snapshots of every task in the order they were added.
func (s *Server) Tasks() []TaskRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskRecord, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.tasks[id].record())
	}
	return out
}

// WaitFor waits until cond holds for the task's snapshot and returns it;
// when ctx ends first it returns the last snapshot and an error.
func (s *Server) WaitFor(ctx context.Context, id int64, cond func(TaskRecord) bool) (TaskRecord, error) {
	for {
		s.mu.Lock()
		t, ok := s.tasks[id]
		if !ok {
			s.mu.Unlock()
			return TaskRecord{}, fmt.Errorf("forgetest: waiting for task %d: no such task", id)
		}
		rec, changed := t.record(), s.changed
		s.mu.Unlock()
		if cond(rec) {
			return rec, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return rec, fmt.Errorf("forgetest: waiting for task %d (status %s, %d log rows, log closed %t): %w",
				id, rec.Status, rec.LogLength, rec.LogClosed, context.Cause(ctx))
		case <-s.closing:
			return rec, fmt.Errorf("forgetest: waiting for task %d: the server was closed", id)
		}
	}
}

// WaitResult waits until the task is done (any final status).
func (s *Server) WaitResult(ctx context.Context, id int64) (TaskRecord, error) {
	return s.WaitFor(ctx, id, func(r TaskRecord) bool { return r.Status.Done() })
}
