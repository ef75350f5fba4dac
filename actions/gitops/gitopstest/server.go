// Package gitopstest serves git repositories over smart HTTP on 127.0.0.1
// with pushes, for tests of gitops-promote and the example pipeline.
//
// A Server runs the real git http-backend behind net/http/cgi and checks
// HTTP basic authentication the way Forgejo and Gitea do (the token as the
// password with any user name). Repositories are real bare repositories;
// Repo.Commit changes them as another pipeline would. OnPush lets a test
// act just before a push is served, e.g. to push first and make the push
// race deterministic. (executor/resolve/gittest serves fetches only.)
package gitopstest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// PushStage is when OnPush runs: before the server advertises its refs to
// a pushing client (which then sees the new head and refuses to push), or
// after, just before it receives the pack (the server then refuses to move
// the ref).
type PushStage string

const (
	StageAdvertise PushStage = "advertise"
	StageReceive   PushStage = "receive"
)

// Options configure a Server.
type Options struct {
	// Token is the credential the server accepts. Default
	// "gitops-test-token".
	Token string
	// Git is the git program. Default "git".
	Git string
}

// Server is a smart-HTTP git server with pushes.
type Server struct {
	// URL is http://127.0.0.1:PORT; repositories are at URL/owner/name.git.
	URL   string
	Token string

	opts   Options
	root   string
	work   string
	home   string
	cgi    *cgi.Handler
	srv    *http.Server
	ln     net.Listener
	mu     sync.Mutex
	onPush func(repo string, stage PushStage)
	pushes map[string]int
}

// Start serves repositories kept under dir (which must exist).
func Start(dir string, opts Options) (*Server, error) {
	if opts.Token == "" {
		opts.Token = "gitops-test-token"
	}
	if opts.Git == "" {
		opts.Git = "git"
	}
	gitPath, err := exec.LookPath(opts.Git)
	if err != nil {
		return nil, fmt.Errorf("gitopstest needs git: %w", err)
	}
	s := &Server{
		Token:  opts.Token,
		opts:   opts,
		root:   filepath.Join(dir, "repos"),
		work:   filepath.Join(dir, "work"),
		home:   filepath.Join(dir, "home"),
		pushes: map[string]int{},
	}
	for _, d := range []string{s.root, s.work, s.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	s.cgi = &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.root, "GIT_HTTP_EXPORT_ALL=1", "HOME=" + s.home,
			"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		},
		InheritEnv: []string{"PATH"},
		Stderr:     io.Discard,
	}
	s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	s.URL = "http://" + s.ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go func() { _ = s.srv.Serve(s.ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() {
	_ = s.srv.Close()
}

// OnPush sets f to run before pushes are served (nil removes it).
func (s *Server) OnPush(f func(repo string, stage PushStage)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPush = f
}

// Pushes counts the packs pushed to the repository owner/name.
func (s *Server) Pushes(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushes[name]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	name, rest, ok := splitRepoPath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if _, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(name)+".git")); err != nil {
		http.NotFound(w, r)
		return
	}
	if _, pass, ok := r.BasicAuth(); !ok || pass != s.Token {
		w.Header().Set("WWW-Authenticate", `Basic realm="gitopstest"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	var stage PushStage
	switch {
	case r.Method == http.MethodGet && rest == "/info/refs" && r.URL.Query().Get("service") == "git-receive-pack":
		stage = StageAdvertise
	case r.Method == http.MethodPost && rest == "/git-receive-pack":
		stage = StageReceive
	}
	if stage != "" {
		s.mu.Lock()
		f := s.onPush
		if stage == StageReceive {
			s.pushes[name]++
		}
		s.mu.Unlock()
		if f != nil {
			f(name, stage)
		}
	}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Del("Transfer-Encoding")
	}
	r.URL.Path = "/" + name + ".git" + rest
	s.cgi.ServeHTTP(w, r)
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
