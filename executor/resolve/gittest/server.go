package gittest

import (
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Stats counts the requests a repository received.
type Stats struct {
	// Advertisements are GET info/refs?service=git-upload-pack requests:
	// every ls-remote, clone and fetch starts with one.
	Advertisements int
	// LsRefs are protocol v2 ls-refs commands (ls-remote, fetch by name).
	LsRefs int
	// Fetches are requests that download objects: protocol v2 fetch
	// commands, or upload-pack POSTs of protocol v0/v1.
	Fetches int
	// Authorized counts requests that carried an Authorization header;
	// Denied those answered 401.
	Authorized int
	Denied     int
}

// Options tune a Server. The zero value gives a server whose token is
// "anvil-test-token", serving public repositories, and allowing fetches of
// any commit by id as Forgejo and Gitea do.
type Options struct {
	// Token is the credential the server accepts.
	Token string
	// NoFetchBySHA makes a strict server: protocol v0 only, without
	// uploadpack.allowAnySHA1InWant, so that clients can fetch only what a
	// ref points to.
	NoFetchBySHA bool
}

// Server is a smart-HTTP git server on 127.0.0.1.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT; repositories are at
	// URL/owner/name (with or without .git).
	URL string
	// Token is the credential it accepts.
	Token string

	tb      testing.TB
	root    string // GIT_PROJECT_ROOT: owner/name.git bare repositories
	work    string // work trees where commits are made
	home    string // HOME of every git the server and the set-up run
	srv     *httptest.Server
	cgi     *cgi.Handler
	opts    Options
	mu      sync.Mutex
	stats   map[string]*Stats
	private map[string]bool
	down    bool
}

// NewServer starts a server that stops when the test ends.
func NewServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Fatalf("gittest needs git on PATH: %v", err)
	}
	if opts.Token == "" {
		opts.Token = "anvil-test-token"
	}
	base := tb.TempDir()
	s := &Server{
		Token:   opts.Token,
		tb:      tb,
		root:    filepath.Join(base, "repos"),
		work:    filepath.Join(base, "work"),
		home:    filepath.Join(base, "home"),
		opts:    opts,
		stats:   map[string]*Stats{},
		private: map[string]bool{},
	}
	for _, d := range []string{s.root, s.work, s.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		tb.Fatal(err)
	}
	s.cgi = &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.root,
			"GIT_HTTP_EXPORT_ALL=1",
			"HOME=" + s.home,
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=/dev/null",
		},
		InheritEnv: []string{"PATH"},
		Stderr:     io.Discard,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("gittest: listening on 127.0.0.1: %v", err)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// SetDown makes every request fail with 503, like a forge that is down;
// false brings it back.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Stats returns the counters of the repository owner/name.
func (s *Server) Stats(fullName string) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stats[fullName]; ok {
		return *st
	}
	return Stats{}
}

// TotalFetches sums Fetches over every repository.
func (s *Server) TotalFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.stats {
		n += st.Fetches
	}
	return n
}

// Root is the directory of the bare repositories (owner/name.git), for
// tests that read them through file:// URLs.
func (s *Server) Root() string { return s.root }
