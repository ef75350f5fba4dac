package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge/giteatest"
)

// giteaForge is a Forge on a real Gitea: one repository of its admin.
type giteaForge struct {
	srv  *giteatest.Server
	repo *giteatest.Repo
}

// newGitea starts a Gitea of the test's own with a private repository
// e2e.
func newGitea(t *testing.T) *giteaForge {
	t.Helper()
	srv := giteatest.Start(t)
	repo, err := srv.CreateRepo(t.Context(), "e2e", privateRepo)
	if err != nil {
		t.Fatal(err)
	}
	return &giteaForge{srv: srv, repo: repo}
}

func (g *giteaForge) URL() string { return g.srv.URL }

func (g *giteaForge) RegistrationToken(ctx context.Context) (string, error) {
	return g.repo.RegistrationToken(ctx)
}

func (g *giteaForge) SetSecret(ctx context.Context, name, value string) error {
	return g.repo.SetSecret(ctx, name, value)
}

func (g *giteaForge) SetVariable(ctx context.Context, name, value string) error {
	return g.repo.SetVariable(ctx, name, value)
}

func (g *giteaForge) Push(ctx context.Context, branch string, files map[string]string) (string, error) {
	return g.repo.Commit(ctx, branch, "e2e: "+branch, files)
}

func (g *giteaForge) Dispatch(ctx context.Context, workflow, ref string, inputs map[string]string) error {
	return g.repo.Dispatch(ctx, workflow, ref, inputs)
}

func (g *giteaForge) OpenPR(ctx context.Context, head, base string) (int64, error) {
	return g.repo.OpenPullRequest(ctx, head, base, "e2e: "+head)
}

// pollInterval is how often WaitRun asks the forge.
const pollInterval = 500 * time.Millisecond

func (g *giteaForge) WaitRun(ctx context.Context, workflow, event string) (Run, error) {
	var last *giteatest.Run
	for {
		runs, err := g.repo.Runs(ctx)
		if err != nil && ctx.Err() == nil {
			return Run{}, err
		}
		for _, r := range runs {
			if r.Workflow() == workflow && r.Event == event {
				last = &r
				break
			}
		}
		if last != nil && last.Done() && g.jobsDone(ctx, last.ID) {
			return Run{ID: last.ID, Workflow: workflow, Event: event, Conclusion: last.Conclusion}, nil
		}
		select {
		case <-ctx.Done():
			return Run{}, fmt.Errorf("waiting for the %s run of %s: %w; %s", event, workflow, context.Cause(ctx), g.describe(last))
		case <-time.After(pollInterval):
		}
	}
}

// jobsDone reports whether every job of run id has ended. Gitea counts a
// run with a failed job and jobs still blocked on it as ended (failure)
// before it has resolved those jobs (skipped, or handed out for their
// if:).
func (g *giteaForge) jobsDone(ctx context.Context, id int64) bool {
	jobs, err := g.repo.RunJobs(ctx, id)
	if err != nil {
		return false
	}
	for _, j := range jobs {
		if j.Status != "completed" {
			return false
		}
	}
	return true
}

// describe says what run r and its jobs are doing, for a timeout.
func (g *giteaForge) describe(r *giteatest.Run) string {
	if r == nil {
		return "the forge has no such run"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	jobs, err := g.repo.RunJobs(ctx, r.ID)
	if err != nil {
		return fmt.Sprintf("run %d is %s; its jobs: %v", r.ID, r.Status, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "run %d is %s; jobs:", r.ID, r.Status)
	for _, j := range jobs {
		fmt.Fprintf(&b, " %q %s %s (runner %q);", j.Name, j.Status, j.Conclusion, j.RunnerName)
	}
	return b.String()
}

func (g *giteaForge) Jobs(ctx context.Context, run Run) ([]Job, error) {
	jobs, err := g.repo.RunJobs(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Job, len(jobs))
	for i, j := range jobs {
		out[i] = Job{ID: j.ID, Name: j.Name, Conclusion: j.Conclusion, Status: j.Status}
	}
	return out, nil
}

func (g *giteaForge) Log(ctx context.Context, job Job) (string, error) {
	return g.repo.JobLog(ctx, job.ID)
}
