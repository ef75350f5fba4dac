package forgetest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"time"
)

// faults are the armed fault knobs; guarded by Server.mu. Key "" is every
// method.
type faults struct {
	refuse           map[string]int
	drop             map[string]int
	delay            map[string]time.Duration
	unavailableUntil time.Time
	untrusted        int // TLS handshakes with the untrusted certificate
}

func newFaults() faults {
	return faults{refuse: map[string]int{}, drop: map[string]int{}, delay: map[string]time.Duration{}}
}

// take consumes one armed fault for method, its own first.
func take(counts map[string]int, method string) bool {
	for _, key := range []string{method, ""} {
		if counts[key] > 0 {
			counts[key]--
			return true
		}
	}
	return false
}

// checkMethod fails the test for a method name the protocol lacks.
func (s *Server) checkMethod(knob, method string) bool {
	s.tb.Helper()
	if method != "" && !methods[method] {
		s.tb.Errorf("forgetest: %s(%q): no such method; use the Method constants or \"\" for all", knob, method)
		return false
	}
	return true
}

// Refuse makes the next n calls of method (every method for "") fail with
// a connection reset before the forge sees them. n replaces what was
// armed; 0 disarms.
func (s *Server) Refuse(method string, n int) {
	s.tb.Helper()
	if s.checkMethod("Refuse", method) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.faults.refuse[method] = n
	}
}

// DropReply makes the next n calls of method (every method for "") be
// processed, then fail with a connection reset instead of the reply: the
// forge's state changed but the runner does not know it (a FetchTask
// dropped so loses its task). n replaces what was armed; 0 disarms.
func (s *Server) DropReply(method string, n int) {
	s.tb.Helper()
	if s.checkMethod("DropReply", method) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.faults.drop[method] = n
	}
}

// Delay holds every call of method (every method for "") for d before the
// forge processes it, until Delay(method, 0). A call whose client gives up
// meanwhile is not processed. The wait ends early when the server closes.
func (s *Server) Delay(method string, d time.Duration) {
	s.tb.Helper()
	if s.checkMethod("Delay", method) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.faults.delay[method] = d
	}
}

// Unavailable makes every call get HTTP 503 from now for d, as a proxy in
// front of a restarting forge answers. A later call replaces the window;
// 0 ends it.
func (s *Server) Unavailable(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.unavailableUntil = time.Now().Add(d)
}

// serveHTTP counts each call and applies the armed faults before the
// connect handlers.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	method := path.Base(r.URL.Path)
	if !strings.HasPrefix(r.URL.Path, apiPrefix+"/") || !methods[method] {
		s.mux.ServeHTTP(w, r)
		return
	}
	now := time.Now()
	s.mu.Lock()
	s.calls[method] = append(s.calls[method], now)
	unavailable := now.Before(s.faults.unavailableUntil)
	refuse := !unavailable && take(s.faults.refuse, method)
	var delay time.Duration
	var drop bool
	if !unavailable && !refuse {
		delay = s.faults.delay[method]
		if d, ok := s.faults.delay[""]; ok && delay == 0 {
			delay = d
		}
		drop = take(s.faults.drop, method)
	}
	noDeclare := s.opts.noDeclare && method == MethodDeclare
	var (
		spoil    replyFault
		size     int
		slow     time.Duration
		redirect string
	)
	if !unavailable && !refuse && !drop {
		spoil, size, slow, redirect = s.takeReply(method)
	}
	s.mu.Unlock()

	switch {
	case unavailable:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "<html><body><h1>503 Service Unavailable</h1></body></html>\n")
		return
	case refuse:
		reset(w)
		return
	case noDeclare:
		http.NotFound(w, r)
		return
	case redirect != "":
		http.Redirect(w, r, strings.TrimRight(redirect, "/")+r.URL.Path, http.StatusTemporaryRedirect)
		return
	}
	if delay > 0 {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
	if drop {
		s.mux.ServeHTTP(httptest.NewRecorder(), r)
		reset(w)
		return
	}
	if spoil != replyIntact || slow > 0 {
		s.serveSpoilt(w, r, spoil, size, slow)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// reset closes the call's connection with a TCP RST, no reply.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http's way to abort a reply
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
