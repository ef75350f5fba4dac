package forgetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// RunRecord is a snapshot of a run created by AddRun.
type RunRecord struct {
	// ID is the run's id (github.run_id and run_number).
	ID int64
	// Workflow is the workflow's file name, EventName the event that
	// triggered it (github.event_name), Ref and Sha its ref and commit.
	Workflow, EventName, Ref, Sha string
	// Status is the run's status aggregated from its jobs as Gitea does:
	// success when every job succeeded or was skipped.
	Status Status
	// Jobs are the run's jobs in Gitea's order: by job, then by matrix
	// combination. A job's ID is its task id, 0 until it is handed out
	// (a skipped job never is).
	Jobs []TaskRecord
}

// Job returns the run's job with this id whose matrix combination has
// every key of matrix with the same value (compared as text: "1.22" finds
// 1.22); with matrix nil, the job's first combination. False when there
// is none.
func (r RunRecord) Job(jobID string, matrix map[string]any) (TaskRecord, bool) {
	for _, j := range r.Jobs {
		if j.JobID == jobID && hasAll(j.Matrix, matrix) {
			return j, true
		}
	}
	return TaskRecord{}, false
}

func hasAll(combo, want map[string]any) bool {
	for k, v := range want {
		got, ok := combo[k]
		if !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			return false
		}
	}
	return true
}

// Run returns a snapshot of a run; an unknown id fails the test.
func (s *Server) Run(id int64) RunRecord {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		s.tb.Errorf("forgetest: Run(%d): no such run", id)
		return RunRecord{}
	}
	return r.record()
}

// Runs returns snapshots of every run by id.
func (s *Server) Runs() []RunRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RunRecord, 0, len(s.runs))
	for _, r := range s.runs {
		out = append(out, r.record())
	}
	slices.SortFunc(out, func(a, b RunRecord) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// WaitRun waits until every job of the run is done and returns the run;
// when ctx ends first it returns the last snapshot and an error.
func (s *Server) WaitRun(ctx context.Context, id int64) (RunRecord, error) {
	for {
		s.mu.Lock()
		r, ok := s.runs[id]
		if !ok {
			s.mu.Unlock()
			return RunRecord{}, fmt.Errorf("forgetest: waiting for run %d: no such run", id)
		}
		rec, changed := r.record(), s.changed
		s.mu.Unlock()
		if rec.Status.Done() {
			return rec, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return rec, fmt.Errorf("forgetest: waiting for run %d (status %s): %w", id, rec.Status, context.Cause(ctx))
		case <-s.closing:
			return rec, fmt.Errorf("forgetest: waiting for run %d: the server was closed", id)
		}
	}
}

// record snapshots the run; Server.mu held.
func (r *runState) record() RunRecord {
	rec := RunRecord{
		ID: r.info.id, Workflow: r.info.workflow, EventName: r.info.triggerEvent,
		Ref: r.info.ref, Sha: r.info.sha, Status: aggregate(r.jobs),
	}
	for _, t := range r.jobs {
		rec.Jobs = append(rec.Jobs, t.record())
	}
	return rec
}

// aggregate is the status of a group of jobs (a run, or the matrix
// combinations of one job as a need) as Gitea computes it.
func aggregate(jobs []*taskState) Status {
	if len(jobs) == 0 {
		return StatusSuccess
	}
	has := map[Status]bool{}
	allSkipped, allOK := true, true
	for _, t := range jobs {
		has[t.status] = true
		allSkipped = allSkipped && t.status == StatusSkipped
		allOK = allOK && (t.status == StatusSuccess || t.status == StatusSkipped)
	}
	switch {
	case allSkipped:
		return StatusSkipped
	case allOK:
		return StatusSuccess
	case has[StatusCancelled]:
		return StatusCancelled
	case has[StatusRunning]:
		return StatusRunning
	case has[StatusWaiting]:
		return StatusWaiting
	case has[StatusFailure]:
		return StatusFailure
	}
	return StatusBlocked
}
