package argocdtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

// Config configures a Server. Zero values get defaults suited to tests;
// Argo CD's own timings are much longer (a 3-minute refresh, for one).
type Config struct {
	// Users are the accounts POST /api/v1/session accepts, name to password.
	Users map[string]string
	// SessionTTL is how long session tokens live. Default 1h.
	SessionTTL time.Duration
	// Tick is how often the controller advances operations. Default 20ms.
	Tick time.Duration
	// RefreshInterval is how often applications are compared with git
	// (Argo CD's timeout.reconciliation). Default 200ms.
	RefreshInterval time.Duration
	// PickupDelay is the time from a sync request to its operation running.
	// Default 50ms.
	PickupDelay time.Duration
	// SyncDuration is how long one sync attempt runs. Default 200ms.
	SyncDuration time.Duration
	// ReconcileDelay is the time from an operation's end to the reconcile
	// that follows it (until then reconciledAt is before finishedAt).
	// Default 50ms.
	ReconcileDelay time.Duration
	// HealthDelay is how long workloads stay Progressing after a sync
	// changed them. Default 200ms.
	HealthDelay time.Duration
	// HealthReads is how many reads of an application (GET) at least see
	// it Progressing after a sync changed its workloads, however long they
	// took: a test that must see Progressing does not depend on timing.
	// Default 0.
	HealthReads int
	// Git is the git program. Default "git".
	Git string
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.SessionTTL, time.Hour)
	def(&c.Tick, 20*time.Millisecond)
	def(&c.RefreshInterval, 200*time.Millisecond)
	def(&c.PickupDelay, 50*time.Millisecond)
	def(&c.SyncDuration, 200*time.Millisecond)
	def(&c.ReconcileDelay, 50*time.Millisecond)
	def(&c.HealthDelay, 200*time.Millisecond)
	if c.Git == "" {
		c.Git = "git"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server is a running Argo CD test server on a loopback address.
type Server struct {
	cfg    Config
	schema *Schema
	git    *gitCache
	srv    *http.Server
	ln     net.Listener
	stop   context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex
	apps       map[string]*app
	tokens     map[string]tokenInfo
	violations []string
	requests   []Request
	failNext   []int32 // codes of the next answers to fail with
	changed    chan struct{}
	nextUID    int
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Query  string
	// Status is the HTTP status of the answer.
	Status int
}

// Start starts a server on 127.0.0.1 and its controller. Close stops both.
func Start(cfg Config) (*Server, error) {
	cfg.defaults()
	schema, err := LoadSchema()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{
		cfg:     cfg,
		schema:  schema,
		git:     newGitCache(cfg.Git),
		ln:      ln,
		stop:    stop,
		done:    make(chan struct{}),
		apps:    map[string]*app{},
		tokens:  map[string]tokenInfo{},
		changed: make(chan struct{}),
	}
	s.srv = &http.Server{Handler: s.routes(), BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() { _ = s.srv.Serve(ln) }()
	go s.controller(ctx)
	return s, nil
}

// URL is the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string {
	return "http://" + s.ln.Addr().String()
}

// Close stops the controller and the server, ending open watch streams.
func (s *Server) Close() {
	s.stop()
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// Violations lists every problem found in the JSON the server received or
// sent, checked against the swagger subset, and requests outside it.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Requests lists the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) violation(format string, args ...any) {
	s.mu.Lock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// handler serves one unary endpoint for user ("" without auth) and
// returns the answer or an error (an *apiError gives the code).
type handler func(w http.ResponseWriter, r *http.Request, user string) (any, error)

// routes maps the swagger subset's endpoints to handlers; anything else is
// a violation answered with 404.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(method, tmpl string, auth bool, h handler) {
		mux.HandleFunc(method+" "+tmpl, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, method, tmpl, auth, h)
		})
	}
	handle("GET", "/api/version", false, s.handleVersion)
	handle("POST", "/api/v1/session", false, s.handleSession)
	handle("GET", "/api/v1/applications/{name}", true, s.handleGet)
	handle("POST", "/api/v1/applications/{name}/sync", true, s.handleSync)
	handle("DELETE", "/api/v1/applications/{name}/operation", true, s.handleTerminate)
	mux.HandleFunc("GET /api/v1/stream/applications", s.handleStream)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.violation("%s %s: not in the swagger subset", r.Method, r.URL.Path)
		s.record(r, http.StatusNotFound)
		writeJSON(w, http.StatusNotFound, argocd.RuntimeError{Error: "Not Found", Code: codeNotFound, Message: "Not Found"})
	})
	return mux
}

// serve runs one unary endpoint: query check, auth, injected failures, the
// handler, and the answer checked against the swagger response schema.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, method, tmpl string, auth bool, h handler) {
	s.checkQuery(r, method, tmpl)
	var (
		out  any
		user string
		err  error
	)
	if auth {
		user, err = s.authenticate(r)
	}
	if err == nil {
		err = s.injectedFailure()
	}
	if err == nil {
		out, err = h(w, r, user)
	}
	status := http.StatusOK
	if err != nil {
		ae, ok := err.(*apiError)
		if !ok {
			ae = errorf(codeUnknown, err.Error())
		}
		status = ae.httpStatus()
		out = argocd.RuntimeError{Error: ae.message, Code: ae.code, Message: ae.message}
	}
	s.record(r, status)
	data, merr := json.Marshal(out)
	if merr != nil {
		s.violation("%s %s: encoding the answer: %v", method, r.URL.Path, merr)
		return
	}
	s.checkAnswer(method, tmpl, status, data)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func (s *Server) record(r *http.Request, status int) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status})
	s.mu.Unlock()
}

// checkQuery records query parameters the endpoint does not declare.
func (s *Server) checkQuery(r *http.Request, method, tmpl string) {
	allowed, err := s.schema.QueryParams(method, tmpl)
	if err != nil {
		s.violation("%s %s: %v", method, r.URL.Path, err)
		return
	}
	var keys []string
	for k := range r.URL.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] {
			s.violation("%s %s: query parameter %q is not in the swagger subset", method, r.URL.Path, k)
		}
	}
}

// readBody decodes the request body into v after checking it against the
// endpoint's body schema; unknown fields are refused as grpc-gateway does.
func (s *Server) readBody(r *http.Request, method, tmpl string, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return errorf(codeInvalidArgument, fmt.Sprintf("reading the body: %v", err))
	}
	node, err := s.schema.RequestBody(method, tmpl)
	if err != nil {
		s.violation("%s %s: %v", method, r.URL.Path, err)
		return errorf(codeInvalidArgument, err.Error())
	}
	if problems := s.schema.Validate(node, data); len(problems) > 0 {
		for _, p := range problems {
			s.violation("%s %s body: %s", method, r.URL.Path, p)
		}
		return errorf(codeInvalidArgument, "invalid request body: "+strings.Join(problems, "; "))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return errorf(codeInvalidArgument, fmt.Sprintf("decoding the body: %v", err))
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// FailNext makes the next n API answers (after authentication) fail with
// 503 Unavailable, as a restarting Argo CD server does.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, codeUnavailable)
	}
}

func (s *Server) injectedFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) == 0 {
		return nil
	}
	code := s.failNext[0]
	s.failNext = s.failNext[1:]
	return errorf(code, "connection error: desc = \"transport: Error while dialing: dial tcp 10.0.0.7:8083: connect: connection refused\"")
}

// notify wakes watch streams; call with s.mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}
