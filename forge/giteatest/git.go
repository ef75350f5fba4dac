package giteatest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Commit writes files (paths relative to the repository's root, with
// slashes, to contents) on branch, commits them with message and pushes
// the branch with the real git over HTTP, as a user does. A branch not
// committed to before starts at main. It returns the commit's SHA.
func (r *Repo) Commit(ctx context.Context, branch, message string, files map[string]string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.switchTo(ctx, branch); err != nil {
		return "", err
	}
	for name, content := range files {
		path := filepath.Join(r.work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	if _, err := r.git(ctx, "add", "-A"); err != nil {
		return "", err
	}
	if _, err := r.git(ctx, "commit", "-q", "--allow-empty", "-m", message); err != nil {
		return "", err
	}
	auth := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(r.s.Admin+":"+r.s.Password))
	if _, err := r.git(ctx, "-c", "http.extraHeader="+auth, "push", "-q", r.CloneURL(), "HEAD:refs/heads/"+branch); err != nil {
		return "", fmt.Errorf("pushing %s to %s: %w", branch, r.FullName(), err)
	}
	sha, err := r.git(ctx, "rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	sha = strings.TrimSpace(sha)
	return sha, r.waitPushed(ctx, branch, sha)
}

// waitPushed waits until Gitea has processed the push of sha to branch.
// It does so in a queue after git push returns, and until then the
// repository may still count as empty, where Gitea 1.25.4's dispatch
// endpoint panics.
func (r *Repo) waitPushed(ctx context.Context, branch, sha string) error {
	for {
		var repo struct {
			Empty bool `json:"empty"`
		}
		var br struct {
			Commit struct {
				ID string `json:"id"`
			} `json:"commit"`
		}
		err := r.s.API(ctx, "GET", r.path(""), nil, &repo)
		if err == nil && !repo.Empty {
			err = r.s.API(ctx, "GET", r.path("/branches/"+url.PathEscape(branch)), nil, &br)
			if err == nil && br.Commit.ID == sha {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for gitea to take the push of %s to %s (last: empty %t, branch at %q, %v): %w",
				sha, branch, repo.Empty, br.Commit.ID, err, context.Cause(ctx))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// switchTo checks branch out in the work tree, creating it from main (or
// as the first branch) when it does not exist.
func (r *Repo) switchTo(ctx context.Context, branch string) error {
	exists := func(b string) bool {
		_, err := r.git(ctx, "rev-parse", "-q", "--verify", "refs/heads/"+b)
		return err == nil
	}
	var err error
	switch {
	case exists(branch):
		_, err = r.git(ctx, "checkout", "-q", branch)
	case exists("main"):
		_, err = r.git(ctx, "checkout", "-q", "-b", branch, "main")
	default:
		_, err = r.git(ctx, "symbolic-ref", "HEAD", "refs/heads/"+branch)
	}
	return err
}

// git runs git in the work tree and returns its standard output.
func (r *Repo) git(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.work
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + r.s.dir, "LANG=C.UTF-8",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=" + r.s.Admin, "GIT_AUTHOR_EMAIL=" + r.s.Admin + "@localhost",
		"GIT_COMMITTER_NAME=" + r.s.Admin, "GIT_COMMITTER_EMAIL=" + r.s.Admin + "@localhost",
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// args[0] may be -c with the credentials; name the subcommand only.
		return "", fmt.Errorf("git %s: %w: %s", gitVerb(args), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// gitVerb is the git subcommand of args, skipping -c options.
func gitVerb(args []string) string {
	for i := 0; i < len(args); i++ {
		if args[i] == "-c" {
			i++
			continue
		}
		return args[i]
	}
	return ""
}
