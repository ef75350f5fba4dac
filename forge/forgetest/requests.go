package forgetest

import "time"

// Requests counts the calls of method (every method for "") that reached
// the server, faulted ones included.
func (s *Server) Requests(method string) int {
	return s.RequestsSince(method, time.Time{})
}

// RequestsSince counts the calls of method (every method for "") since t.
func (s *Server) RequestsSince(method string, t time.Time) int {
	s.tb.Helper()
	if !s.checkMethod("Requests", method) {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for m, times := range s.calls {
		if method != "" && m != method {
			continue
		}
		for _, at := range times {
			if !at.Before(t) {
				n++
			}
		}
	}
	return n
}

// RequestsPerMinute is the rate of calls of method (every method for "")
// since t, in calls per minute.
func (s *Server) RequestsPerMinute(method string, t time.Time) float64 {
	s.tb.Helper()
	elapsed := time.Since(t)
	if elapsed <= 0 {
		return 0
	}
	return float64(s.RequestsSince(method, t)) / elapsed.Minutes()
}
