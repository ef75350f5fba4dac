package gitopstest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Repo is a bare repository on the server with branch main.
type Repo struct {
	// Name is owner/name; Dir the bare repository on disk.
	Name string
	Dir  string

	s    *Server
	work string
	mu   sync.Mutex
}

// URL is the repository's clone URL.
func (r *Repo) URL() string { return r.s.URL + "/" + r.Name + ".git" }

// NewRepo creates owner/name with files (path: content) committed on main.
func (s *Server) NewRepo(name string, files map[string]string) (*Repo, error) {
	if _, _, ok := splitRepoPath("/" + name + "/x"); !ok || strings.Count(name, "/") != 1 {
		return nil, fmt.Errorf("repository name %q must be owner/name", name)
	}
	r := &Repo{
		Name: name,
		Dir:  filepath.Join(s.root, filepath.FromSlash(name)+".git"),
		s:    s,
		work: filepath.Join(s.work, filepath.FromSlash(name)),
	}
	steps := [][]string{
		{"init", "-q", "--bare", "-b", "main", r.Dir},
		{"--git-dir", r.Dir, "config", "http.receivepack", "true"},
		{"init", "-q", "-b", "main", r.work},
		{"-C", r.work, "remote", "add", "origin", r.Dir},
	}
	for _, args := range steps {
		if _, err := s.git("", args...); err != nil {
			return nil, err
		}
	}
	if _, err := r.Commit(files, "initial configuration"); err != nil {
		return nil, err
	}
	return r, nil
}

// Commit writes files (path: content; "" deletes) on main as another
// pipeline would, pushes them into the bare repository and returns the
// commit.
func (r *Repo) Commit(files map[string]string, msg string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if out, _ := r.s.git(r.work, "rev-parse", "-q", "--verify", "refs/remotes/origin/main"); out != "" {
		if _, err := r.s.git(r.work, "fetch", "-q", "origin", "main"); err != nil {
			return "", err
		}
		if _, err := r.s.git(r.work, "reset", "-q", "--hard", "origin/main"); err != nil {
			return "", err
		}
	}
	for name, content := range files {
		path := filepath.Join(r.work, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				return "", err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "--allow-empty", "-m", msg}, {"push", "-q", "origin", "HEAD:refs/heads/main"}, {"fetch", "-q", "origin", "main"}} {
		if _, err := r.s.git(r.work, args...); err != nil {
			return "", err
		}
	}
	return r.s.git(r.work, "rev-parse", "HEAD")
}

// Head is the commit main points to.
func (r *Repo) Head() (string, error) {
	return r.s.git("", "--git-dir", r.Dir, "rev-parse", "refs/heads/main")
}

// File is the content of path at the head of main.
func (r *Repo) File(path string) (string, error) {
	return r.s.gitRaw("", "--git-dir", r.Dir, "show", "refs/heads/main:"+path)
}

// Log lists the subjects of main's commits, newest first.
func (r *Repo) Log() ([]string, error) {
	out, err := r.s.git("", "--git-dir", r.Dir, "log", "--format=%s", "refs/heads/main")
	if err != nil {
		return nil, err
	}
	return strings.Split(out, "\n"), nil
}

// Parents lists the parents of commit (more than one means a merge).
func (r *Repo) Parents(commit string) ([]string, error) {
	out, err := r.s.git("", "--git-dir", r.Dir, "rev-list", "--parents", "-n", "1", commit)
	if err != nil {
		return nil, err
	}
	return strings.Fields(out)[1:], nil
}

func (s *Server) git(dir string, args ...string) (string, error) {
	out, err := s.gitRaw(dir, args...)
	return strings.TrimSpace(out), err
}

// gitRaw runs git for the set-up with an identity and no user
// configuration.
func (s *Server) gitRaw(dir string, args ...string) (string, error) {
	c := exec.Command(s.opts.Git, args...)
	c.Dir = dir
	c.Env = append(c.Environ(),
		"HOME="+s.home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Other Pipeline", "GIT_AUTHOR_EMAIL=other@example.invalid",
		"GIT_COMMITTER_NAME=Other Pipeline", "GIT_COMMITTER_EMAIL=other@example.invalid")
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
