package giteatest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	pushWorkflow = `on:
  push:
    branches: [main]
jobs:
  j:
    runs-on: no-such-runner
    steps:
      - run: echo hi
`
	dispatchWorkflow = `on:
  workflow_dispatch:
    inputs:
      who: {type: string, default: me}
jobs:
  d:
    runs-on: no-such-runner
    steps:
      - run: echo ${{ inputs.who }}
`
)

// TestServer drives every call of the harness once against a real Gitea,
// without a runner: the jobs stay queued.
func TestServer(t *testing.T) {
	t.Parallel()
	s := Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	repo, err := s.CreateRepo(ctx, "harness", false)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := repo.RegistrationToken(ctx); err != nil || len(tok) < 20 {
		t.Errorf("RegistrationToken() = %q, %v; want a token", tok, err)
	}
	if err := repo.SetSecret(ctx, "DEPLOY_KEY", "v"); err != nil {
		t.Error(err)
	}
	if err := repo.SetVariable(ctx, "DEPLOY_ENV", "staging"); err != nil {
		t.Error(err)
	}
	var vars []struct {
		Name string `json:"name"`
		Data string `json:"data"`
	}
	if err := s.API(ctx, "GET", repo.path("/actions/variables"), nil, &vars); err != nil || len(vars) != 1 || vars[0].Data != "staging" {
		t.Errorf("variables after SetVariable = %+v, %v; want DEPLOY_ENV=staging", vars, err)
	}

	sha, err := repo.Commit(ctx, "main", "workflows", map[string]string{
		".gitea/workflows/push.yml":     pushWorkflow,
		".gitea/workflows/dispatch.yml": dispatchWorkflow,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Dispatch(ctx, "dispatch.yml", "main", map[string]string{"who": "you"}); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Commit(ctx, "feature", "change", map[string]string{"README.md": "changed\n"}); err != nil {
		t.Fatal(err)
	}
	if n, err := repo.OpenPullRequest(ctx, "feature", "main", "a change"); err != nil || n != 1 {
		t.Errorf("OpenPullRequest() = %d, %v; want pull request 1", n, err)
	}

	runs := waitRuns(ctx, t, repo, 2)
	for _, want := range []struct{ workflow, event string }{{"push.yml", "push"}, {"dispatch.yml", "workflow_dispatch"}} {
		i := slices.IndexFunc(runs, func(r Run) bool { return r.Workflow() == want.workflow })
		if i < 0 {
			t.Errorf("no run of %s among %+v", want.workflow, runs)
			continue
		}
		run := runs[i]
		if run.Event != want.event || run.HeadSHA != sha || run.Done() {
			t.Errorf("run of %s = %+v; want event %s on %s, not done", want.workflow, run, want.event, sha)
		}
		jobs, err := repo.RunJobs(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 1 || jobs[0].Status != "queued" || !slices.Equal(jobs[0].Labels, []string{"no-such-runner"}) {
			t.Errorf("jobs of %s = %+v; want one job queued for no-such-runner", want.workflow, jobs)
			continue
		}
		if log, err := repo.JobLog(ctx, jobs[0].ID); err == nil || !strings.Contains(err.Error(), "not started") {
			t.Errorf("JobLog(a queued job) = %q, %v; want a not-started error", log, err)
		}
	}
	if out, err := s.CLI(ctx, "--version"); err != nil || !strings.Contains(out, Version) {
		t.Errorf("CLI(--version) = %q, %v; want Gitea %s", out, err, Version)
	}
}

// waitRuns waits until repo lists n runs, and returns them.
func waitRuns(ctx context.Context, t *testing.T, repo *Repo, n int) []Run {
	t.Helper()
	for {
		runs, err := repo.Runs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) >= n {
			return runs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %d runs, have %+v: %v", n, runs, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
