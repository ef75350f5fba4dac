package executor_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/nektos/act/pkg/model"
	actrunner "github.com/nektos/act/pkg/runner"
	"github.com/sirupsen/logrus"
)

// actReference runs a repository's workflows through upstream act's runner
// on this host (act's self-hosted mode), as the yardstick of the
// benchmarks. It is test-only: anvil does not use act's runner.
type actReference struct {
	repo      string
	workflows string
	cacheDir  string
}

// newActReference prepares act for the git repository repo, whose
// workflows are in .forgejo/workflows. act's action cache, tool cache and
// per-job directories go under a temporary directory.
func newActReference(tb testing.TB, repo string) *actReference {
	tb.Helper()
	return &actReference{
		repo:      repo,
		workflows: filepath.Join(repo, ".forgejo", "workflows"),
		cacheDir:  filepath.Join(tb.TempDir(), "act"),
	}
}

// timeJob plans and runs the push workflows with act, job logs discarded,
// and returns how long it took. It fails unless act reports no error and
// the job set its output.
func (a *actReference) timeJob(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	r, err := actrunner.New(&actrunner.Config{
		Workdir:        a.repo,
		ActionCacheDir: a.cacheDir,
		EventName:      "push",
		DefaultBranch:  "main",
		GitHubInstance: "github.com",
		Platforms:      map[string]string{"ubuntu-latest": "-self-hosted"},
	})
	if err != nil {
		return 0, fmt.Errorf("creating act runner: %w", err)
	}
	planner, err := model.NewWorkflowPlanner(a.workflows, true, false)
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
	if got := job.Outputs[benchOutput]; got != benchOutValue {
		return 0, fmt.Errorf("act job output %s = %q, want %q", benchOutput, got, benchOutValue)
	}
	return d, nil
}

// discardLoggers gives act's jobs loggers that drop everything, so that
// act's output stays out of the benchmark's.
type discardLoggers struct{}

// WithJobLogger returns a new logger writing to io.Discard at info level,
// act's default.
func (discardLoggers) WithJobLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.InfoLevel)
	return l
}
