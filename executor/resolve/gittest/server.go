package gittest

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	// NoFetchBySHA turns off uploadpack.allowAnySHA1InWant, like a plain
	// git server: commits can then only be fetched through a ref.
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

// serve authenticates, counts and hands the request to git http-backend.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		http.Error(w, "the forge is down for maintenance", http.StatusServiceUnavailable)
		return
	}
	name, rest, ok := splitRepoPath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodPost && rest == "/git-receive-pack" || r.URL.Query().Get("service") == "git-receive-pack" {
		http.Error(w, "pushing over HTTP is not supported by gittest", http.StatusForbidden)
		return
	}
	if _, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(name)+".git")); err != nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	st := s.stats[name]
	if st == nil {
		st = &Stats{}
		s.stats[name] = st
	}
	private := s.private[name]
	if r.Header.Get("Authorization") != "" {
		st.Authorized++
	}
	s.mu.Unlock()
	user, pass, hasAuth := r.BasicAuth()
	if (private || hasAuth) && !s.validCredentials(user, pass, hasAuth) {
		s.mu.Lock()
		st.Denied++
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Del("Transfer-Encoding")
	}
	s.count(st, r, rest, body)
	r.URL.Path = "/" + name + ".git" + rest
	s.cgi.ServeHTTP(w, r)
}

// validCredentials accepts the token as the password (any user name) or as
// the user name with an empty or x-oauth-basic password, as Forgejo does.
func (s *Server) validCredentials(user, pass string, hasAuth bool) bool {
	if !hasAuth {
		return false
	}
	if pass == s.Token {
		return true
	}
	return user == s.Token && (pass == "" || pass == "x-oauth-basic")
}

// count records what the request asks for.
func (s *Server) count(st *Stats, r *http.Request, rest string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && rest == "/info/refs":
		st.Advertisements++
	case r.Method == http.MethodPost && rest == "/git-upload-pack":
		text := body
		if r.Header.Get("Content-Encoding") == "gzip" {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				if b, err := io.ReadAll(zr); err == nil {
					text = b
				}
			}
		}
		switch {
		case bytes.Contains(text, []byte("command=ls-refs")):
			st.LsRefs++
		case bytes.Contains(text, []byte("command=fetch")), !bytes.Contains(text, []byte("command=")):
			st.Fetches++
		}
	}
}

// splitRepoPath splits /owner/name[.git]/rest into owner/name and /rest.
func splitRepoPath(p string) (name, rest string, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	repo := strings.TrimSuffix(parts[1], ".git")
	if strings.HasPrefix(parts[0], ".") || strings.HasPrefix(repo, ".") || repo == "" {
		return "", "", false
	}
	return parts[0] + "/" + repo, "/" + parts[2], true
}

// Root is the directory of the bare repositories (owner/name.git), for
// tests that read them through file:// URLs.
func (s *Server) Root() string { return s.root }
