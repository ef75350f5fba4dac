package forgetest

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// AddRegistrationToken makes tok a valid registration token; any number
// of runners can register with it.
func (s *Server) AddRegistrationToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regTokens[tok] = true
}

// AddRunner registers a runner directly, as if it had called Register,
// and returns it with its uuid and token (for a .runner file).
func (s *Server) AddRunner(name string, labels []string) RunnerRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.newRunner(name, labels, false)
	s.notify()
	return s.runnerRecord(r, time.Now())
}

// newRunner creates a runner; s.mu held.
func (s *Server) newRunner(name string, labels []string, ephemeral bool) *RunnerRecord {
	s.lastRunnerID++
	if len(name) > 255 {
		name = name[:255]
	}
	b := []byte(randomHex(16))
	uuid := fmt.Sprintf("%s-%s-4%s-a%s-%s", b[0:8], b[8:12], b[13:16], b[17:20], b[20:32])
	r := &RunnerRecord{
		ID: s.lastRunnerID, UUID: uuid, Token: randomHex(20), Name: name,
		Labels: slices.Clone(labels), Ephemeral: ephemeral, Registered: time.Now(),
	}
	s.runners[uuid] = r
	return r
}

// DeleteRunner deletes a runner as an admin does on the forge: every later
// call with its credentials gets "unregistered runner". Tasks it runs stay
// assigned to it (and end as zombies).
func (s *Server) DeleteRunner(uuid string) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.runners[uuid]; !ok {
		s.tb.Errorf("forgetest: DeleteRunner(%q): no such runner", uuid)
		return
	}
	delete(s.runners, uuid)
	s.notify()
}

// Runner returns a snapshot of a runner; false when there is none.
func (s *Server) Runner(uuid string) (RunnerRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runners[uuid]
	if !ok {
		return RunnerRecord{}, false
	}
	return s.runnerRecord(r, time.Now()), true
}

// Runners returns snapshots of every registered runner by id.
func (s *Server) Runners() []RunnerRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	out := make([]RunnerRecord, 0, len(s.runners))
	for _, r := range s.runners {
		out = append(out, s.runnerRecord(r, now))
	}
	slices.SortFunc(out, func(a, b RunnerRecord) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// runnerRecord snapshots r; s.mu held.
func (s *Server) runnerRecord(r *RunnerRecord, now time.Time) RunnerRecord {
	out := *r
	out.Labels = slices.Clone(r.Labels)
	out.Online = !r.LastOnline.IsZero() && now.Sub(r.LastOnline) < s.opts.offlineAfter
	out.Running = s.running(r.UUID)
	return out
}

// running counts the runner's assigned tasks that are not done; s.mu held.
func (s *Server) running(uuid string) int {
	n := 0
	for _, t := range s.tasks {
		if t.runner == uuid && t.status == StatusRunning {
			n++
		}
	}
	return n
}
