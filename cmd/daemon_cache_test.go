package cmd

import (
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestDaemonCache: through anvil daemon against the test forge, a job
// saves a 3 MiB entry with a client that follows actions/cache's v1
// protocol, and the job of the next push restores it (a cache hit with
// the same bytes), on the host and in a container, which reaches the
// daemon's cache server at its network's gateway. A job of another
// repository misses it. Every job gets the forge's runtime variables.
func TestDaemonCache(t *testing.T) {
	t.Parallel()
	const size = 3<<20 + 5
	tests := []struct {
		name   string
		label  string
		config string
		docker bool
	}{
		{name: "host", label: "self-hosted"},
		{name: "docker", label: "bookworm", config: "  labels: [\"bookworm:docker://" + dockertest.Image + "\"]\n", docker: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.docker {
				dockertest.Client(t)
			}
			srv := forgetest.New(t)
			d := newDaemonDir(t, srv, tt.config)
			p := startDaemon(t, d)

			save := waitTask(t, srv, srv.AddTask(forgetest.TaskSpec{WorkflowYAML: cacheJob(t, tt.label, "save", "deps-1", size)}), "save", reported)
			if save.Status != forgetest.StatusSuccess || !strings.Contains(rowsOf(save), "cache saved: deps-1") {
				t.Fatalf("the saving job: %s\n%s\ndaemon log:\n%s", save.Status, rowsOf(save), p.stderr)
			}
			restore := waitTask(t, srv, srv.AddTask(forgetest.TaskSpec{WorkflowYAML: cacheJob(t, tt.label, "restore", "deps-1", 0)}), "restore", reported)
			rows := rowsOf(restore)
			if restore.Status != forgetest.StatusSuccess || !strings.Contains(rows, "cache hit: deps-1") || !strings.Contains(rows, "restored sha256 "+cacheBlobSum(size)) {
				t.Errorf("the next push's job: %s, want a hit with the saved bytes:\n%s", restore.Status, rows)
			}
			other := waitTask(t, srv, srv.AddTask(forgetest.TaskSpec{WorkflowYAML: cacheJob(t, tt.label, "restore", "deps-1", 0),
				Context: map[string]any{"repository": "someone/else"}}), "other repository", reported)
			if !strings.Contains(rowsOf(other), "cache miss: deps-1") {
				t.Errorf("another repository's job, want a miss:\n%s", rowsOf(other))
			}
			for _, rec := range []forgetest.TaskRecord{save, restore, other} {
				if strings.Contains(rowsOf(rec), "anv1.") {
					t.Errorf("task %d shows a cache credential:\n%s", rec.ID, rowsOf(rec))
				}
			}
			if !strings.Contains(p.stderr.String(), "cache server started") {
				t.Errorf("the daemon did not say where its cache server is:\n%s", p.stderr)
			}
		})
	}
}

// TestDaemonRuntimeVariables: a job sees the variables Gitea's and
// Forgejo's runners set, with the task's runtime token masked.
func TestDaemonRuntimeVariables(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	d := newDaemonDir(t, srv, "")
	startDaemon(t, d)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: `on: push
jobs:
  env:
    runs-on: self-hosted
    steps:
      - run: |
          echo "runtime=$ACTIONS_RUNTIME_URL"
          echo "results=$ACTIONS_RESULTS_URL"
          echo "token=$ACTIONS_RUNTIME_TOKEN"
          echo "cache=$ACTIONS_CACHE_URL"
          echo "gitea=$GITEA_ACTIONS forgejo=$FORGEJO_ACTIONS"
`})
	rec := waitTask(t, srv, id, "the job", reported)
	instance := strings.TrimSuffix(srv.URL(), "/")
	rows := rowsOf(rec)
	for _, w := range []string{
		"runtime=" + instance + "/api/actions_pipeline/\n",
		"results=" + instance + "\n",
		"token=***\n",
		"cache=http://127.0.0.1:",
		"gitea=true forgejo=true",
	} {
		if !strings.Contains(rows, w) {
			t.Errorf("rows lack %q:\n%s", w, rows)
		}
	}
	if !strings.Contains(rows, "/_cache/***/") {
		t.Errorf("the cache URL's credential is not masked:\n%s", rows)
	}
}
