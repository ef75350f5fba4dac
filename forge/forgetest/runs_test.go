package forgetest_test

import (
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestAddRunTriggers(t *testing.T) {
	t.Parallel()
	const steps = "\njobs:\n  j:\n    runs-on: x\n    steps: [{run: x}]\n"
	workflows := map[string]string{
		"any-push.yml":      "on: push" + steps,
		"main-only.yml":     "on:\n  push:\n    branches: [main]" + steps,
		"not-main.yml":      "on:\n  push:\n    branches-ignore: [main]" + steps,
		"tags.yml":          "on:\n  push:\n    tags: ['v*']" + steps,
		"docs.yml":          "on:\n  push:\n    paths: ['docs/**']" + steps,
		"pr-default.yml":    "on: [pull_request]" + steps,
		"pr-closed.yml":     "on:\n  pull_request:\n    types: [closed]" + steps,
		"pr-to-release.yml": "on:\n  pull_request:\n    branches: ['release/*']" + steps,
		"called.yml":        "on:\n  workflow_call:\n    inputs:\n      a: {type: string}" + steps,
		"dispatch.yml":      "on: workflow_dispatch" + steps,
		"broken.yml":        "on: [push" + steps,
	}
	tests := []struct {
		name string
		spec forgetest.RunSpec
		want []string
	}{
		{"push to main", forgetest.RunSpec{}, []string{"any-push.yml", "main-only.yml"}},
		{"push to a branch", forgetest.RunSpec{Ref: "refs/heads/dev"}, []string{"any-push.yml", "not-main.yml"}},
		// As Gitea, paths filters do not apply to a tag.
		{"push of a tag", forgetest.RunSpec{Ref: "refs/tags/v1"}, []string{"any-push.yml", "docs.yml", "tags.yml"}},
		{"push changing docs", forgetest.RunSpec{Ref: "refs/heads/dev", ChangedFiles: []string{"docs/a.md"}}, []string{"any-push.yml", "docs.yml", "not-main.yml"}},
		{"pull request opened", forgetest.RunSpec{EventName: "pull_request"}, []string{"pr-default.yml"}},
		{"pull request closed", forgetest.RunSpec{EventName: "pull_request", PullRequest: forgetest.PullRequest{Action: "closed"}}, []string{"pr-closed.yml"}},
		{"pull request to a release branch", forgetest.RunSpec{EventName: "pull_request", PullRequest: forgetest.PullRequest{Base: "release/1", Action: "synchronized"}}, []string{"pr-default.yml", "pr-to-release.yml"}},
		{"dispatch", forgetest.RunSpec{EventName: "workflow_dispatch", Workflow: "dispatch.yml"}, []string{"dispatch.yml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			tt.spec.Workflows = workflows
			var got []string
			for _, r := range srv.AddRun(tt.spec) {
				got = append(got, r.Workflow)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("runs (-got +want):\n%s", diff)
			}
		})
	}
}

// TestRunNeedsOfAMatrix: a job needing a matrix job waits for every
// combination, gets their outputs merged and their aggregated result, and
// is skipped unless it has an if: when one of them failed.
func TestRunNeedsOfAMatrix(t *testing.T) {
	t.Parallel()
	const wf = `on: push
jobs:
  t:
    runs-on: x
    strategy: {matrix: {n: [1, 2]}}
    steps: [{run: x}]
  always:
    needs: t
    if: always()
    runs-on: x
    steps: [{run: x}]
  default:
    needs: [t]
    runs-on: x
    steps: [{run: x}]
`
	srv := forgetest.New(t)
	c, _ := runner(t, srv, "x")
	runs := srv.AddRun(forgetest.RunSpec{Workflows: map[string]string{"ci.yml": wf}})
	if len(runs) != 1 || len(runs[0].Jobs) != 4 {
		t.Fatalf("AddRun = %+v, want one run with 4 jobs", runs)
	}
	first, _ := c.fetch(t, 0)
	second, _ := c.fetch(t, 0)
	if next, _ := c.fetch(t, 0); next != nil {
		t.Fatalf("fetched %v while the matrix runs, want nothing: the other jobs are blocked", next.GetContext().AsMap()["job"])
	}
	c.update(t, &runnerv1.TaskState{Id: first.GetId(), Result: runnerv1.Result_RESULT_SUCCESS}, map[string]string{"a": "1", "b": ""})
	c.update(t, &runnerv1.TaskState{Id: second.GetId(), Result: runnerv1.Result_RESULT_FAILURE}, map[string]string{"b": "2"})

	task, _ := c.fetch(t, 0)
	if job := task.GetContext().AsMap()["job"]; job != "always" {
		t.Fatalf("fetched %v, want always", job)
	}
	need := task.GetNeeds()["t"]
	wantOutputs := map[string]string{"b": "2"} // Gitea keeps the later combination's keys
	if need.GetResult() != runnerv1.Result_RESULT_FAILURE || !cmp.Equal(need.GetOutputs(), wantOutputs) {
		t.Errorf("needs.t = %v %v, want failure %v", need.GetResult(), need.GetOutputs(), wantOutputs)
	}
	run := srv.Run(runs[0].ID)
	if j, ok := run.Job("t", map[string]any{"n": 2}); !ok || j.Status != forgetest.StatusFailure || j.Name != "t (2)" {
		t.Errorf("Job(t, n=2) = %+v, %t; want the failed combination named \"t (2)\"", j, ok)
	}
	if j, _ := run.Job("default", nil); j.Status != forgetest.StatusSkipped || j.ID != 0 {
		t.Errorf("default = %s (task %d), want skipped and never handed out", j.Status, j.ID)
	}
	c.update(t, &runnerv1.TaskState{Id: task.GetId(), Result: runnerv1.Result_RESULT_SUCCESS}, nil)
	if rec, err := srv.WaitRun(t.Context(), runs[0].ID); err != nil || rec.Status != forgetest.StatusFailure {
		t.Errorf("WaitRun = %s, %v; want failure", rec.Status, err)
	}
}

// TestPushCancelsThePreviousRun: a new push of a workflow to a ref
// cancels what is not done of the earlier run on that ref.
func TestPushCancelsThePreviousRun(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, _ := runner(t, srv, "ubuntu-latest")
	spec := forgetest.RunSpec{Workflows: map[string]string{"ci.yml": workflow}}
	old := srv.AddRun(spec)[0]
	task, _ := c.fetch(t, 0)
	other := spec
	other.Ref = "refs/heads/other"
	unrelated := srv.AddRun(other)[0]
	srv.AddRun(spec)
	if got := srv.Run(old.ID).Status; got != forgetest.StatusCancelled {
		t.Errorf("earlier run on main: %s, want cancelled", got)
	}
	resp := c.update(t, &runnerv1.TaskState{Id: task.GetId()}, nil)
	if resp.GetState().GetResult() != runnerv1.Result_RESULT_CANCELLED {
		t.Errorf("UpdateTask reply for the cancelled run's task = %v, want CANCELLED", resp.GetState().GetResult())
	}
	if got := srv.Run(unrelated.ID).Status; got != forgetest.StatusWaiting {
		t.Errorf("run on another ref: %s, want waiting", got)
	}
}
