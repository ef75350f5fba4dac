package forgetest_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestTasksVersion(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, r := runner(t, srv, "other")
	task, v1 := c.fetch(t, 0)
	if task != nil || v1 == 0 {
		t.Fatalf("first FetchTask = %v, version %d; want none and a non-zero version", task, v1)
	}
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow}) // runs-on ubuntu-latest
	task, v2 := c.fetch(t, v1)
	if task != nil || v2 == v1 {
		t.Fatalf("FetchTask(%d) with no matching task = %v, %d; want none and a new version", v1, task, v2)
	}
	// The runner gains the label, but the forge only looks for work when
	// the versions differ.
	if _, err := c.Declare(t.Context(), connect.NewRequest(&runnerv1.DeclareRequest{Labels: []string{"ubuntu-latest"}})); err != nil {
		t.Fatal(err)
	}
	if task, v := c.fetch(t, v2); task != nil || v != v2 {
		t.Fatalf("FetchTask(%d) with an unchanged version = %v, %d; want nothing, %d", v2, task, v, v2)
	}
	if task, _ := c.fetch(t, 0); task.GetId() != id {
		t.Fatalf("FetchTask(0) = %v, want task %d", task, id)
	}
	if got := srv.Task(id).RunnerUUID; got != r.UUID {
		t.Errorf("task assigned to %q, want %q", got, r.UUID)
	}
}

func TestLabelMatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		runsOn []string
		labels []string
		match  bool
	}{
		{name: "same label", runsOn: []string{"ubuntu-latest"}, labels: []string{"ubuntu-latest"}, match: true},
		{name: "all of several", runsOn: []string{"a", "b"}, labels: []string{"b", "c", "a"}, match: true},
		{name: "one missing", runsOn: []string{"a", "b"}, labels: []string{"a"}},
		{name: "full label is not a name", runsOn: []string{"ubuntu-latest"}, labels: []string{"ubuntu-latest:docker://node:20"}},
		{name: "case matters", runsOn: []string{"Ubuntu"}, labels: []string{"ubuntu"}},
		{name: "no runs-on", runsOn: []string{}, labels: []string{"x"}, match: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			c, _ := runner(t, srv, tt.labels...)
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow, RunsOn: tt.runsOn})
			task, _ := c.fetch(t, 0)
			if got := task.GetId() == id; got != tt.match {
				t.Errorf("runs-on %q, runner labels %q: got task = %t, want %t", tt.runsOn, tt.labels, got, tt.match)
			}
		})
	}
}

func TestFetchTaskIsNotIdempotent(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, r := runner(t, srv, "ubuntu-latest")
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	srv.DropReply(forgetest.MethodFetchTask, 1)
	if _, err := c.FetchTask(t.Context(), connect.NewRequest(&runnerv1.FetchTaskRequest{})); err == nil {
		t.Fatal("FetchTask with its reply dropped succeeded")
	}
	rec := srv.Task(id)
	if rec.Status != forgetest.StatusRunning || rec.RunnerUUID != r.UUID {
		t.Errorf("task after a lost reply: status %s runner %q; want running on %q (lost)", rec.Status, rec.RunnerUUID, r.UUID)
	}
	if task, _ := c.fetch(t, 0); task != nil {
		t.Errorf("retried FetchTask got task %d, want none: the lost task is never handed out again", task.GetId())
	}
}

func TestConcurrentFetchesHandOutEachTaskOnce(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	const tasks, runners = 20, 4
	for range tasks {
		srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	}
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	for range runners {
		c, _ := runner(t, srv, "ubuntu-latest")
		wg.Go(func() {
			for {
				task, _ := c.fetch(t, 0)
				if task == nil {
					return
				}
				mu.Lock()
				got[task.GetId()]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id := int64(1); id <= tasks; id++ {
		if got[id] != 1 {
			t.Errorf("task %d handed out %d times, want once", id, got[id])
		}
	}
}

func TestTaskPayloadAndContext(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t, forgetest.WithDefaultActionsURL("http://mirror.test"))
	c, _ := runner(t, srv, "ubuntu-latest", "big")
	const twoJobs = `name: ci
on: push
env:
  TOP: level
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: lint
  build:
    runs-on: [ubuntu-latest, big]
    needs: lint
    steps:
      - run: make
`
	id := srv.AddTask(forgetest.TaskSpec{
		WorkflowYAML: twoJobs, JobID: "build",
		Context: map[string]any{"event_name": "workflow_dispatch", "ref_protected": nil, "event": map[string]any{"inputs": map[string]string{"a": "b"}}},
		Secrets: map[string]string{"GITHUB_TOKEN": "overridden", "MINE": "m"},
		Needs:   map[string]forgetest.Need{"lint": {Outputs: map[string]string{"o": "1"}, Result: runnerv1.Result_RESULT_SUCCESS}},
	})
	task, _ := c.fetch(t, 0)
	if task.GetId() != id {
		t.Fatalf("FetchTask got %v, want task %d", task, id)
	}
	// As Gitea: only the job, without its needs, 4-space indented, "on"
	// quoted (the key is a YAML 1.1 boolean).
	const wantPayload = `name: ci
"on": push
env:
    TOP: level
jobs:
    build:
        name: build
        runs-on:
            - ubuntu-latest
            - big
        steps:
            - run: make
`
	if diff := cmp.Diff(string(task.GetWorkflowPayload()), wantPayload); diff != "" {
		t.Errorf("payload (-got +want):\n%s", diff)
	}
	fields := task.GetContext().AsMap()
	token := srv.Task(id).Token
	for key, want := range map[string]any{
		"job": "build", "event_name": "workflow_dispatch", "token": token, "server_url": srv.URL() + "/",
		"api_url": srv.URL() + "/api/v1", "gitea_default_actions_url": "http://mirror.test", "ref": "refs/heads/main",
		"repository": "forgetest/repo", "run_attempt": "1",
	} {
		if fields[key] != want {
			t.Errorf("context[%s] = %v, want %v", key, fields[key], want)
		}
	}
	if _, ok := fields["ref_protected"]; ok {
		t.Errorf("context has ref_protected, which the spec removed")
	}
	if event, _ := fields["event"].(map[string]any); event["inputs"] == nil {
		t.Errorf("context event = %v, want the spec's", fields["event"])
	}
	for _, key := range []string{"sha", "run_id", "gitea_runtime_token", "actor", "repository_owner", "ref_name", "ref_type", "workflow"} {
		if s, _ := fields[key].(string); s == "" {
			t.Errorf("context[%s] is empty", key)
		}
	}
	wantSecrets := map[string]string{"GITHUB_TOKEN": token, "GITEA_TOKEN": token, "FORGEJO_TOKEN": token, "MINE": "m"}
	if diff := cmp.Diff(task.GetSecrets(), wantSecrets); diff != "" {
		t.Errorf("secrets (-got +want):\n%s", diff)
	}
	if n := task.GetNeeds()["lint"]; n.GetResult() != runnerv1.Result_RESULT_SUCCESS || n.GetOutputs()["o"] != "1" {
		t.Errorf("needs = %v, want lint: success, o=1", task.GetNeeds())
	}
}

func TestNeedsChain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		result     runnerv1.Result
		dependent  string // job YAML of the dependent
		wantStatus forgetest.Status
	}{
		{name: "success runs it", result: runnerv1.Result_RESULT_SUCCESS, dependent: "    steps: [{run: x}]\n", wantStatus: forgetest.StatusRunning},
		{name: "failure skips it", result: runnerv1.Result_RESULT_FAILURE, dependent: "    steps: [{run: x}]\n", wantStatus: forgetest.StatusSkipped},
		{name: "failure with if runs it", result: runnerv1.Result_RESULT_FAILURE, dependent: "    if: always()\n    steps: [{run: x}]\n", wantStatus: forgetest.StatusRunning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			c, _ := runner(t, srv, "ubuntu-latest")
			first := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
			second := srv.AddTask(forgetest.TaskSpec{
				WorkflowYAML: "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    needs: build\n" + tt.dependent,
				Needs:        map[string]forgetest.Need{"build": {Task: first}},
			})
			if got := srv.Task(second).Status; got != forgetest.StatusBlocked {
				t.Fatalf("dependent status = %s, want blocked", got)
			}
			if task, _ := c.fetch(t, 0); task.GetId() != first {
				t.Fatalf("fetched %v, want task %d", task, first)
			}
			task, version := c.fetch(t, 0)
			if task != nil {
				t.Fatalf("fetched blocked task %d", task.GetId())
			}
			c.update(t, &runnerv1.TaskState{Id: first, Result: tt.result}, map[string]string{"artifact": "a.tgz"})
			// Same version: only a dependent that became waiting changes it.
			task, _ = c.fetch(t, version)
			rec := srv.Task(second)
			if rec.Status != tt.wantStatus {
				t.Fatalf("dependent status = %s, want %s", rec.Status, tt.wantStatus)
			}
			if tt.wantStatus != forgetest.StatusRunning {
				if task != nil {
					t.Errorf("fetched task %d, want none", task.GetId())
				}
				return
			}
			need := task.GetNeeds()["build"]
			if task.GetId() != second || need.GetResult() != tt.result || need.GetOutputs()["artifact"] != "a.tgz" {
				t.Errorf("fetched %d with needs %v; want %d with build's result and outputs", task.GetId(), task.GetNeeds(), second)
			}
			if got := task.GetContext().AsMap()["run_id"]; got != "1" {
				t.Errorf("run_id of the dependent = %v, want 1, the first task's run", got)
			}
		})
	}
}

func TestEphemeralRunner(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	srv.AddRegistrationToken("tok")
	resp, err := newClient(srv, "", "").Register(t.Context(), connect.NewRequest(&runnerv1.RegisterRequest{
		Name: "once", Token: "tok", Labels: []string{"ubuntu-latest"}, Ephemeral: true,
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Msg.GetRunner()
	c := newClient(srv, r.GetUuid(), r.GetToken())
	first := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	if task, _ := c.fetch(t, 0); task.GetId() != first {
		t.Fatalf("fetched %v, want task %d", task, first)
	}
	if task, _ := c.fetch(t, 0); task != nil {
		t.Fatalf("ephemeral runner got a second task %d", task.GetId())
	}
	c.update(t, &runnerv1.TaskState{Id: first, Result: runnerv1.Result_RESULT_SUCCESS}, nil)
	_, err = c.FetchTask(t.Context(), connect.NewRequest(&runnerv1.FetchTaskRequest{}))
	if err == nil || !strings.Contains(err.Error(), "runner has been removed") {
		t.Errorf("FetchTask after its task = %v, want \"runner has been removed\"", err)
	}
	_, err = c.FetchTask(t.Context(), connect.NewRequest(&runnerv1.FetchTaskRequest{}))
	var ce *connect.Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Message(), "unregistered runner") {
		t.Errorf("FetchTask after removal = %v, want unregistered runner", err)
	}
	if runners := srv.Runners(); slices.ContainsFunc(runners, func(x forgetest.RunnerRecord) bool { return x.UUID == r.GetUuid() }) {
		t.Errorf("ephemeral runner still registered")
	}
}
