package forgetest_test

import (
	"context"
	"net/http"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"code.gitea.io/actions-proto-go/runner/v1/runnerv1connect"
	"connectrpc.com/connect"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

const workflow = `name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - run: echo two
`

// client is a bare connect client for one runner: the wire as a runner
// sees it, without package forge.
type client struct {
	runnerv1connect.RunnerServiceClient
}

func newClient(srv *forgetest.Server, uuid, token string) client {
	auth := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("x-runner-uuid", uuid)
			req.Header().Set("x-runner-token", token)
			return next(ctx, req)
		}
	})
	return client{runnerv1connect.NewRunnerServiceClient(http.DefaultClient, srv.URL()+"/api/actions", connect.WithInterceptors(auth))}
}

// runner adds a runner and returns a client for it.
func runner(t *testing.T, srv *forgetest.Server, labels ...string) (client, forgetest.RunnerRecord) {
	t.Helper()
	r := srv.AddRunner("r", labels)
	return newClient(srv, r.UUID, r.Token), r
}

func (c client) fetch(t *testing.T, version int64) (*runnerv1.Task, int64) {
	t.Helper()
	resp, err := c.FetchTask(t.Context(), connect.NewRequest(&runnerv1.FetchTaskRequest{TasksVersion: version}))
	if err != nil {
		t.Fatalf("FetchTask(%d) = %v", version, err)
	}
	return resp.Msg.GetTask(), resp.Msg.GetTasksVersion()
}

func (c client) log(ctx context.Context, task, index int64, noMore bool, contents ...string) (int64, error) {
	rows := make([]*runnerv1.LogRow, len(contents))
	for i, s := range contents {
		rows[i] = &runnerv1.LogRow{Content: s}
	}
	resp, err := c.UpdateLog(ctx, connect.NewRequest(&runnerv1.UpdateLogRequest{TaskId: task, Index: index, Rows: rows, NoMore: noMore}))
	if err != nil {
		return 0, err
	}
	return resp.Msg.GetAckIndex(), nil
}

func (c client) update(t *testing.T, state *runnerv1.TaskState, outputs map[string]string) *runnerv1.UpdateTaskResponse {
	t.Helper()
	resp, err := c.UpdateTask(t.Context(), connect.NewRequest(&runnerv1.UpdateTaskRequest{State: state, Outputs: outputs}))
	if err != nil {
		t.Fatalf("UpdateTask(%v) = %v", state, err)
	}
	return resp.Msg
}

// started adds the workflow task and has a runner with its label take it.
func started(t *testing.T, srv *forgetest.Server) (client, int64) {
	t.Helper()
	c, _ := runner(t, srv, "ubuntu-latest")
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	if task, _ := c.fetch(t, 0); task.GetId() != id {
		t.Fatalf("FetchTask got task %d, want %d", task.GetId(), id)
	}
	return c, id
}

func contents(rows []forgetest.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Content
	}
	return out
}
