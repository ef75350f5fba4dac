package forgetest

import "time"

// sweep fails zombie tasks until the server closes, as the forge's cron
// does: a running task with no UpdateTask for the zombie timeout fails.
func (s *Server) sweep() {
	defer close(s.swept)
	every := min(max(s.opts.zombieTimeout/10, 10*time.Millisecond), time.Second)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-s.closing:
			return
		case now := <-tick.C:
			s.failZombies(now)
		}
	}
}

func (s *Server) failZombies(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	failed := false
	for _, t := range s.jobs {
		if t.status != StatusRunning || now.Sub(t.lastUpdate) <= s.opts.zombieTimeout {
			continue
		}
		t.stop(StatusFailure, now)
		t.notef("failed as a zombie: no UpdateTask for %s", now.Sub(t.lastUpdate).Round(time.Millisecond))
		failed = true
	}
	if failed {
		s.resolve(now)
		s.notify()
	}
}
