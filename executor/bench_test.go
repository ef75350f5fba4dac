package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// benchJob is the job of testdata/bench and the output its last step sets;
// both engines must produce it for a run to count.
const (
	benchJob      = "three-steps"
	benchOutput   = "greeting"
	benchOutValue = "hello"
)

// BenchmarkHostJob3Steps runs the same 3-step host job end to end (plan,
// run, clean up) through anvil's engine and through upstream act's runner
// in self-hosted mode, alternating which goes first, and reports the mean
// time of each and their ratio. The target is a ratio of at most 0.33.
// Run it without -race: act's host environment sets ptyWriter.AutoStop
// while its pty copier reads it (pkg/container/host_environment.go:342
// against :190), and the race detector fails the benchmark for it.
func BenchmarkHostJob3Steps(b *testing.B) {
	repo := benchRepo(b)
	// act's self-hosted mode runs the job on this host.
	act := enginetest.Act{Repo: repo, CacheDir: filepath.Join(b.TempDir(), "act"), Platform: "-self-hosted",
		Output: benchOutput, Value: benchOutValue}
	work := b.TempDir()
	var anvilTime, actTime time.Duration
	n := 0
	for b.Loop() {
		runOurs := func() {
			d, err := timeAnvilJob(b.Context(), repo, filepath.Join(work, fmt.Sprint(n)))
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
		if n%2 == 0 {
			runOurs()
			runAct()
		} else {
			runAct()
			runOurs()
		}
		n++
	}
	anvilMS := float64(anvilTime.Microseconds()) / 1000 / float64(n)
	actMS := float64(actTime.Microseconds()) / 1000 / float64(n)
	b.ReportMetric(anvilMS, "anvil-ms/job")
	b.ReportMetric(actMS, "act-ms/job")
	b.ReportMetric(anvilMS/actMS, "ratio")
}

// BenchmarkHostJob3StepsAnvil runs only anvil's side of
// BenchmarkHostJob3Steps, for profiling (-cpuprofile, -trace).
func BenchmarkHostJob3StepsAnvil(b *testing.B) {
	repo := benchRepo(b)
	work := b.TempDir()
	n := 0
	for b.Loop() {
		if _, err := timeAnvilJob(b.Context(), repo, filepath.Join(work, fmt.Sprint(n))); err != nil {
			b.Fatalf("anvil run %d: %v", n, err)
		}
		n++
	}
}

// timeAnvilJob plans and runs the workflows of repo on the host backend with
// its job directories under work, removes work, and returns how long it all
// took. It fails unless the run succeeded and set the job's output.
func timeAnvilJob(ctx context.Context, repo, work string) (time.Duration, error) {
	start := time.Now()
	p, err := benchPlan(repo)
	if err != nil {
		return 0, err
	}
	eng := executor.New(executor.Config{
		Loader: enginetest.Loader(),
		Backends: func([]string) (executor.Backend, executor.JobSpecHints, error) {
			return host.New(host.Config{}), executor.JobSpecHints{}, nil
		},
		WorkDir:   work,
		SourceDir: repo,
		Github: map[string]any{
			"event_name": "push", "ref": "refs/heads/main", "ref_name": "main",
			"repository": "anvil/bench", "repository_owner": "anvil", "actor": "bench",
			"event": map[string]any{"ref": "refs/heads/main"},
		},
		BaseEnv: executor.HostEnv(os.Environ()),
	})
	res, err := eng.Run(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("running the plan: %w", err)
	}
	if err := os.RemoveAll(work); err != nil {
		return 0, fmt.Errorf("removing the job directories: %w", err)
	}
	d := time.Since(start)
	if res.Result != executor.ResultSuccess || len(res.Jobs) != 1 {
		var jobs []string
		for _, j := range res.Jobs {
			jobs = append(jobs, fmt.Sprintf("%s: %s %s", j.JobID, j.Result, j.Error))
		}
		return 0, fmt.Errorf("run result %s with jobs %q, want success of 1 job", res.Result, jobs)
	}
	if got := res.Jobs[0].Outputs[benchOutput]; got != benchOutValue {
		return 0, fmt.Errorf("job output %s = %q, want %q", benchOutput, got, benchOutValue)
	}
	return d, nil
}

// benchPlan plans the workflows of repo for a push to main.
func benchPlan(repo string) (*plan.Plan, error) {
	return enginetest.Plan(repo, plan.Event{Name: "push", Ref: "refs/heads/main"})
}

// benchRepo copies testdata/bench into a new git repository.
func benchRepo(tb testing.TB) string {
	return testkit.GitRepo(tb, filepath.Join("..", "testdata", "bench"))
}
