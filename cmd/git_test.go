package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// gitT runs git in dir with a fixed identity and fails the test on error.
func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	c := exec.Command("git", args...)
	c.Dir = dir
	c.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Author", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=2025-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2025-01-02T03:04:05Z")
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// writeFile writes a file under dir, creating directories.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRepo makes a repository with two commits on branch feature, the
// second changing b.txt and docs/c.md, an origin remote and a user name.
func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitT(t, dir, "-c", "init.defaultBranch=main", "init", "-q")
	gitT(t, dir, "symbolic-ref", "HEAD", "refs/heads/main")
	gitT(t, dir, "config", "user.name", "Grace Hopper")
	gitT(t, dir, "config", "user.email", "grace@example.com")
	gitT(t, dir, "config", "commit.gpgsign", "false")
	gitT(t, dir, "remote", "add", "origin", "https://bot:secret@forge.example.com/acme/rocket.git")
	writeFile(t, dir, "a.txt", "a\n")
	gitT(t, dir, "add", "-A")
	gitT(t, dir, "commit", "-q", "-m", "first")
	gitT(t, dir, "checkout", "-q", "-b", "feature")
	writeFile(t, dir, "b.txt", "b\n")
	writeFile(t, dir, "docs/c.md", "c\n")
	gitT(t, dir, "add", "-A")
	gitT(t, dir, "commit", "-q", "-m", "second\n\nbody")
	return dir
}

func TestReadRepo(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	got, err := readRepo(t.Context(), dir)
	if err != nil {
		t.Fatalf("readRepo() error = %v", err)
	}
	want := repoInfo{
		IsRepo:        true,
		Branch:        "feature",
		SHA:           gitT(t, dir, "rev-parse", "HEAD"),
		Before:        gitT(t, dir, "rev-parse", "HEAD~1"),
		DefaultBranch: "feature",
		RemoteURL:     "https://bot:secret@forge.example.com/acme/rocket.git",
		UserName:      "Grace Hopper",
		UserEmail:     "grace@example.com",
		Message:       "second\n\nbody",
		Timestamp:     "2025-01-02T03:04:05+00:00",
		Author:        "Ada Author",
		AuthorMail:    "ada@example.com",
		Changed:       []string{"b.txt", "docs/c.md"},
		ChangedKnown:  true,
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("readRepo() (-got +want):\n%s", diff)
	}
}

func TestReadRepoEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  func(t *testing.T, dir string) repoInfo
	}{
		{
			name:  "not a repository",
			setup: func(*testing.T, string) {},
			want:  func(*testing.T, string) repoInfo { return repoInfo{} },
		},
		{
			name: "empty repository",
			setup: func(t *testing.T, dir string) {
				gitT(t, dir, "-c", "init.defaultBranch=trunk", "init", "-q")
				gitT(t, dir, "symbolic-ref", "HEAD", "refs/heads/trunk")
				gitT(t, dir, "config", "user.name", "")
			},
			want: func(*testing.T, string) repoInfo {
				return repoInfo{IsRepo: true, Branch: "trunk", DefaultBranch: "trunk"}
			},
		},
		{
			name: "detached tag with one commit",
			setup: func(t *testing.T, dir string) {
				gitT(t, dir, "init", "-q")
				gitT(t, dir, "config", "user.name", "")
				gitT(t, dir, "config", "commit.gpgsign", "false")
				writeFile(t, dir, "x", "x")
				gitT(t, dir, "add", "-A")
				gitT(t, dir, "commit", "-q", "-m", "only")
				gitT(t, dir, "tag", "v1.0.0")
				gitT(t, dir, "checkout", "-q", "--detach", "v1.0.0")
			},
			want: func(t *testing.T, dir string) repoInfo {
				return repoInfo{
					IsRepo: true, Tag: "v1.0.0", SHA: gitT(t, dir, "rev-parse", "HEAD"), DefaultBranch: "main",
					Message: "only", Timestamp: "2025-01-02T03:04:05+00:00", Author: "Ada Author", AuthorMail: "ada@example.com",
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tt.setup(t, dir)
			got, err := readRepo(t.Context(), dir)
			if err != nil {
				t.Fatalf("readRepo() error = %v", err)
			}
			got.UserEmail = ""
			if diff := cmp.Diff(got, tt.want(t, dir)); diff != "" {
				t.Errorf("readRepo() (-got +want):\n%s", diff)
			}
		})
	}
}

func TestCommitAllIgnoresUserConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "f.txt", "f")
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := commitAll(t.Context(), dir, "msg", when); err != nil {
		t.Fatalf("commitAll() error = %v", err)
	}
	if got := gitT(t, dir, "log", "--format=%an <%ae> %aI %s %D"); got != "Anvil Demo <demo@anvil.invalid> 2024-05-06T07:08:09+00:00 msg HEAD -> main" {
		t.Errorf("commitAll() made commit %q", got)
	}
}
