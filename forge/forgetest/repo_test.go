package forgetest_test

import (
	"encoding/base64"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestRepoCommits: commits on branches, the workflows Gitea finds at a
// commit, and the files a push changed.
func TestRepoCommits(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	repo := srv.NewRepo("o/r", false)
	zero := strings.Repeat("0", 40)

	first, before, err := repo.Commit("main", map[string]string{
		".github/workflows/gh.yml": "on: push\n",
		"README.md":                "hi\n",
	}, "first")
	if err != nil || before != zero {
		t.Fatalf("Commit(main) = %s, before %s, %v; want a commit on a new branch", first, before, err)
	}
	// Without .gitea/workflows, Gitea reads .github/workflows.
	if got, err := repo.Workflows(first); err != nil || !cmp.Equal(got, map[string]string{"gh.yml": "on: push\n"}) {
		t.Errorf("Workflows(first) = %v, %v; want gh.yml", got, err)
	}

	second, before, err := repo.Commit("main", map[string]string{
		".gitea/workflows/ci.yml":       "on: push\njobs: {}",
		".gitea/workflows/sub/x.yaml":   "on: pull_request\n",
		".gitea/workflows/notes.txt":    "not a workflow\n",
		".github/workflows/ignored.yml": "on: push\n",
	}, "second")
	if err != nil || before != first || repo.Head("main") != second {
		t.Fatalf("Commit(main) = %s, before %s, %v, head %s; want a new head after %s", second, before, err, repo.Head("main"), first)
	}
	want := map[string]string{"ci.yml": "on: push\njobs: {}", "sub/x.yaml": "on: pull_request\n"}
	if got, err := repo.Workflows(second); err != nil || !cmp.Equal(got, want) {
		t.Errorf("Workflows(second) = %v, %v; want %v (.gitea/workflows wins, content as committed)", got, err, want)
	}
	changed, err := repo.Changed(first, second)
	slices.Sort(changed)
	if wantChanged := []string{".gitea/workflows/ci.yml", ".gitea/workflows/notes.txt", ".gitea/workflows/sub/x.yaml", ".github/workflows/ignored.yml"}; err != nil || !cmp.Equal(changed, wantChanged) {
		t.Errorf("Changed(first, second) = %v, %v; want %v", changed, err, wantChanged)
	}

	feature, before, err := repo.Commit("feature", map[string]string{"CHANGES.md": "x\n"}, "feature")
	if err != nil || before != zero {
		t.Fatalf("Commit(feature) = %s, before %s, %v; want a new branch", feature, before, err)
	}
	if changed, err := repo.Changed(repo.Head("main"), feature); err != nil || !cmp.Equal(changed, []string{"CHANGES.md"}) {
		t.Errorf("Changed(main, feature) = %v, %v; want the branch's one file (it starts at main)", changed, err)
	}
	if repo.Head("main") != second || repo.Head("nope") != zero {
		t.Errorf("Head(main) = %s, Head(nope) = %s; want %s and zeros", repo.Head("main"), repo.Head("nope"), second)
	}
	if _, err := repo.Workflows(strings.Repeat("1", 40)); err == nil {
		t.Errorf("Workflows(a commit the repository lacks) = nil error; want one")
	}
	other := srv.NewRepo("o/no-main", false)
	if _, _, err := other.Commit("dev", map[string]string{"f": "x"}, "first"); err != nil {
		t.Fatalf("Commit(the first branch, dev) = %v", err)
	}
	if _, _, err := other.Commit("topic", map[string]string{"f": "y"}, "second"); err == nil || !strings.Contains(err.Error(), "main") {
		t.Errorf("Commit(a new branch without main) = %v; want an error naming main", err)
	}
	if err := repo.SetRef("refs/pull/1/head", feature); err != nil {
		t.Fatal(err)
	}
	if out := git(t, "", "ls-remote", repo.URL()); !strings.Contains(out, feature+"\trefs/pull/1/head") {
		t.Errorf("ls-remote = %q; want refs/pull/1/head at %s", out, feature)
	}
}

// TestRepoGitHTTP: a repository is read over git smart HTTP as Gitea
// serves it: a public one by anyone, a private one with the token of a
// running task of its runs only; wrong credentials are refused even on a
// public one, and pushes are refused.
func TestRepoGitHTTP(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	// AddTask's tasks belong to forgetest/repo.
	private := srv.NewRepo("forgetest/repo", true)
	public := srv.NewRepo("other/public", false)
	otherPrivate := srv.NewRepo("other/private", true)
	for _, r := range []*forgetest.Repo{private, public, otherPrivate} {
		if _, _, err := r.Commit("main", map[string]string{"f": "x\n"}, "init"); err != nil {
			t.Fatal(err)
		}
	}
	c, id := started(t, srv)
	token := srv.Task(id).Token
	basic := func(user, pass string) string {
		return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}

	for _, tc := range []struct {
		name   string
		repo   *forgetest.Repo
		header string
		ok     bool
	}{
		{"public, anonymous", public, "", true},
		{"public, the token of another repository's task", public, basic("x", token), true},
		{"public, a wrong token", public, basic("x", "wrong"), false},
		{"private, anonymous", private, "", false},
		{"private, the token as password", private, basic("token", token), true},
		{"private, the token as user", private, basic(token, ""), true},
		{"private, the token as user, x-oauth-basic", private, basic(token, "x-oauth-basic"), true},
		{"private, a wrong token", private, basic("token", "wrong"), false},
		{"private, the token, another repository", otherPrivate, basic("token", token), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gitErr("", "-c", "http.extraHeader="+tc.header, "ls-remote", tc.repo.URL(), "main")
			if (err == nil) != tc.ok {
				t.Errorf("ls-remote %s = %v; want success %t", tc.repo.URL(), err, tc.ok)
			}
		})
	}

	dir := t.TempDir()
	git(t, "", "-c", "http.extraHeader="+basic("token", token), "clone", "-q", strings.TrimSuffix(private.URL(), ".git"), dir)
	if b, err := os.ReadFile(dir + "/f"); err != nil || string(b) != "x\n" {
		t.Errorf("a clone (without .git) has f = %q, %v; want x", b, err)
	}
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "pushed")
	if _, err := gitErr(dir, "-c", "http.extraHeader="+basic("token", token), "push", "-q", "origin", "HEAD:main"); err == nil {
		t.Errorf("a push over HTTP was accepted; want it refused")
	}

	c.update(t, &runnerv1.TaskState{Id: id, Result: runnerv1.Result_RESULT_SUCCESS}, nil)
	if _, err := gitErr("", "-c", "http.extraHeader="+basic("token", token), "ls-remote", private.URL()); err == nil {
		t.Errorf("ls-remote with the token of a finished task succeeded; want it refused")
	}
}

// git runs git without the user's configuration and fails t on error.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitErr(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gitErr(dir string, args ...string) (string, error) {
	c := exec.Command("git", args...)
	c.Dir = dir
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t.invalid")
	out, err := c.CombinedOutput()
	if err != nil {
		return "", &gitFailure{args: args, err: err, out: string(out)}
	}
	return string(out), nil
}

type gitFailure struct {
	args []string
	err  error
	out  string
}

func (e *gitFailure) Error() string {
	return "git " + strings.Join(e.args[len(e.args)-2:], " ") + ": " + e.err.Error() + ": " + strings.TrimSpace(e.out)
}
