package forgetest

import (
	"context"
	"fmt"
)

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

// Tasks returns snapshots of every task by id: those of AddTask, and the
// jobs of runs handed out so far (in the order they were).
func (s *Server) Tasks() []TaskRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskRecord, 0, len(s.tasks))
	for id := range s.lastTaskID + 1 {
		if t, ok := s.tasks[id]; ok {
			out = append(out, t.record())
		}
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
