package cmd

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestDaemonArtifacts: through anvil daemon against the test forge, which
// serves Gitea's artifact APIs with its tasks' runtime tokens, on the host
// and in containers, a job uploads artifacts over the API v3 and v4 to the
// forge and saves a cache entry (v1) in the daemon's cache server, and the
// job that needs it downloads the same bytes; the next push's run
// restores the entry and sees none of the first run's artifacts.
func TestDaemonArtifacts(t *testing.T) {
	t.Parallel()
	bin := bins.JobClient(t)
	tests := []struct {
		name      string
		config    string
		jobclient string
		docker    bool
	}{
		{name: "host", config: "  labels: [\"ubuntu-latest:host\"]\n", jobclient: bin},
		{
			name: "docker", docker: true, jobclient: "/opt/jobclient/jobclient",
			config: "  labels: [\"ubuntu-latest:docker://" + dockertest.Image + "\"]\n" +
				"container:\n  options: -v " + filepath.Dir(bin) + ":/opt/jobclient:ro\n  valid_volumes: [\"" + filepath.Dir(bin) + "\"]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.docker {
				dockertest.Client(t)
			}
			srv := forgetest.New(t)
			d := newDaemonDir(t, srv, tt.config)
			if tt.docker {
				registerAt(t, d, reachableForge(t, srv))
			}
			p := startDaemon(t, d)
			vars := map[string]string{"JOBCLIENT": tt.jobclient, "CACHE_APIS": "v1"}
			run := func(workflow string) (string, map[string]string) {
				t.Helper()
				runs := srv.AddRun(forgetest.RunSpec{Workflows: map[string]string{workflow: readWorkflow(t, workflow)}, Vars: vars})
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
				defer cancel()
				rec, err := srv.WaitRun(ctx, runs[0].ID)
				if err != nil {
					t.Fatalf("%s: %v\ndaemon log:\n%s", workflow, err, p.stderr)
				}
				logs := map[string]string{}
				for _, j := range rec.Jobs {
					if j.ID != 0 { // a job the forge skipped was never handed out
						logs[j.JobID] = rowsOf(waitTask(t, srv, j.ID, j.JobID, reported))
					}
				}
				if rec.Status != forgetest.StatusSuccess {
					t.Fatalf("%s: the run's status is %s, want success; logs: %v\ndaemon log:\n%s", workflow, rec.Status, logs, p.stderr)
				}
				return strconv.FormatInt(rec.ID, 10), logs
			}

			runID, logs := run("pass.yml")
			for _, want := range []string{
				"got-v3: small of run " + runID + ", big.bin sha256 " + artifactBigSum(),
				"got-v4: small of run " + runID + ", big.bin sha256 " + artifactBigSum(),
			} {
				if !strings.Contains(logs["download"], want) {
					t.Errorf("job download lacks %q:\n%s", want, logs["download"])
				}
			}
			if !strings.Contains(logs["upload"], "cache saved: deps-v1") {
				t.Errorf("job upload did not save the cache entry:\n%s", logs["upload"])
			}

			_, logs = run("restore.yml")
			for _, want := range []string{"cache hit: deps-v1", "restored v1 sha256 " + artifactBigSum(), "no artifact of another run"} {
				if !strings.Contains(logs["restore"], want) {
					t.Errorf("the next run lacks %q:\n%s", want, logs["restore"])
				}
			}
		})
	}
}

// reachableForge serves srv on every interface of this machine, as a
// user's forge on this machine would be, so that job containers reach it
// at their network's gateway (to which the daemon rewrites the loopback
// URL of the forge in their runtime variables). It returns its URL on
// loopback. The proxy keeps the Host a job asked for, so the forge's
// signed artifact URLs lead back to where the job reaches it.
func reachableForge(t *testing.T, srv *forgetest.Server) string {
	t.Helper()
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: httputil.NewSingleHostReverseProxy(target), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }() // returns when Close closes it
	t.Cleanup(func() { _ = hs.Close() })
	return "http://127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// registerAt rewrites the runner file of d with the forge at address.
func registerAt(t *testing.T, d daemonDir, address string) {
	t.Helper()
	err := forge.WriteRunnerFile(filepath.Join(d.dir, ".runner"), forge.RunnerFile{
		ID: d.runner.ID, UUID: d.runner.UUID, Name: d.runner.Name, Token: d.runner.Token, Address: address, Labels: testDaemonLabels,
	})
	if err != nil {
		t.Fatal(err)
	}
}
