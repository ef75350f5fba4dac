package forgetest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// replyFault is how a processed call's reply is spoilt.
type replyFault int

const (
	replyIntact    replyFault = iota
	replyTruncated            // half the body, then the connection closes
	replyGarbled              // the whole body, every byte inverted
	replyOversized            // the reply padded to a size
)

// replyFaults are the armed reply knobs; guarded by Server.mu.
type replyFaults struct {
	truncate, garble, oversize, redirect map[string]int
	oversizeTo                           int
	redirectTo                           string
	slow                                 map[string]time.Duration
}

func newReplyFaults() replyFaults {
	return replyFaults{truncate: map[string]int{}, garble: map[string]int{}, oversize: map[string]int{},
		redirect: map[string]int{}, slow: map[string]time.Duration{}}
}

// TruncateReply makes the next n calls of method (every method for "")
// be processed, then answered with the first half of the reply's body and
// a closed connection, as a proxy that dies mid-reply. n replaces what
// was armed; 0 disarms.
func (s *Server) TruncateReply(method string, n int) {
	s.tb.Helper()
	s.armReply("TruncateReply", method, func(f *replyFaults) { f.truncate[method] = n })
}

// GarbleReply makes the next n calls of method (every method for "") be
// processed, then answered with a body of the reply's length that is not
// the protobuf message (every byte inverted). n replaces what was armed;
// 0 disarms.
func (s *Server) GarbleReply(method string, n int) {
	s.tb.Helper()
	s.armReply("GarbleReply", method, func(f *replyFaults) { f.garble[method] = n })
}

// OversizeReply makes the next n calls of method (every method for "") be
// processed, then answered with the reply padded to size bytes by an
// unknown protobuf field: still a valid message, larger than a client may
// accept. n replaces what was armed; 0 disarms.
func (s *Server) OversizeReply(method string, n, size int) {
	s.tb.Helper()
	s.armReply("OversizeReply", method, func(f *replyFaults) { f.oversize[method], f.oversizeTo = n, size })
}

// SlowReply makes every call of method (every method for "") be
// processed and its reply body sent a byte at a time, d apart, until
// SlowReply(method, 0). The wait ends early when the client gives up or
// the server closes.
func (s *Server) SlowReply(method string, d time.Duration) {
	s.tb.Helper()
	s.armReply("SlowReply", method, func(f *replyFaults) { f.slow[method] = d })
}

// Redirect makes the next n calls of method (every method for "") be
// answered with 307 Temporary Redirect to the same path under to (a base
// URL), before the forge sees them. n replaces what was armed; 0
// disarms.
func (s *Server) Redirect(method string, n int, to string) {
	s.tb.Helper()
	s.armReply("Redirect", method, func(f *replyFaults) { f.redirect[method], f.redirectTo = n, to })
}

func (s *Server) armReply(knob, method string, arm func(*replyFaults)) {
	s.tb.Helper()
	if s.checkMethod(knob, method) {
		s.mu.Lock()
		defer s.mu.Unlock()
		arm(&s.replies)
	}
}

// takeReply consumes the reply faults armed for a call of method; s.mu
// held.
func (s *Server) takeReply(method string) (fault replyFault, size int, slow time.Duration, redirect string) {
	f := &s.replies
	switch {
	case take(f.redirect, method):
		return replyIntact, 0, 0, f.redirectTo
	case take(f.truncate, method):
		fault = replyTruncated
	case take(f.garble, method):
		fault = replyGarbled
	case take(f.oversize, method):
		fault, size = replyOversized, f.oversizeTo
	}
	slow = f.slow[method]
	if d, ok := f.slow[""]; ok && slow == 0 {
		slow = d
	}
	return fault, size, slow, ""
}

// serveSpoilt processes a call and sends its reply spoilt by fault, or
// slowly. The reply is not compressed, so that its bytes are the message.
func (s *Server) serveSpoilt(w http.ResponseWriter, r *http.Request, fault replyFault, size int, slow time.Duration) {
	r.Header.Del("Accept-Encoding")
	r.Header.Del("Connect-Accept-Encoding")
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	switch fault {
	case replyTruncated:
		length := len(body)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(length))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body[:length/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // closes the connection mid-body
	case replyGarbled:
		for i := range body {
			body[i] ^= 0xff
		}
	case replyOversized:
		if pad := size - len(body) - 8; pad > 0 {
			body = protowire.AppendTag(body, 19999, protowire.BytesType)
			body = protowire.AppendBytes(body, make([]byte, pad))
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	if slow <= 0 {
		_, _ = w.Write(body)
		return
	}
	flusher, _ := w.(http.Flusher)
	for i := range body {
		if _, err := w.Write(body[i : i+1]); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		if i == len(body)-1 {
			return
		}
		timer := time.NewTimer(slow)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		case <-s.closing:
			timer.Stop()
			return
		}
	}
}
