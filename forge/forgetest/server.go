package forgetest

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"code.gitea.io/actions-proto-go/ping/v1/pingv1connect"
	"code.gitea.io/actions-proto-go/runner/v1/runnerv1connect"
	"connectrpc.com/connect"
)

// The protocol's method names, as Requests and the fault knobs take them.
// The empty string means every method.
const (
	MethodPing       = "Ping"
	MethodRegister   = "Register"
	MethodDeclare    = "Declare"
	MethodFetchTask  = "FetchTask"
	MethodUpdateTask = "UpdateTask"
	MethodUpdateLog  = "UpdateLog"
)

var methods = map[string]bool{
	MethodPing: true, MethodRegister: true, MethodDeclare: true,
	MethodFetchTask: true, MethodUpdateTask: true, MethodUpdateLog: true,
}

// apiPrefix is where forges serve the runner protocol.
const apiPrefix = "/api/actions"

// compressMinBytes is the reply size from which forges gzip.
const compressMinBytes = 1024

// Server is a running test forge. Its methods are safe for concurrent use.
type Server struct {
	tb      testing.TB
	opts    options
	hs      *httptest.Server
	mux     *http.ServeMux
	closing chan struct{}
	swept   chan struct{}
	once    sync.Once

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	regTokens    map[string]bool
	runners      map[string]*RunnerRecord // by uuid
	lastRunnerID int64
	tasks        map[int64]*taskState // by task id, once it has one
	jobs         []*taskState         // every task and job in creation order
	runs         map[int64]*runState
	lastTaskID   int64
	lastJobSeq   int64
	lastRunID    int64
	clock        int64 // orders waiting jobs: see taskState.readyAt
	tasksVersion int64
	calls        map[string][]time.Time
	faults       faults
	repos        map[string]*Repo // by owner/name
	gitRoot      string           // where repositories live, made by the first NewRepo
	replies      replyFaults
}

// New starts a test forge on 127.0.0.1 and stops it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		tb: tb, opts: o,
		closing: make(chan struct{}), swept: make(chan struct{}),
		changed:   make(chan struct{}),
		regTokens: map[string]bool{}, runners: map[string]*RunnerRecord{},
		tasks: map[int64]*taskState{}, runs: map[int64]*runState{}, calls: map[string][]time.Time{},
		faults: newFaults(), repos: map[string]*Repo{}, replies: newReplyFaults(),
	}
	svc := &service{s: s}
	s.mux = http.NewServeMux()
	compress := connect.WithCompressMinBytes(compressMinBytes)
	path, h := runnerv1connect.NewRunnerServiceHandler(svc, compress, connect.WithInterceptors(s.authInterceptor()))
	s.mux.Handle(apiPrefix+path, http.StripPrefix(apiPrefix, h))
	path, h = pingv1connect.NewPingServiceHandler(svc, compress)
	s.mux.Handle(apiPrefix+path, http.StripPrefix(apiPrefix, h))
	s.serveArtifacts()
	if o.tls {
		s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
		s.hs.TLS = &tls.Config{GetConfigForClient: s.configForClient, MinVersion: tls.VersionTLS12}
		s.hs.StartTLS()
	} else {
		s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	}
	go s.sweep()
	tb.Cleanup(s.Close)
	return s
}

// URL is the forge's base URL (what anvil register --instance takes).
func (s *Server) URL() string { return s.hs.URL }

// Close stops the server: delayed calls return at once, open connections
// are closed. Idempotent; New registers it with the test's Cleanup.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		<-s.swept
		s.hs.CloseClientConnections()
		s.hs.Close()
	})
}

// notify wakes WaitFor callers; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Option configures New.
type Option func(*options)

type options struct {
	zombieTimeout time.Duration
	offlineAfter  time.Duration
	actionsURL    string
	noDeclare     bool
	noLogContent  bool
	tls           bool
}

func defaultOptions() options {
	return options{
		zombieTimeout: 10 * time.Minute,
		offlineAfter:  time.Minute,
		actionsURL:    "https://github.com",
	}
}

// WithZombieTimeout sets how long a running task may go without an
// UpdateTask before the forge fails it (default 10 minutes, as Gitea).
func WithZombieTimeout(d time.Duration) Option {
	return func(o *options) { o.zombieTimeout = d }
}

// WithOfflineAfter sets how long after its last call a runner shows
// offline (default 1 minute, as Gitea).
func WithOfflineAfter(d time.Duration) Option {
	return func(o *options) { o.offlineAfter = d }
}

// WithDefaultActionsURL sets the task context's gitea_default_actions_url
// (default https://github.com, Gitea's default); "self" is the forge's
// own URL, as Gitea's DEFAULT_ACTIONS_URL = self.
func WithDefaultActionsURL(u string) Option {
	return func(o *options) { o.actionsURL = u }
}

// WithoutDeclare makes the server an older forge without Declare: the
// call gets HTTP 404, which connect clients see as Unimplemented.
func WithoutDeclare() Option {
	return func(o *options) { o.noDeclare = true }
}

// WithoutLogContent makes the server keep only the number of log rows, how
// often they were sent and a digest, not the rows themselves: for tests
// that print hundreds of megabytes. TaskRecord.Rows is then empty.
func WithoutLogContent() Option {
	return func(o *options) { o.noLogContent = true }
}
