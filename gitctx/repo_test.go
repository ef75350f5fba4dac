package gitctx

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// testEnv is the environment Read sees in tests: a HOME without git
// configuration and no system file, so the machine's settings do not leak
// in.
func testEnv(t *testing.T) func(string) string {
	t.Helper()
	return envOf(map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"})
}

// envOf is a getenv over a map.
func envOf(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// newRepo makes a repository with two commits on branch feature, the
// second changing b.txt and docs/c.md, an origin remote and a user name.
func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	testkit.Git(t, dir, "-c", "init.defaultBranch=main", "init", "-q")
	testkit.Git(t, dir, "symbolic-ref", "HEAD", "refs/heads/main")
	testkit.Git(t, dir, "config", "user.name", "Grace Hopper")
	testkit.Git(t, dir, "config", "user.email", "grace@example.com")
	testkit.Git(t, dir, "config", "commit.gpgsign", "false")
	testkit.Git(t, dir, "remote", "add", "origin", "https://bot:secret@forge.example.com/acme/rocket.git")
	testkit.WriteFile(t, dir, "a.txt", "a\n")
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "first")
	testkit.Git(t, dir, "checkout", "-q", "-b", "feature")
	testkit.WriteFile(t, dir, "b.txt", "b\n")
	testkit.WriteFile(t, dir, "docs/c.md", "c\n")
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "second\n\nbody")
	return dir
}

func TestReadRepo(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	got, err := Read(t.Context(), dir, testEnv(t))
	if err != nil {
		t.Fatalf("Read() error = %v", err)
	}
	want := Repo{
		IsRepo:        true,
		Branch:        "feature",
		SHA:           testkit.Git(t, dir, "rev-parse", "HEAD"),
		Before:        testkit.Git(t, dir, "rev-parse", "HEAD~1"),
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
		t.Errorf("Read() (-got +want):\n%s", diff)
	}
}

// taggedCommit makes dir a repository on branch main with one commit,
// tagged v1.0.0, and no user.name.
func taggedCommit(t *testing.T, dir string) {
	t.Helper()
	testkit.Git(t, dir, "-c", "init.defaultBranch=main", "init", "-q")
	testkit.Git(t, dir, "config", "user.name", "")
	testkit.Git(t, dir, "config", "commit.gpgsign", "false")
	testkit.WriteFile(t, dir, "x", "x")
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "only")
	testkit.Git(t, dir, "tag", "v1.0.0")
}

func TestReadRepoEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  func(t *testing.T, dir string) Repo
	}{
		{
			name:  "not a repository",
			setup: func(*testing.T, string) {},
			want:  func(*testing.T, string) Repo { return Repo{} },
		},
		{
			name: "empty repository",
			setup: func(t *testing.T, dir string) {
				testkit.Git(t, dir, "-c", "init.defaultBranch=trunk", "init", "-q")
				testkit.Git(t, dir, "symbolic-ref", "HEAD", "refs/heads/trunk")
				testkit.Git(t, dir, "config", "user.name", "")
			},
			want: func(*testing.T, string) Repo {
				return Repo{IsRepo: true, Branch: "trunk", DefaultBranch: "trunk"}
			},
		},
		{
			name:  "tag on the checked-out branch: the branch is the ref, no tag looked up",
			setup: taggedCommit,
			want: func(t *testing.T, dir string) Repo {
				return Repo{
					IsRepo: true, Branch: "main", SHA: testkit.Git(t, dir, "rev-parse", "HEAD"), DefaultBranch: "main",
					Message: "only", Timestamp: "2025-01-02T03:04:05+00:00", Author: "Ada Author", AuthorMail: "ada@example.com",
				}
			},
		},
		{
			name: "detached tag with one commit",
			setup: func(t *testing.T, dir string) {
				taggedCommit(t, dir)
				testkit.Git(t, dir, "checkout", "-q", "--detach", "v1.0.0")
			},
			want: func(t *testing.T, dir string) Repo {
				return Repo{
					IsRepo: true, Tag: "v1.0.0", SHA: testkit.Git(t, dir, "rev-parse", "HEAD"), DefaultBranch: "main",
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
			got, err := Read(t.Context(), dir, testEnv(t))
			if err != nil {
				t.Fatalf("Read() error = %v", err)
			}
			got.UserEmail = ""
			if diff := cmp.Diff(got, tt.want(t, dir)); diff != "" {
				t.Errorf("Read() (-got +want):\n%s", diff)
			}
		})
	}
}

// TestReadRepoLayouts reads repositories laid out as git makes them for
// worktrees, shallow clones, annotated tags and subdirectories, and checks
// the facts git itself reports.
func TestReadRepoLayouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup returns the directory to read.
		setup func(t *testing.T, origin string) string
		want  func(t *testing.T, dir string) Repo
	}{
		{
			name: "linked worktree on its own branch",
			setup: func(t *testing.T, origin string) string {
				wt := filepath.Join(t.TempDir(), "wt")
				testkit.Git(t, origin, "worktree", "add", "-q", "-b", "side", wt, "main")
				return wt
			},
			want: func(t *testing.T, dir string) Repo {
				return Repo{
					IsRepo: true, Branch: "side", SHA: testkit.Git(t, dir, "rev-parse", "HEAD"), DefaultBranch: "side",
					RemoteURL: "https://bot:secret@forge.example.com/acme/rocket.git", UserName: "Grace Hopper",
					Message: "first", Timestamp: "2025-01-02T03:04:05+00:00", Author: "Ada Author", AuthorMail: "ada@example.com",
				}
			},
		},
		{
			name: "shallow clone of depth 1 has no parent and an origin HEAD",
			setup: func(t *testing.T, origin string) string {
				clone := filepath.Join(t.TempDir(), "clone")
				testkit.Git(t, t.TempDir(), "clone", "-q", "--depth", "1", "--branch", "feature", "file://"+origin, clone)
				return clone
			},
			want: func(t *testing.T, dir string) Repo {
				return Repo{
					IsRepo: true, Branch: "feature", SHA: testkit.Git(t, dir, "rev-parse", "HEAD"), DefaultBranch: "feature",
					RemoteURL: testkit.Git(t, dir, "remote", "get-url", "origin"),
					Message:   "second\n\nbody", Timestamp: "2025-01-02T03:04:05+00:00", Author: "Ada Author", AuthorMail: "ada@example.com",
				}
			},
		},
		{
			name: "annotated tags on a detached HEAD in a subdirectory, renamed file",
			setup: func(t *testing.T, origin string) string {
				testkit.Git(t, origin, "mv", "b.txt", "docs/b-renamed.txt")
				testkit.Git(t, origin, "commit", "-q", "-m", "rename")
				testkit.Git(t, origin, "tag", "-a", "-m", "release", "v2")
				testkit.Git(t, origin, "tag", "-a", "-m", "release", "v10")
				testkit.Git(t, origin, "checkout", "-q", "--detach", "v2")
				return filepath.Join(origin, "docs")
			},
			want: func(t *testing.T, dir string) Repo {
				return Repo{
					IsRepo: true, Tag: "v10", SHA: testkit.Git(t, dir, "rev-parse", "HEAD"), Before: testkit.Git(t, dir, "rev-parse", "HEAD~1"),
					DefaultBranch: "main", RemoteURL: "https://bot:secret@forge.example.com/acme/rocket.git", UserName: "Grace Hopper",
					Message: "rename", Timestamp: "2025-01-02T03:04:05+00:00", Author: "Ada Author", AuthorMail: "ada@example.com",
					Changed: []string{"docs/b-renamed.txt"}, ChangedKnown: true,
				}
			},
		},
		{
			name: "bare repository is no work tree",
			setup: func(t *testing.T, origin string) string {
				bare := filepath.Join(t.TempDir(), "bare.git")
				testkit.Git(t, t.TempDir(), "clone", "-q", "--bare", origin, bare)
				return bare
			},
			want: func(*testing.T, string) Repo { return Repo{} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := tt.setup(t, newRepo(t))
			got, err := Read(t.Context(), dir, testEnv(t))
			if err != nil {
				t.Fatalf("Read() error = %v", err)
			}
			got.UserEmail = ""
			if diff := cmp.Diff(got, tt.want(t, dir)); diff != "" {
				t.Errorf("Read(%s) (-got +want):\n%s", dir, diff)
			}
		})
	}
}

// TestReadUserConfig checks that user.name comes from the global file, its
// includes, and that the repository's value, even empty, wins over them.
func TestReadUserConfig(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	testkit.WriteFile(t, home, ".gitconfig", "[user]\n\tname = Global Name\n[include]\n\tpath = more.inc\n")
	testkit.WriteFile(t, home, "more.inc", "[user]\n\temail = included@example.com\n")
	env := envOf(map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"})
	dir := t.TempDir()
	testkit.Git(t, dir, "init", "-q")

	got, err := Read(t.Context(), dir, env)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserName != "Global Name" || got.UserEmail != "included@example.com" {
		t.Errorf("Read() user = %q <%q>, want Global Name <included@example.com>", got.UserName, got.UserEmail)
	}
	testkit.Git(t, dir, "config", "user.name", "")
	if got, _ = Read(t.Context(), dir, env); got.UserName != "" {
		t.Errorf("Read() user.name = %q, want the repository's empty value", got.UserName)
	}
}
