package enginetest

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/nektos/act/pkg/model"
	actrunner "github.com/nektos/act/pkg/runner"
	"github.com/sirupsen/logrus"
)

// Act runs a repository's push workflows through upstream act's runner,
// the yardstick of the engine's benchmarks. Test-only: anvil does not use
// act's runner.
type Act struct {
	// Repo is a git repository whose workflows are in .forgejo/workflows.
	Repo string
	// CacheDir holds act's action cache, tool cache and job directories.
	CacheDir string
	// Platform is what runs-on ubuntu-latest maps to: "-self-hosted" for
	// the host, or a container image.
	Platform string
	// ContainerDaemonSocket is act's setting of that name ("-": none in
	// the job container); empty for the host.
	ContainerDaemonSocket string
	// Output and Value are the job output the run must set.
	Output, Value string
}

// TimeJob plans and runs the workflows with act, job logs discarded, and
// returns how long it took. It fails unless act planned one job, which
// succeeded and set Output to Value.
func (a Act) TimeJob(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	r, err := actrunner.New(&actrunner.Config{
		Workdir:               a.Repo,
		ActionCacheDir:        a.CacheDir,
		EventName:             "push",
		DefaultBranch:         "main",
		GitHubInstance:        "github.com",
		Platforms:             map[string]string{"ubuntu-latest": a.Platform},
		ContainerDaemonSocket: a.ContainerDaemonSocket,
	})
	if err != nil {
		return 0, fmt.Errorf("creating act runner: %w", err)
	}
	planner, err := model.NewWorkflowPlanner(filepath.Join(a.Repo, ".forgejo", "workflows"), true, false)
	if err != nil {
		return 0, fmt.Errorf("reading workflows with act: %w", err)
	}
	plan, err := planner.PlanEvent("push")
	if err != nil {
		return 0, fmt.Errorf("planning with act: %w", err)
	}
	ctx = actrunner.WithJobLoggerFactory(ctx, discardLoggers{})
	if err := r.NewPlanExecutor(plan)(ctx); err != nil {
		return 0, fmt.Errorf("act run: %w", err)
	}
	d := time.Since(start)
	if len(plan.Stages) != 1 || len(plan.Stages[0].Runs) != 1 {
		return 0, fmt.Errorf("act planned %d stages, want 1 stage of 1 job", len(plan.Stages))
	}
	job := plan.Stages[0].Runs[0].Job()
	if job.Result != "success" {
		return 0, fmt.Errorf("act job result %q, want success", job.Result)
	}
	if got := job.Outputs[a.Output]; got != a.Value {
		return 0, fmt.Errorf("act job output %s = %q, want %q", a.Output, got, a.Value)
	}
	return d, nil
}

// discardLoggers gives act's jobs loggers that drop everything, so that
// act's output stays out of the benchmarks'.
type discardLoggers struct{}

// WithJobLogger returns a logger writing to io.Discard at info level,
// act's default.
func (discardLoggers) WithJobLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.InfoLevel)
	return l
}
