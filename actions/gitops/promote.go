package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

// DefaultRetries is how often a rejected push is retried.
const DefaultRetries = 5

// Author is who commits the promotion.
type Author struct {
	Name  string
	Email string
}

// Config is a promotion: which repository and file, what to change, and
// how to commit.
type Config struct {
	// Repository is the config repository: an http(s) URL, a file:// URL or
	// a local path.
	Repository string
	// Branch to change. Default main.
	Branch string
	// Token authenticates over HTTP(S) (basic auth, Username and the token
	// as password, as Forgejo, Gitea and GitHub accept it).
	Token    string
	Username string
	// File is the YAML file, relative to the repository root.
	File   string
	Change Change
	// Message is the commit message; "" gives one naming the change.
	Message string
	// Retries is how often to fetch, re-apply the change on the new head
	// and push again when the push is rejected because another pipeline
	// pushed first. Negative means none; 0 means DefaultRetries.
	Retries int
	Author  Author
	// WorkDir is where the clone goes (a new directory inside it). Default
	// the system's temporary directory.
	WorkDir string
	// Git is the git program (default "git") and Env its environment.
	Git string
	Env []string
	// Sleep waits between attempts; default a real, cancellable sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result is what a promotion did.
type Result struct {
	// Commit is the commit pushed, or the branch head when nothing changed.
	Commit string
	// Changed is set when a commit was pushed.
	Changed bool
	// Old is the value before ("" when the key was created), New the value
	// set.
	Old, New string
	// Attempts counts push attempts (1 without conflicts).
	Attempts int
	// Reformatted is set when the file had to be re-encoded.
	Reformatted bool
	Branch      string
	File        string
	What        string
}

// Promote clones the branch, applies the change to the file, commits and
// pushes. When the push is rejected because the branch moved on, it
// fetches the new head, applies the change again there (so a concurrent
// change to the same key is overwritten and one to another key kept) and
// pushes again, up to Retries times. Nothing is committed when the file
// already holds the value. Progress goes to log.
func Promote(ctx context.Context, cfg Config, log io.Writer) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	change, err := cfg.Change.normalize()
	if err != nil {
		return nil, err
	}
	cfg.Change = change
	tmp, err := os.MkdirTemp(cfg.WorkDir, "gitops-promote-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for the clone: %w", err)
	}
	defer os.RemoveAll(tmp)
	g := newGitRunner(cfg.Git, cfg.Env, cfg.Repository, cfg.Username, cfg.Token, cfg.Author)
	res := &Result{Branch: cfg.Branch, File: cfg.File, What: change.Describe()}
	fmt.Fprintf(log, "cloning %s (branch %s)\n", redactURL(cfg.Repository), cfg.Branch)
	if _, err := g.run(ctx, "clone", "--quiet", "--no-tags", "--single-branch", "--depth", "1", "--branch", cfg.Branch, cfg.Repository, tmp); err != nil {
		return nil, cloneError(cfg, err)
	}
	g.dir = tmp
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		done, err := promoteOnce(ctx, g, cfg, res, log)
		if err == nil && done {
			return res, nil
		}
		if err != nil && !pushRejected(err) {
			return res, err
		}
		if attempt > cfg.Retries {
			return res, fmt.Errorf("pushing to %s: rejected %d times because the branch kept moving (other pipelines pushing): %w; raise retries", cfg.Branch, attempt, err)
		}
		wait := backoff(attempt)
		fmt.Fprintf(log, "push rejected: %s moved on (another pipeline pushed first); fetching it and applying the change again in %s (attempt %d of %d)\n",
			cfg.Branch, wait.Round(time.Millisecond), attempt+1, cfg.Retries+1)
		if err := cfg.sleep(ctx, wait); err != nil {
			return res, err
		}
		if _, err := g.run(ctx, "fetch", "--quiet", "--no-tags", "--depth", "1", "origin", "+refs/heads/"+cfg.Branch+":refs/remotes/origin/"+cfg.Branch); err != nil {
			return res, fmt.Errorf("fetching %s again: %w", cfg.Branch, err)
		}
		if _, err := g.run(ctx, "reset", "--quiet", "--hard", "refs/remotes/origin/"+cfg.Branch); err != nil {
			return res, fmt.Errorf("moving to the new head of %s: %w", cfg.Branch, err)
		}
	}
}

// promoteOnce applies the change at the current head and pushes. done is
// set when the branch holds the value (pushed now, or already there).
func promoteOnce(ctx context.Context, g *gitRunner, cfg Config, res *Result, log io.Writer) (bool, error) {
	path, err := localFile(g.dir, cfg.File)
	if err != nil {
		return false, err
	}
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("file %s does not exist on branch %s of %s: check file (relative to the repository root) and branch", cfg.File, cfg.Branch, redactURL(cfg.Repository))
	}
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", cfg.File, err)
	}
	edit, err := Apply(src, cfg.Change)
	if err != nil {
		return false, fmt.Errorf("editing %s: %w", cfg.File, err)
	}
	res.Old, res.New, res.Reformatted = edit.Old, edit.New, edit.Reformatted
	head, err := g.run(ctx, "rev-parse", "HEAD")
	if err != nil {
		return false, err
	}
	if !edit.Changed {
		res.Commit, res.Changed = head, false
		fmt.Fprintf(log, "%s: %s is already %s; nothing to commit (branch %s at %s)\n", cfg.File, res.What, edit.New, cfg.Branch, short(head))
		return true, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", cfg.File, err)
	}
	if err := os.WriteFile(path, edit.Out, info.Mode().Perm()); err != nil {
		return false, fmt.Errorf("writing %s: %w", cfg.File, err)
	}
	old := edit.Old
	if old == "" {
		old = "(unset)"
	}
	fmt.Fprintf(log, "%s: %s %s → %s\n", cfg.File, res.What, old, edit.New)
	if edit.Reformatted {
		fmt.Fprintf(log, "%s: keys were added, so the file was re-encoded (comments and key order kept)\n", cfg.File)
	}
	if _, err := g.run(ctx, "add", "--", cfg.File); err != nil {
		return false, err
	}
	if _, err := g.run(ctx, "commit", "--quiet", "--no-verify", "-m", cfg.message(edit)); err != nil {
		return false, fmt.Errorf("committing %s: %w", cfg.File, err)
	}
	commit, err := g.run(ctx, "rev-parse", "HEAD")
	if err != nil {
		return false, err
	}
	if _, err := g.run(ctx, "push", "--porcelain", "origin", "HEAD:refs/heads/"+cfg.Branch); err != nil {
		if pushRejected(err) {
			return false, err
		}
		return false, fmt.Errorf("pushing %s to %s (check that token may push to it and that it is not protected): %w", short(commit), cfg.Branch, err)
	}
	res.Commit, res.Changed = commit, true
	fmt.Fprintf(log, "pushed %s to %s\n", short(commit), cfg.Branch)
	return true, nil
}

// check fills defaults and refuses incomplete configs.
func (cfg *Config) check() error {
	var problems []string
	if strings.TrimSpace(cfg.Repository) == "" {
		problems = append(problems, "repository is empty: give the config repository's URL")
	}
	if cfg.File == "" {
		problems = append(problems, "file is empty: give the YAML file to change, relative to the repository root")
	} else if !filepath.IsLocal(filepath.FromSlash(cfg.File)) {
		problems = append(problems, fmt.Sprintf("file %q must be a relative path inside the repository", cfg.File))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	if cfg.Branch == "" {
		cfg.Branch = "main"
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.Author.Name == "" {
		cfg.Author.Name = "anvil"
	}
	if cfg.Author.Email == "" {
		cfg.Author.Email = "anvil@localhost"
	}
	return nil
}

func (cfg Config) message(e *Edit) string {
	if cfg.Message != "" {
		return cfg.Message
	}
	return fmt.Sprintf("Promote %s to %s\n\nSet %s in %s (was %s).", promotedName(cfg.Change), e.New, cfg.Change.Describe(), cfg.File, orUnset(e.Old))
}

func promotedName(c Change) string {
	if c.Image != "" {
		return c.Image
	}
	return c.Path
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

func (cfg Config) sleep(ctx context.Context, d time.Duration) error {
	if cfg.Sleep != nil {
		return cfg.Sleep(ctx, d)
	}
	return step.Sleep(ctx, d)
}

// backoff is the pause before attempt+1: growing, with jitter so that
// racing pipelines spread out.
func backoff(attempt int) time.Duration {
	base := time.Duration(attempt) * 200 * time.Millisecond
	return base + rand.N(base+time.Millisecond)
}

// localFile joins file to the clone and refuses paths that leave it,
// symbolic links included.
func localFile(dir, file string) (string, error) {
	path := filepath.Join(dir, filepath.FromSlash(file))
	real, err := filepath.EvalSymlinks(path)
	if errors.Is(err, os.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", file, err)
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolving the clone: %w", err)
	}
	if rel, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("file %s leads outside the repository (a symbolic link?)", file)
	}
	return real, nil
}

// cloneError explains a failed clone.
func cloneError(cfg Config, err error) error {
	var ge *gitError
	if errors.As(err, &ge) {
		text := strings.ToLower(ge.stderr)
		switch {
		case strings.Contains(text, "remote branch") && strings.Contains(text, "not found"):
			return fmt.Errorf("cloning %s: branch %s does not exist: create it or set branch: %w", redactURL(cfg.Repository), cfg.Branch, err)
		case strings.Contains(text, "401") || strings.Contains(text, "403") || strings.Contains(text, "authentication failed") || strings.Contains(text, "could not read username"):
			return fmt.Errorf("cloning %s: access denied: check that token is set and may read and push to the repository: %w", redactURL(cfg.Repository), err)
		}
	}
	return fmt.Errorf("cloning %s: %w", redactURL(cfg.Repository), err)
}

// redactURL hides a password in a URL.
func redactURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if at := strings.LastIndex(u, "@"); at > i {
			if slash := strings.Index(u[i+3:], "/"); slash < 0 || i+3+slash > at {
				return u[:i+3] + "***@" + u[at+1:]
			}
		}
	}
	return u
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
