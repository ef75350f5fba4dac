package forge

import (
	"context"
	"errors"
	"fmt"

	pingv1 "code.gitea.io/actions-proto-go/ping/v1"
	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
)

// Ping implements Client.
func (c *ConnectClient) Ping(ctx context.Context, data string) error {
	if c.configErr != nil {
		return c.configErr
	}
	_, err := c.ping.Ping(ctx, versioned(c, connect.NewRequest(&pingv1.PingRequest{Data: data})))
	return c.wrap("pinging the forge at "+RedactURL(c.cfg.Address), err)
}

// Register implements Client.
func (c *ConnectClient) Register(ctx context.Context, req *runnerv1.RegisterRequest) (*runnerv1.Runner, error) {
	if c.configErr != nil {
		return nil, c.configErr
	}
	if req == nil {
		req = &runnerv1.RegisterRequest{}
	}
	req = proto.CloneOf(req)
	req.Labels = LabelNames(req.GetLabels())
	if req.GetVersion() == "" {
		req.Version = c.cfg.Version
	}
	resp, err := c.runner.Register(ctx, versioned(c, connect.NewRequest(req)))
	if err != nil {
		return nil, c.wrap("registering with the forge at "+RedactURL(c.cfg.Address), err)
	}
	if resp.Msg.GetRunner().GetUuid() == "" {
		return nil, errors.New("registering with the forge: the reply holds no runner; is the address a Forgejo or Gitea instance?")
	}
	return resp.Msg.GetRunner(), nil
}

// Declare implements Client.
func (c *ConnectClient) Declare(ctx context.Context, version string, labels []string) error {
	if c.configErr != nil {
		return c.configErr
	}
	req := connect.NewRequest(&runnerv1.DeclareRequest{Version: version, Labels: LabelNames(labels)})
	_, err := c.runner.Declare(ctx, authorize(c, req))
	return c.wrap("declaring the runner's version and labels", err)
}

// FetchTask implements Client.
func (c *ConnectClient) FetchTask(ctx context.Context, tasksVersion int64) (*runnerv1.Task, int64, error) {
	if c.configErr != nil {
		return nil, tasksVersion, c.configErr
	}
	req := connect.NewRequest(&runnerv1.FetchTaskRequest{TasksVersion: tasksVersion})
	resp, err := c.runner.FetchTask(ctx, authorize(c, req))
	if err != nil {
		return nil, tasksVersion, c.wrap("fetching a task", err)
	}
	return resp.Msg.GetTask(), resp.Msg.GetTasksVersion(), nil
}

// UpdateTask implements Client.
func (c *ConnectClient) UpdateTask(ctx context.Context, state *runnerv1.TaskState, outputs map[string]string) (*runnerv1.UpdateTaskResponse, error) {
	if c.configErr != nil {
		return nil, c.configErr
	}
	req := connect.NewRequest(&runnerv1.UpdateTaskRequest{State: state, Outputs: outputs})
	resp, err := c.runner.UpdateTask(ctx, authorize(c, req))
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("reporting the state of task %d", state.GetId()), err)
	}
	return resp.Msg, nil
}

// UpdateLog implements Client.
func (c *ConnectClient) UpdateLog(ctx context.Context, taskID, index int64, rows []*runnerv1.LogRow, noMore bool) (int64, error) {
	if c.configErr != nil {
		return 0, c.configErr
	}
	req := connect.NewRequest(&runnerv1.UpdateLogRequest{TaskId: taskID, Index: index, Rows: rows, NoMore: noMore})
	resp, err := c.runner.UpdateLog(ctx, authorize(c, req))
	if err != nil {
		return 0, c.wrap(fmt.Sprintf("sending log rows %d.. of task %d", index, taskID), err)
	}
	return resp.Msg.GetAckIndex(), nil
}
