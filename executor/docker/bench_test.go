package docker_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// The job of testdata/bench (three trivial run steps), its output and its
// first step's first line; both engines must produce the output for a run
// to count.
const (
	benchOutput    = "greeting"
	benchOutValue  = "hello"
	benchFirstLine = "hello from step one"
)

// benchPairs is how many runs of each engine one iteration of
// BenchmarkDockerJob3Steps makes: a job takes seconds, so even one
// iteration (make bench's default) averages a few.
const benchPairs = 3

// BenchmarkDockerJob3Steps runs the same 3-step job in a container of the
// test image end to end (plan, containers up, steps, containers removed)
// through anvil's engine with this backend and through upstream act's
// Docker runner, alternating which goes first, and reports the mean time
// of each and their ratio. The target is a ratio of at most 0.5.
func BenchmarkDockerJob3Steps(b *testing.B) {
	cli := dockertest.Client(b)
	repo := benchRepo(b)
	backend := docker.New(cli, docker.Config{Labels: dockertest.Labels(b, cli)})
	// act's Docker executor, in the same image, with no Docker socket in the job.
	act := enginetest.Act{Repo: repo, CacheDir: filepath.Join(b.TempDir(), "act"), Platform: dockertest.Image,
		ContainerDaemonSocket: "-", Output: benchOutput, Value: benchOutValue}
	work := b.TempDir()
	var anvilTime, actTime time.Duration
	n := 0
	runOurs := func() {
		d, _, err := timeAnvilJob(b.Context(), backend, repo, filepath.Join(work, fmt.Sprint(n)))
		if err != nil {
			b.Fatalf("anvil run %d: %v", n, err)
		}
		anvilTime += d
	}
	runAct := func() {
		d, err := act.TimeJob(b.Context())
		if err != nil {
			b.Fatalf("act run %d: %v", n, err)
		}
		actTime += d
	}
	for b.Loop() {
		for range benchPairs {
			if n%2 == 0 {
				runOurs()
				runAct()
			} else {
				runAct()
				runOurs()
			}
			n++
		}
	}
	anvilMS := float64(anvilTime.Microseconds()) / 1000 / float64(n)
	actMS := float64(actTime.Microseconds()) / 1000 / float64(n)
	b.ReportMetric(anvilMS, "anvil-ms/job")
	b.ReportMetric(actMS, "act-ms/job")
	b.ReportMetric(anvilMS/actMS, "ratio")
}

// BenchmarkDockerFirstLine measures the time from the start of a job in a
// container (the job_start event) to the first output line of its first
// step: image check, job container up, the step's script through docker
// exec.
func BenchmarkDockerFirstLine(b *testing.B) {
	cli := dockertest.Client(b)
	repo := benchRepo(b)
	backend := docker.New(cli, docker.Config{Labels: dockertest.Labels(b, cli)})
	work := b.TempDir()
	var total time.Duration
	n := 0
	for b.Loop() {
		_, first, err := timeAnvilJob(b.Context(), backend, repo, filepath.Join(work, fmt.Sprint(n)))
		if err != nil {
			b.Fatalf("anvil run %d: %v", n, err)
		}
		total += first
		n++
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(n), "first-line-ms")
	b.ReportMetric(0, "ns/op")
}

// timeAnvilJob plans and runs the workflows of repo with every job in a
// container of the test image, removes the job directories, and returns
// how long it all took and how long from the job's start to its first
// step's first line. It fails unless the job succeeded with its output.
func timeAnvilJob(ctx context.Context, backend executor.Backend, repo, work string) (total, firstLine time.Duration, err error) {
	start := time.Now()
	p, err := benchPlan(repo)
	if err != nil {
		return 0, 0, err
	}
	var (
		mu       sync.Mutex
		jobStart time.Time
	)
	sink := executor.SinkFunc(func(e executor.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case e.Kind == executor.EventJobStart:
			jobStart = time.Now()
		case e.Kind == executor.EventLog && e.Line == benchFirstLine && firstLine == 0:
			firstLine = time.Since(jobStart)
		}
	})
	eng := executor.New(executor.Config{
		Loader: enginetest.Loader(),
		Backends: func([]string) (executor.Backend, executor.JobSpecHints, error) {
			return backend, executor.JobSpecHints{Image: dockertest.Image}, nil
		},
		Sink:      sink,
		WorkDir:   work,
		SourceDir: repo,
		Github: map[string]any{
			"event_name": "push", "ref": "refs/heads/main", "ref_name": "main",
			"repository": "anvil/bench", "repository_owner": "anvil", "actor": "bench",
			"event": map[string]any{"ref": "refs/heads/main"},
		},
	})
	res, err := eng.Run(ctx, p)
	if err != nil {
		return 0, 0, fmt.Errorf("running the plan: %w", err)
	}
	if err := os.RemoveAll(work); err != nil {
		return 0, 0, fmt.Errorf("removing the job directories: %w", err)
	}
	total = time.Since(start)
	if res.Result != executor.ResultSuccess || len(res.Jobs) != 1 {
		var jobs []string
		for _, j := range res.Jobs {
			jobs = append(jobs, fmt.Sprintf("%s: %s %s", j.JobID, j.Result, j.Error))
		}
		return 0, 0, fmt.Errorf("run result %s with jobs %q, want success of 1 job", res.Result, jobs)
	}
	if got := res.Jobs[0].Outputs[benchOutput]; got != benchOutValue {
		return 0, 0, fmt.Errorf("job output %s = %q, want %q", benchOutput, got, benchOutValue)
	}
	mu.Lock()
	defer mu.Unlock()
	if firstLine == 0 {
		return 0, 0, fmt.Errorf("the first step never printed %q", benchFirstLine)
	}
	return total, firstLine, nil
}

// benchPlan plans the workflows of repo for a push to main.
func benchPlan(repo string) (*plan.Plan, error) {
	return enginetest.Plan(repo, plan.Event{Name: "push", Ref: "refs/heads/main"})
}

// benchRepo copies testdata/bench into a new git repository.
func benchRepo(tb testing.TB) string {
	return testkit.GitRepo(tb, filepath.Join("..", "..", "testdata", "bench"))
}
