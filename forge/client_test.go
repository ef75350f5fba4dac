package forge_test

import (
	"errors"
	"slices"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"codeberg.org/anvil-ci/anvil/forge"
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

// registered adds a runner to srv and returns a client with its
// credentials.
func registered(t *testing.T, srv *forgetest.Server, labels ...string) (*forge.ConnectClient, forgetest.RunnerRecord) {
	t.Helper()
	r := srv.AddRunner("runner-"+t.Name(), labels)
	return forge.New(forge.Config{Address: srv.URL(), UUID: r.UUID, Token: r.Token, Version: "v-test"}), r
}

func TestPing(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c := forge.New(forge.Config{Address: srv.URL()})
	if err := c.Ping(t.Context(), "anvil"); err != nil {
		t.Fatalf("Ping() = %v, want nil", err)
	}
	if got := srv.Requests(forgetest.MethodPing); got != 1 {
		t.Errorf("Requests(Ping) = %d, want 1", got)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	srv.AddRegistrationToken("reg-token")
	c := forge.New(forge.Config{Address: srv.URL() + "/", Version: "v1.2.3"})

	var uuids []string
	for _, name := range []string{"first", "second"} { // one token, many runners
		r, err := c.Register(t.Context(), &runnerv1.RegisterRequest{
			Name: name, Token: "reg-token", Labels: []string{"ubuntu-latest:docker://node:20", "self-hosted"}, Ephemeral: name == "second",
		})
		if err != nil {
			t.Fatalf("Register(%s) = %v", name, err)
		}
		if r.GetUuid() == "" || r.GetToken() == "" || r.GetName() != name || r.GetVersion() != "v1.2.3" || r.GetEphemeral() != (name == "second") {
			t.Errorf("Register(%s) = %v, want uuid, token, name, version v1.2.3 and ephemeral", name, r)
		}
		uuids = append(uuids, r.GetUuid())
		rec, ok := srv.Runner(r.GetUuid())
		if !ok || !slices.Equal(rec.Labels, []string{"ubuntu-latest", "self-hosted"}) {
			t.Errorf("Runner(%s) = %+v, %t; want the label names", name, rec, ok)
		}
	}
	if uuids[0] == uuids[1] {
		t.Errorf("two registrations got the same uuid %s", uuids[0])
	}
}

func TestDeclare(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, r := registered(t, srv, "old")
	if err := c.Declare(t.Context(), "v9", []string{"a:host", "b"}); err != nil {
		t.Fatalf("Declare() = %v", err)
	}
	rec, _ := srv.Runner(r.UUID)
	if rec.Version != "v9" || !slices.Equal(rec.Labels, []string{"a", "b"}) || rec.Declares != 1 {
		t.Errorf("after Declare, runner = %+v; want version v9, labels [a b], 1 declare", rec)
	}

	old := forgetest.New(t, forgetest.WithoutDeclare())
	c, _ = registered(t, old)
	if err := c.Declare(t.Context(), "v9", nil); !errors.Is(err, forge.ErrUnimplemented) {
		t.Errorf("Declare() on a forge without Declare = %v, want ErrUnimplemented", err)
	}
}

func TestFetchTask(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, r := registered(t, srv, "ubuntu-latest")
	ctx := t.Context()

	task, version, err := c.FetchTask(ctx, 0)
	if err != nil || task != nil || version == 0 {
		t.Fatalf("FetchTask(0) with no work = %v, %d, %v; want no task, a non-zero version", task, version, err)
	}
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow, Secrets: map[string]string{"S": "v"}, Vars: map[string]string{"V": "w"}})
	task, next, err := c.FetchTask(ctx, version)
	if err != nil || task == nil || next == version {
		t.Fatalf("FetchTask(%d) after AddTask = %v, %d, %v; want the task and a new version", version, task, next, err)
	}
	rec := srv.Task(id)
	if task.GetId() != id || string(task.GetWorkflowPayload()) != string(rec.Payload) {
		t.Errorf("task = id %d payload %q; want id %d and the forge's payload %q", task.GetId(), task.GetWorkflowPayload(), id, rec.Payload)
	}
	want := map[string]string{"S": "v", "GITHUB_TOKEN": rec.Token, "GITEA_TOKEN": rec.Token, "FORGEJO_TOKEN": rec.Token}
	if diff := cmp.Diff(task.GetSecrets(), want); diff != "" {
		t.Errorf("task secrets (-got +want):\n%s", diff)
	}
	if got := task.GetContext().GetFields()["token"].GetStringValue(); got != rec.Token {
		t.Errorf("context token = %q, want the job token", got)
	}
	if rec.RunnerUUID != r.UUID || rec.Status != forgetest.StatusRunning {
		t.Errorf("task record = runner %q status %s; want %q running", rec.RunnerUUID, rec.Status, r.UUID)
	}
	task, _, err = c.FetchTask(ctx, 0)
	if err != nil || task != nil {
		t.Errorf("FetchTask(0) with the only task taken = %v, %v; want nothing", task, err)
	}
}

func TestUpdateTaskAndLog(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, _ := registered(t, srv, "ubuntu-latest")
	ctx := t.Context()
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	if task, _, err := c.FetchTask(ctx, 0); err != nil || task.GetId() != id {
		t.Fatalf("FetchTask = %v, %v", task, err)
	}
	now := timestamppb.Now()
	rows := []*runnerv1.LogRow{{Time: now, Content: "a"}, {Time: now, Content: "b"}, {Time: now, Content: "c"}}
	if ack, err := c.UpdateLog(ctx, id, 0, rows[:2], false); err != nil || ack != 2 {
		t.Fatalf("UpdateLog(0, 2 rows) = %d, %v; want 2", ack, err)
	}
	if ack, err := c.UpdateLog(ctx, id, 1, rows[1:], true); err != nil || ack != 3 {
		t.Fatalf("UpdateLog(1, 2 rows, no_more) = %d, %v; want 3", ack, err)
	}
	resp, err := c.UpdateTask(ctx, &runnerv1.TaskState{
		Id: id, Result: runnerv1.Result_RESULT_SUCCESS, StartedAt: now, StoppedAt: now,
		Steps: []*runnerv1.StepState{{Id: 0, Result: runnerv1.Result_RESULT_SUCCESS, LogIndex: 0, LogLength: 2}},
	}, map[string]string{"out": "value"})
	if err != nil {
		t.Fatalf("UpdateTask = %v", err)
	}
	if resp.GetState().GetResult() != runnerv1.Result_RESULT_SUCCESS || !slices.Equal(resp.GetSentOutputs(), []string{"out"}) {
		t.Errorf("UpdateTask reply = %v; want result SUCCESS and sent_outputs [out]", resp)
	}
	rec := srv.Task(id)
	var contents []string
	for _, row := range rec.Rows {
		contents = append(contents, row.Content)
	}
	if !slices.Equal(contents, []string{"a", "b", "c"}) || !rec.LogClosed || rec.Status != forgetest.StatusSuccess || rec.Outputs["out"] != "value" {
		t.Errorf("task = rows %q closed %t status %s outputs %v; want a b c, closed, success, out=value", contents, rec.LogClosed, rec.Status, rec.Outputs)
	}
	if rec.Steps[0].LogLength != 2 || rec.Steps[0].Result != runnerv1.Result_RESULT_SUCCESS {
		t.Errorf("step 0 = %+v; want SUCCESS with 2 log rows", rec.Steps[0])
	}
}
