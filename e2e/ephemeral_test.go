package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge/giteatest"
)

// ephemeralWorkflow has 10 jobs (a matrix) for runners labelled
// ephemeral-e2e, which only this test's runners have.
const ephemeralWorkflow = `on: push
jobs:
  one:
    strategy:
      matrix:
        n: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    runs-on: ephemeral-e2e
    steps:
      - run: echo "ephemeral job ${{ matrix.n }} on $RUNNER_NAME"
`

// repoRunner is a runner as GET /repos/{owner}/{repo}/actions/runners
// lists it.
type repoRunner struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Ephemeral bool   `json:"ephemeral"`
}

func repoRunners(ctx context.Context, g *giteaForge) ([]repoRunner, error) {
	var out struct {
		Runners []repoRunner `json:"runners"`
	}
	err := g.srv.API(ctx, "GET", "/repos/"+g.repo.FullName()+"/actions/runners?limit=50", nil, &out)
	return out.Runners, err
}

// Five slots each run ephemeral runners in a loop, as an autoscaler runs
// Kubernetes Jobs: anvil register --ephemeral, then anvil daemon --once.
// Each takes one job, runs and reports it, exits 0, and is then gone from
// the forge's runner list. anvil fleet queue sees the queue before and
// after.
func TestGiteaEphemeral(t *testing.T) {
	t.Parallel()
	g := newGitea(t)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	bin := bins.Anvil(t)
	if _, err := g.Push(ctx, "main", map[string]string{".gitea/workflows/eph.yml": ephemeralWorkflow}); err != nil {
		t.Fatal(err)
	}
	const jobs = 10
	queue := func() int {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, "fleet", "queue", "--instance", g.URL(), "--repo", g.repo.FullName(), "--json", "--runner-labels", "ephemeral-e2e:host")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "ANVIL_FORGE_TOKEN=" + g.srv.Token}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("anvil fleet queue: %v\n%s", err, out)
		}
		var q struct {
			Queued int `json:"queued"`
			Runner struct {
				Queued int `json:"queued"`
			} `json:"runner"`
			Labels map[string]struct {
				Queued int `json:"queued"`
			} `json:"labels"`
		}
		if err := json.Unmarshal(out, &q); err != nil {
			t.Fatalf("anvil fleet queue --json: %v\n%s", err, out)
		}
		if q.Runner.Queued != q.Labels["ephemeral-e2e"].Queued || q.Runner.Queued != q.Queued {
			t.Errorf("fleet queue: %d queued, %d for the label, %d for the runner; want the same", q.Queued, q.Labels["ephemeral-e2e"].Queued, q.Runner.Queued)
		}
		return q.Runner.Queued
	}
	deadline := time.Now().Add(time.Minute)
	for queue() != jobs {
		if time.Now().After(deadline) {
			t.Fatalf("the queue never showed the %d jobs; it shows %d", jobs, queue())
		}
		time.Sleep(500 * time.Millisecond)
	}

	tok, err := g.RegistrationToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		taken = map[string]string{} // runner name -> its daemon's log
		n     int
		wg    sync.WaitGroup
	)
	next := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if n >= jobs {
			return "", false
		}
		n++
		return fmt.Sprintf("eph-%02d", n), true
	}
	for range 5 {
		wg.Go(func() {
			for {
				name, ok := next()
				if !ok {
					return
				}
				log, err := runEphemeral(ctx, t, bin, g, tok, name)
				if err != nil {
					t.Errorf("runner %s: %v\n%s", name, err, log)
					return
				}
				mu.Lock()
				taken[name] = log
				mu.Unlock()
				// Gone from the forge once its job is reported.
				runners, err := repoRunners(ctx, g)
				if err != nil {
					t.Errorf("listing runners: %v", err)
					return
				}
				for _, r := range runners {
					if r.Name == name {
						t.Errorf("runner %s is still on the forge after its job: %+v", name, r)
					}
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	run, err := g.WaitRun(ctx, "eph.yml", "push")
	if err != nil {
		t.Fatal(err)
	}
	if run.Conclusion != "success" {
		t.Errorf("run %s", run.Conclusion)
	}
	rjobs, err := g.repo.RunJobs(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	byRunner := map[string][]giteatest.Job{}
	for _, j := range rjobs {
		byRunner[j.RunnerName] = append(byRunner[j.RunnerName], j)
		if j.Conclusion != "success" {
			t.Errorf("job %s: %s %s", j.Name, j.Status, j.Conclusion)
		}
	}
	if len(rjobs) != jobs || len(byRunner) != jobs {
		t.Errorf("%d jobs on %d runners, want %d jobs on as many runners", len(rjobs), len(byRunner), jobs)
	}
	for name, js := range byRunner {
		if len(js) != 1 || taken[name] == "" {
			t.Errorf("runner %q ran %d jobs, want 1 and one of ours", name, len(js))
		}
	}
	for name, log := range taken {
		if c := strings.Count(log, "running a job"); c != 1 {
			t.Errorf("runner %s started %d jobs, want 1:\n%s", name, c, log)
		}
	}
	if runners, err := repoRunners(ctx, g); err != nil || len(runners) != 0 {
		t.Errorf("runners left on the forge: %+v (%v)", runners, err)
	}
	if q := queue(); q != 0 {
		t.Errorf("fleet queue shows %d jobs after the run, want 0", q)
	}
}

// runEphemeral registers an ephemeral runner and runs anvil daemon --once
// with it; it returns the daemon's log.
func runEphemeral(ctx context.Context, t *testing.T, bin string, g *giteaForge, tok, name string) (string, error) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, runnerConfig, dir), 0o600); err != nil {
		return "", err
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8"}
	reg := exec.CommandContext(ctx, bin, "register", "-c", cfg, "--no-interactive", "--ephemeral",
		"--instance", g.URL(), "--name", name, "--labels", "ephemeral-e2e:host", "--wait", "30s")
	reg.Dir, reg.Env = dir, append(env, "ANVIL_REGISTRATION_TOKEN="+tok)
	if out, err := reg.CombinedOutput(); err != nil {
		return string(out), fmt.Errorf("anvil register --ephemeral: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".runner"))
	if err != nil || !strings.Contains(string(data), `"ephemeral": true`) {
		return string(data), fmt.Errorf("the runner file does not say ephemeral (%v)", err)
	}
	d := exec.CommandContext(ctx, bin, "daemon", "--once", "-c", cfg)
	d.Dir, d.Env = dir, env
	out, err := d.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("anvil daemon --once: %w", err)
	}
	return string(out), nil
}
