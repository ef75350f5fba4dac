package gittest

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a repository on a Server, with a work tree where the test makes
// commits. Every change is pushed to the server at once.
type Repo struct {
	// Name is owner/name.
	Name string

	s    *Server
	bare string
	work string
}

// NewRepo creates the empty repository owner/name on the server; private
// repositories need the token even to read.
func (s *Server) NewRepo(tb testing.TB, fullName string, private bool) *Repo {
	tb.Helper()
	if _, _, ok := splitRepoPath("/" + fullName + "/x"); !ok || strings.Count(fullName, "/") != 1 {
		tb.Fatalf("gittest: repository name %q must be owner/name", fullName)
	}
	r := &Repo{
		Name: fullName,
		s:    s,
		bare: filepath.Join(s.root, filepath.FromSlash(fullName)+".git"),
		work: filepath.Join(s.work, filepath.FromSlash(fullName)),
	}
	if _, err := os.Stat(r.bare); err == nil {
		tb.Fatalf("gittest: repository %s exists already", fullName)
	}
	s.git(tb, "", "init", "-q", "--bare", "-b", "main", r.bare)
	// What Forgejo and Gitea set for every repository they serve.
	s.git(tb, r.bare, "config", "uploadpack.allowFilter", "true")
	s.git(tb, r.bare, "config", "uploadpack.allowAnySHA1InWant", boolString(!s.opts.NoFetchBySHA))
	s.git(tb, "", "init", "-q", "-b", "main", r.work)
	s.git(tb, r.work, "remote", "add", "origin", r.bare)
	s.mu.Lock()
	s.private[fullName] = private
	s.mu.Unlock()
	return r
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// URL is the repository's clone URL (without .git).
func (r *Repo) URL() string { return r.s.URL + "/" + r.Name }

// Commit writes files (path relative to the repository: content; a path
// ending in .sh is made executable) on branch, creating the branch from
// the current commit when it is new, commits and pushes. It returns the
// commit id.
func (r *Repo) Commit(tb testing.TB, branch string, files map[string]string, msg string) string {
	tb.Helper()
	r.checkout(tb, branch)
	for name, content := range files {
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		path := filepath.Join(r.work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			tb.Fatal(err)
		}
	}
	return r.commit(tb, branch, msg)
}

// CommitDir copies the directory src (a testdata tree) into the work tree
// under dst ("" for the root), then commits on branch and pushes like
// Commit.
func (r *Repo) CommitDir(tb testing.TB, branch, src, dst, msg string) string {
	tb.Helper()
	r.checkout(tb, branch)
	target := filepath.Join(r.work, filepath.FromSlash(dst))
	if err := os.MkdirAll(target, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.CopyFS(target, os.DirFS(src)); err != nil {
		tb.Fatalf("gittest: copying %s: %v", src, err)
	}
	return r.commit(tb, branch, msg)
}

func (r *Repo) checkout(tb testing.TB, branch string) {
	tb.Helper()
	if r.s.gitTry(r.work, "rev-parse", "-q", "--verify", "HEAD") == "" {
		r.s.git(tb, r.work, "checkout", "-q", "-B", branch)
		return
	}
	if r.s.gitTry(r.work, "rev-parse", "-q", "--verify", "refs/heads/"+branch) != "" {
		r.s.git(tb, r.work, "checkout", "-q", branch)
		return
	}
	r.s.git(tb, r.work, "checkout", "-q", "-b", branch)
}

func (r *Repo) commit(tb testing.TB, branch, msg string) string {
	tb.Helper()
	r.s.git(tb, r.work, "add", "-A")
	r.s.git(tb, r.work, "commit", "-q", "--allow-empty", "-m", msg)
	r.s.git(tb, r.work, "push", "-q", "--force", "origin", "refs/heads/"+branch)
	return r.s.git(tb, r.work, "rev-parse", "HEAD")
}

// Tag creates (or moves) the annotated tag name at the tip of branch and
// pushes it; it returns the commit id the tag points to.
func (r *Repo) Tag(tb testing.TB, name, branch string) string {
	tb.Helper()
	r.s.git(tb, r.work, "tag", "-f", "-a", "-m", "release "+name, name, "refs/heads/"+branch)
	r.s.git(tb, r.work, "push", "-q", "--force", "origin", "refs/tags/"+name)
	return r.s.git(tb, r.work, "rev-parse", name+"^{commit}")
}

// LightweightTag is Tag without a tag object.
func (r *Repo) LightweightTag(tb testing.TB, name, branch string) string {
	tb.Helper()
	r.s.git(tb, r.work, "tag", "-f", name, "refs/heads/"+branch)
	r.s.git(tb, r.work, "push", "-q", "--force", "origin", "refs/tags/"+name)
	return r.s.git(tb, r.work, "rev-parse", name+"^{commit}")
}

// git runs git for the set-up, with an identity and no user configuration.
func (s *Server) git(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	out, err := s.runGit(dir, args...)
	if err != nil {
		tb.Fatalf("gittest: git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// gitTry is git that returns "" on failure.
func (s *Server) gitTry(dir string, args ...string) string {
	out, err := s.runGit(dir, args...)
	if err != nil {
		return ""
	}
	return out
}

func (s *Server) runGit(dir string, args ...string) (string, error) {
	c := exec.Command("git", args...)
	c.Dir = dir
	c.Env = append(c.Environ(),
		"HOME="+s.home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Anvil Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Anvil Test", "GIT_COMMITTER_EMAIL=test@example.invalid")
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", &gitError{err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return strings.TrimSpace(stdout.String()), nil
}

type gitError struct {
	err    error
	stderr string
}

func (e *gitError) Error() string { return e.err.Error() + ": " + e.stderr }
