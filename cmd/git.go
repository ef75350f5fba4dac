package cmd

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// repoInfo is what anvil exec learns from the local git repository.
type repoInfo struct {
	// IsRepo is false when the directory is not in a git work tree; the
	// other fields are then empty.
	IsRepo bool
	// Branch is the checked-out branch ("" when HEAD is detached) and Tag
	// a tag pointing at HEAD.
	Branch string
	Tag    string
	// SHA is HEAD's commit, Before its first parent ("" for a root commit
	// or an empty repository).
	SHA    string
	Before string
	// DefaultBranch is origin's HEAD branch, else the current branch,
	// else "main".
	DefaultBranch string
	// RemoteURL is origin's URL.
	RemoteURL string
	// UserName and UserEmail are git's user.name and user.email.
	UserName  string
	UserEmail string
	// Commit describes HEAD for head_commit.
	Message    string
	Timestamp  string
	Author     string
	AuthorMail string
	// Changed lists the files HEAD~1..HEAD touched; ChangedKnown says
	// whether that diff worked.
	Changed      []string
	ChangedKnown bool
}

// git runs git commands in one directory.
type git struct{ dir string }

// run runs git with args and returns its trimmed stdout.
func (g git) run(ctx context.Context, args ...string) (string, error) {
	c := exec.CommandContext(ctx, "git", args...)
	c.Dir = g.dir
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// try runs git and returns "" when it fails: for facts that may be
// missing, such as a remote or a tag.
func (g git) try(ctx context.Context, args ...string) string {
	out, _ := g.run(ctx, args...)
	return out
}

// readRepo learns what anvil exec needs from the repository at dir. A
// directory that is not a git work tree gives IsRepo false and no error;
// an error means git itself could not be run.
func readRepo(ctx context.Context, dir string) (repoInfo, error) {
	var info repoInfo
	if _, err := exec.LookPath("git"); err != nil {
		return info, fmt.Errorf("finding git: %w; install git to run workflows from a repository", err)
	}
	g := git{dir: dir}
	if g.try(ctx, "rev-parse", "--is-inside-work-tree") != "true" {
		return info, nil
	}
	info.IsRepo = true
	info.Branch = g.try(ctx, "symbolic-ref", "--quiet", "--short", "HEAD")
	info.SHA = g.try(ctx, "rev-parse", "--verify", "--quiet", "HEAD")
	info.UserName = g.try(ctx, "config", "user.name")
	info.UserEmail = g.try(ctx, "config", "user.email")
	info.RemoteURL = g.try(ctx, "remote", "get-url", "origin")
	info.DefaultBranch = strings.TrimPrefix(g.try(ctx, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"), "origin/")
	if info.DefaultBranch == "" {
		info.DefaultBranch = info.Branch
	}
	if info.DefaultBranch == "" {
		info.DefaultBranch = "main"
	}
	if info.SHA == "" {
		return info, nil
	}
	if tags := g.try(ctx, "tag", "--points-at", "HEAD"); tags != "" {
		info.Tag = strings.SplitN(tags, "\n", 2)[0]
	}
	info.Before = g.try(ctx, "rev-parse", "--verify", "--quiet", "HEAD~1")
	if show := g.try(ctx, "show", "-s", "--format=%an%x00%ae%x00%aI%x00%B", "HEAD"); show != "" {
		parts := strings.SplitN(show, "\x00", 4)
		if len(parts) == 4 {
			info.Author, info.AuthorMail, info.Timestamp, info.Message = parts[0], parts[1], parts[2], strings.TrimSpace(parts[3])
		}
	}
	if info.Before != "" {
		if diff, err := g.run(ctx, "diff", "--name-only", "HEAD~1..HEAD"); err == nil {
			info.ChangedKnown = true
			info.Changed = splitLines(diff)
		}
	}
	return info, nil
}

// splitLines splits s into its non-empty lines.
func splitLines(s string) []string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
