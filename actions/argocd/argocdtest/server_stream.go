package argocdtest

import (
	"encoding/json"
	"net/http"
	"sort"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

const streamPath = "/api/v1/stream/applications"

// handleStream is GET /api/v1/stream/applications: one JSON line
// {"result": {"type": ..., "application": ...}} per change of the
// applications the name parameter selects (all without it), starting with
// ADDED for each, until the client goes away or the server closes.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	s.checkQuery(r, "GET", streamPath)
	_, err := s.authenticate(r)
	if err == nil {
		err = s.injectedFailure()
	}
	if err != nil {
		ae := err.(*apiError)
		s.record(r, ae.httpStatus())
		s.sendChecked(w, ae.httpStatus(), argocd.RuntimeError{Error: ae.message, Code: ae.code, Message: ae.message})
		return
	}
	name := r.URL.Query().Get("name")
	s.mu.Lock()
	if name != "" {
		if _, err := s.lookup(name, r.URL.Query().Get("appNamespace")); err != nil {
			s.mu.Unlock()
			ae := err.(*apiError)
			s.record(r, ae.httpStatus())
			s.sendChecked(w, ae.httpStatus(), argocd.RuntimeError{Error: ae.message, Code: ae.code, Message: ae.message})
			return
		}
	}
	s.mu.Unlock()
	s.record(r, http.StatusOK)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	sent := map[string]int{}
	for {
		s.mu.Lock()
		var events []argocd.WatchEvent
		names := make([]string, 0, len(s.apps))
		for n := range s.apps {
			names = append(names, n)
		}
		sort.Strings(names)
		now := s.cfg.Now()
		for _, n := range names {
			a := s.apps[n]
			if name != "" && n != name {
				continue
			}
			v, seen := sent[n]
			switch {
			case !seen:
				events = append(events, argocd.WatchEvent{Type: "ADDED", Application: s.render(a, now)})
			case v != a.version:
				events = append(events, argocd.WatchEvent{Type: "MODIFIED", Application: s.render(a, now)})
			}
			sent[n] = a.version
		}
		changed := s.changed
		s.mu.Unlock()
		for _, e := range events {
			if !s.sendLine(w, argocd.WatchResult{Result: &e}) {
				return
			}
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		}
	}
}

// sendLine writes one stream line, checked against the stream's schema.
func (s *Server) sendLine(w http.ResponseWriter, v any) bool {
	data, err := json.Marshal(v)
	if err != nil {
		s.violation("GET %s: encoding a line: %v", streamPath, err)
		return false
	}
	s.checkAnswer("GET", streamPath, http.StatusOK, data)
	_, err = w.Write(append(data, '\n'))
	return err == nil
}

// sendChecked writes a whole answer, checked against the schema.
func (s *Server) sendChecked(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.violation("GET %s: encoding the answer: %v", streamPath, err)
		return
	}
	s.checkAnswer("GET", streamPath, status, data)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// checkAnswer records where data does not match the response schema.
func (s *Server) checkAnswer(method, tmpl string, status int, data []byte) {
	node, err := s.schema.Response(method, tmpl, status)
	if err != nil {
		s.violation("%s %s: %v", method, tmpl, err)
		return
	}
	for _, p := range s.schema.Validate(node, data) {
		s.violation("%s %s answer %d: %s", method, tmpl, status, p)
	}
}
