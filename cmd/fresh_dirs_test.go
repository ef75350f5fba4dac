package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// freshMachine is an empty HOME and XDG_CACHE_HOME, and a loopback git
// server with the remote action acme/hello@v1.
type freshMachine struct {
	home, xdg string
	git       *gittest.Server
}

func newFreshMachine(t *testing.T) freshMachine {
	t.Helper()
	root := t.TempDir()
	m := freshMachine{home: filepath.Join(root, "home"), xdg: filepath.Join(root, "xdg"), git: gittest.NewServer(t, gittest.Options{})}
	for _, d := range []string{m.home, m.xdg} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	repo := m.git.NewRepo(t, "acme/hello", false)
	repo.Commit(t, "main", map[string]string{"action.yml": "name: hello\nruns:\n  using: composite\n  steps:\n    - run: echo hello from a remote action\n      shell: bash\n"}, "hello")
	repo.Tag(t, "v1", "main")
	return m
}

// freshWorkflow uses the remote action and saves into the cache.
func freshWorkflow(t *testing.T, label string) string {
	return strings.Replace(cacheJob(t, label, "save", "fresh", 1000), "    steps:\n", "    steps:\n      - uses: acme/hello@v1\n", 1)
}

// checkCreated checks that anvil created the directories it uses under
// XDG_CACHE_HOME, and nothing under HOME.
func (m freshMachine) checkCreated(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if st, err := os.Stat(filepath.Join(m.xdg, d)); err != nil || !st.IsDir() {
			t.Errorf("$XDG_CACHE_HOME/%s was not created: %v", d, err)
		}
	}
	if ents, _ := os.ReadDir(m.home); len(ents) > 0 {
		t.Errorf("HOME got %d entries, want none with XDG_CACHE_HOME set", len(ents))
	}
}

// TestFreshMachineExec: anvil exec on a machine where no directory of
// anvil's exists yet resolves a remote action and saves into its cache.
func TestFreshMachineExec(t *testing.T) {
	t.Parallel()
	m := newFreshMachine(t)
	repo := t.TempDir()
	testkit.WriteFile(t, repo, ".forgejo/workflows/ci.yml", freshWorkflow(t, "ubuntu-latest"))
	proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH"), "HOME": m.home, "XDG_CACHE_HOME": m.xdg})
	code := Main(t.Context(), proc, []string{"exec", "-C", repo, "--default-actions-url", m.git.URL})
	if code != ExitOK || !strings.Contains(stdout.String(), "hello from a remote action") || !strings.Contains(stdout.String(), "cache saved: fresh") {
		t.Fatalf("anvil exec on a fresh machine exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	m.checkCreated(t, "anvil/actions", "anvil/exec-cache/index")
}

// TestFreshMachineDaemon: anvil daemon on a machine where no directory
// of anvil's exists yet (no host.workdir_parent, runner.state_dir or
// cache.dir in its config) runs a job with a remote action and a cache
// save.
func TestFreshMachineDaemon(t *testing.T) {
	t.Parallel()
	m := newFreshMachine(t)
	srv := forgetest.New(t, forgetest.WithDefaultActionsURL(m.git.URL))
	dir := t.TempDir()
	rec := srv.AddRunner("fresh", forge.LabelNames(testDaemonLabels))
	runnerFile := filepath.Join(dir, "runner", ".runner")
	if err := os.Mkdir(filepath.Dir(runnerFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := forge.WriteRunnerFile(runnerFile, forge.RunnerFile{ID: rec.ID, UUID: rec.UUID, Name: rec.Name, Token: rec.Token, Address: srv.URL(), Labels: testDaemonLabels}); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.yaml")
	testkit.WriteFile(t, dir, "config.yaml", "runner:\n  file: "+runnerFile+"\n  fetch_interval: 200ms\n  report_interval: 200ms\n")
	d := daemonDir{dir: dir, config: config, runner: rec, env: []string{"HOME=" + m.home, "XDG_CACHE_HOME=" + m.xdg}}
	p := startDaemon(t, d)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: freshWorkflow(t, "self-hosted")})
	got := waitTask(t, srv, id, "the job", reported)
	if got.Status != forgetest.StatusSuccess || !strings.Contains(rowsOf(got), "hello from a remote action") || !strings.Contains(rowsOf(got), "cache saved: fresh") {
		t.Fatalf("the job on a fresh machine: %s\n%s\ndaemon log:\n%s", got.Status, rowsOf(got), p.stderr)
	}
	m.checkCreated(t, "anvil/actions", "anvil/cache/index")
	if _, err := os.Stat(filepath.Join(dir, "runner", ".anvil")); err != nil {
		t.Errorf("runner.state_dir was not created next to the runner file: %v", err)
	}
}
