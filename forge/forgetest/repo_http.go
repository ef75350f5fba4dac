package forgetest

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// serveGit serves a repository of NewRepo over git smart HTTP with the
// real git http-backend: reads only (pushes go through Repo.Commit), with
// Gitea's authentication of a task's token.
func (s *Server) serveGit(w http.ResponseWriter, req *http.Request) {
	r, rest, ok := s.repoOf(req.URL.Path)
	if !ok {
		http.NotFound(w, req)
		return
	}
	if rest == "/git-receive-pack" || req.URL.Query().Get("service") == "git-receive-pack" {
		http.Error(w, "forgetest: pushing over HTTP is not supported; commit with Repo.Commit", http.StatusForbidden)
		return
	}
	// As Gitea: credentials, when sent, must be a running task's token
	// (401 otherwise, even on a public repository); a private repository
	// wants them, and the task must be of one of its runs (403 otherwise).
	user, pass, hasAuth := req.BasicAuth()
	taskRepo, valid := s.taskRepository(user, pass)
	switch {
	case hasAuth && !valid, !hasAuth && r.Private:
		w.Header().Set("WWW-Authenticate", `Basic realm="Gitea"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	case r.Private && taskRepo != r.Name:
		http.Error(w, "User permission denied", http.StatusForbidden)
		return
	}
	git, err := exec.LookPath("git")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := &cgi.Handler{
		Path: git,
		Args: []string{"http-backend"},
		Env: append(gitEnv(r.home),
			"GIT_PROJECT_ROOT="+filepath.Dir(filepath.Dir(r.bare)),
			"GIT_HTTP_EXPORT_ALL=1"),
		InheritEnv: []string{"PATH"},
		Stderr:     io.Discard,
	}
	req = req.Clone(req.Context())
	req.URL.Path = "/" + r.Name + ".git" + rest
	h.ServeHTTP(w, req)
}

// repoOf finds the repository of a path /owner/name[.git]/rest.
func (s *Server) repoOf(p string) (*Repo, string, bool) {
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	if len(parts) < 3 {
		return nil, "", false
	}
	name := parts[0] + "/" + strings.TrimSuffix(parts[1], ".git")
	s.mu.Lock()
	r := s.repos[name]
	s.mu.Unlock()
	if r == nil {
		return nil, "", false
	}
	if _, err := os.Stat(r.bare); err != nil {
		return nil, "", false
	}
	return r, "/" + parts[2], true
}

// taskRepository reads basic auth credentials as Gitea does (the token
// is the password, or the user name when the password is empty or
// x-oauth-basic) and returns the repository of the running task whose
// token it is; false when there is no such task.
func (s *Server) taskRepository(user, pass string) (string, bool) {
	token := pass
	if pass == "" || pass == "x-oauth-basic" {
		token = user
	}
	if token == "" {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.status == StatusRunning && subtle.ConstantTimeCompare([]byte(t.token), []byte(token)) == 1 {
			return str(t.context["repository"]), true
		}
	}
	return "", false
}
