package forgetest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Repo is a git repository on the forge, served over git smart HTTP at
// URL/owner/name.git (and URL/owner/name) as Gitea serves it, so that a
// runner can fetch what a task names: the task's repository at its sha.
// Commits are made with Commit (through the file system, not over HTTP).
// Its methods are safe for concurrent use.
type Repo struct {
	// Name is owner/name: what RunSpec.Repository takes.
	Name    string
	Private bool

	s    *Server
	bare string
	work string
	home string
	mu   sync.Mutex // one work tree
}

// NewRepo creates the empty repository owner/name, served until the
// server closes. As on Gitea, reading a public repository needs no
// credentials; a private one wants, as HTTP basic auth, the token of a
// running task of this repository (the token as the password, or as the
// user name with no password or x-oauth-basic). Credentials that are not
// a running task's token are refused with 401 even on a public
// repository.
// It needs git on PATH; a name that is not owner/name, or one taken,
// fails the test.
func (s *Server) NewRepo(fullName string, private bool) *Repo {
	s.tb.Helper()
	owner, name, ok := strings.Cut(fullName, "/")
	if !ok || !validName(owner) || !validName(name) {
		s.tb.Fatalf("forgetest: NewRepo(%q): the name must be owner/name", fullName)
	}
	if _, err := exec.LookPath("git"); err != nil {
		s.tb.Fatalf("forgetest: NewRepo needs git on PATH: %v", err)
	}
	s.mu.Lock()
	if s.repos[fullName] != nil {
		s.mu.Unlock()
		s.tb.Fatalf("forgetest: NewRepo(%q): the repository exists already", fullName)
	}
	if s.gitRoot == "" {
		s.gitRoot = s.tb.TempDir()
		s.mux.HandleFunc("/", s.serveGit) // what no other route takes
	}
	root := s.gitRoot
	s.mu.Unlock()

	r := &Repo{
		Name: fullName, Private: private, s: s,
		bare: filepath.Join(root, "repos", owner, name+".git"),
		work: filepath.Join(root, "work", owner, name),
		home: filepath.Join(root, "home"),
	}
	if err := os.MkdirAll(r.home, 0o755); err != nil {
		s.tb.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", "main", r.bare},
		// What Gitea sets for the repositories it serves.
		{"-C", r.bare, "config", "uploadpack.allowFilter", "true"},
		{"-C", r.bare, "config", "uploadpack.allowAnySHA1InWant", "true"},
		{"init", "-q", "-b", "main", r.work},
	} {
		if _, err := r.git(args...); err != nil {
			s.tb.Fatalf("forgetest: NewRepo(%q): %v", fullName, err)
		}
	}
	s.mu.Lock()
	s.repos[fullName] = r
	s.mu.Unlock()
	return r
}

func validName(n string) bool {
	return n != "" && !strings.HasPrefix(n, ".") && !strings.ContainsAny(n, "/\\ ") && !strings.HasSuffix(n, ".git")
}

// URL is the repository's clone URL.
func (r *Repo) URL() string { return r.s.URL() + "/" + r.Name + ".git" }

// Commit writes files (paths relative to the repository, with slashes, to
// contents) on branch, commits them and updates the branch, as a user's
// push does. A new branch starts at main; the first commit of the
// repository starts its first branch. It returns the new commit and the branch's head before
// (zeros for a new branch). It does not trigger workflows: AddRun with the
// commit's Workflows does.
func (r *Repo) Commit(branch string, files map[string]string, message string) (sha, before string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	before = r.headLocked(branch)
	var checkout []string
	switch {
	case before != zeroSHA:
		checkout = []string{"checkout", "-q", "-B", branch, "refs/remotes/forge/" + branch}
	case r.headLocked("main") != zeroSHA:
		checkout = []string{"checkout", "-q", "-B", branch, "refs/remotes/forge/main"}
	case r.empty():
		checkout = []string{"symbolic-ref", "HEAD", "refs/heads/" + branch}
	default:
		return "", "", fmt.Errorf("committing on the new branch %s of %s: a new branch starts at main, which does not exist", branch, r.Name)
	}
	if err := r.fetchLocked(); err != nil {
		return "", "", err
	}
	if _, err := r.git(append([]string{"-C", r.work}, checkout...)...); err != nil {
		return "", "", err
	}
	for name, content := range files {
		p := filepath.Join(r.work, filepath.FromSlash(path.Clean("/"+name)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", "", err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", "", err
		}
	}
	for _, args := range [][]string{
		{"-C", r.work, "add", "-A"},
		{"-C", r.work, "commit", "-q", "--allow-empty", "-m", message},
		{"-C", r.work, "push", "-q", "--force", r.bare, "HEAD:refs/heads/" + branch},
	} {
		if _, err := r.git(args...); err != nil {
			return "", "", fmt.Errorf("committing on %s of %s: %w", branch, r.Name, err)
		}
	}
	sha, err = r.git("-C", r.work, "rev-parse", "HEAD")
	return sha, before, err
}

// fetchLocked brings the work tree's view of the bare repository's
// branches up to date; r.mu held.
func (r *Repo) fetchLocked() error {
	_, err := r.git("-C", r.work, "fetch", "-q", "--force", r.bare, "+refs/heads/*:refs/remotes/forge/*")
	return err
}

// Head is the commit branch points to, or zeros when there is no such
// branch.
func (r *Repo) Head(branch string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.headLocked(branch)
}

// empty tells whether the repository has no branch.
func (r *Repo) empty() bool {
	out, err := r.git("-C", r.bare, "for-each-ref", "--count=1", "refs/heads/")
	return err == nil && out == ""
}

func (r *Repo) headLocked(branch string) string {
	sha, err := r.git("-C", r.bare, "rev-parse", "-q", "--verify", "refs/heads/"+branch+"^{commit}")
	if err != nil || sha == "" {
		return zeroSHA
	}
	return sha
}

// SetRef points ref (e.g. refs/pull/1/head) at sha, as Gitea does for a
// pull request's head.
func (r *Repo) SetRef(ref, sha string) error {
	_, err := r.git("-C", r.bare, "update-ref", ref, sha)
	return err
}

// Workflows are the workflow files at commit sha as Gitea finds them:
// the .yml and .yaml files under .gitea/workflows, or under
// .github/workflows when there is no .gitea/workflows, by their path in
// that directory (what RunSpec.Workflows takes).
func (r *Repo) Workflows(sha string) (map[string]string, error) {
	if _, err := r.git("-C", r.bare, "cat-file", "-e", sha+"^{commit}"); err != nil {
		return nil, fmt.Errorf("reading the workflows of %s at %s: no such commit", r.Name, sha)
	}
	for _, dir := range []string{".gitea/workflows", ".github/workflows"} {
		list, err := r.git("-C", r.bare, "ls-tree", "-r", "--name-only", sha+":"+dir)
		if err != nil {
			continue // no such directory
		}
		out := map[string]string{}
		for _, name := range strings.Split(list, "\n") {
			if !strings.HasSuffix(name, ".yml") && !strings.HasSuffix(name, ".yaml") {
				continue
			}
			content, err := r.gitRaw("-C", r.bare, "show", sha+":"+dir+"/"+name)
			if err != nil {
				return nil, err
			}
			out[name] = content
		}
		return out, nil
	}
	return map[string]string{}, nil
}

// Changed are the files that differ between commits from and to; every
// file of to when from is zeros (a new branch).
func (r *Repo) Changed(from, to string) ([]string, error) {
	args := []string{"-C", r.bare, "diff", "--name-only", from, to}
	if from == zeroSHA || from == "" {
		args = []string{"-C", r.bare, "ls-tree", "-r", "--name-only", to}
	}
	out, err := r.git(args...)
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Split(out, "\n"), nil
}

// git runs git without the user's configuration, as the forge's user,
// and returns its output without the last newline.
func (r *Repo) git(args ...string) (string, error) {
	out, err := r.gitRaw(args...)
	return strings.TrimSuffix(out, "\n"), err
}

// gitRaw is git returning the output as it is.
func (r *Repo) gitRaw(args ...string) (string, error) {
	c := exec.Command("git", args...)
	c.Env = append(os.Environ(), gitEnv(r.home)...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func gitEnv(home string) []string {
	return []string{
		"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=forgetest", "GIT_AUTHOR_EMAIL=forgetest@forge.invalid",
		"GIT_COMMITTER_NAME=forgetest", "GIT_COMMITTER_EMAIL=forgetest@forge.invalid",
	}
}
