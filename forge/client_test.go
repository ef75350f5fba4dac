package forge_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

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
			Name: name, Token: "reg-token", Labels: []string{"ubuntu-latest", "self-hosted"}, Ephemeral: name == "second",
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
			t.Errorf("Runner(%s) = %+v, %t; want the labels sent", name, rec, ok)
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
	if err := c.Declare(t.Context(), "v9", []string{"a", "b"}); err != nil {
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
	if task.GetId() != id || string(task.GetWorkflowPayload()) != workflow {
		t.Errorf("task = id %d payload %q; want id %d and the workflow", task.GetId(), task.GetWorkflowPayload(), id)
	}
	rec := srv.Task(id)
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

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tests := []struct {
		name string
		call func(t *testing.T) error
		want error // a class, or nil for fatal
		also error // another error the result must match
	}{{
		name: "wrong token is unregistered",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			r := srv.AddRunner("r", nil)
			c := forge.New(forge.Config{Address: srv.URL(), UUID: r.UUID, Token: "wrong"})
			_, _, err := c.FetchTask(ctx, 0)
			return err
		},
		want: forge.ErrUnregistered,
	}, {
		name: "deleted runner is unregistered",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, r := registered(t, srv)
			srv.DeleteRunner(r.UUID)
			return c.Declare(ctx, "v", nil)
		},
		want: forge.ErrUnregistered,
	}, {
		name: "unknown registration token",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c := forge.New(forge.Config{Address: srv.URL()})
			_, err := c.Register(ctx, &runnerv1.RegisterRequest{Name: "n", Token: "nope"})
			return err
		},
		want: forge.ErrBadRegistrationToken,
	}, {
		name: "register without a name is fatal",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c := forge.New(forge.Config{Address: srv.URL()})
			_, err := c.Register(ctx, &runnerv1.RegisterRequest{Token: "tok"})
			return err
		},
	}, {
		name: "503 is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Unavailable(time.Minute)
			_, _, err := c.FetchTask(ctx, 0)
			return err
		},
		want: forge.ErrRetryable,
	}, {
		name: "connection reset is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Refuse(forgetest.MethodUpdateLog, 1)
			_, err := c.UpdateLog(ctx, 1, 0, nil, false)
			return err
		},
		want: forge.ErrRetryable,
	}, {
		name: "dropped reply is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.DropReply("", 1)
			return c.Ping(ctx, "x")
		},
		want: forge.ErrRetryable,
	}, {
		name: "deadline is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Delay(forgetest.MethodFetchTask, time.Minute)
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, _, err := c.FetchTask(short, 0)
			return err
		},
		want: forge.ErrRetryable,
		also: context.DeadlineExceeded,
	}, {
		name: "forge down is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Close()
			return c.Ping(ctx, "x")
		},
		want: forge.ErrRetryable,
	}, {
		name: "server-side failure (HTTP 500) is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			_, err := c.UpdateTask(ctx, &runnerv1.TaskState{Id: 42}, nil) // "update task: task 42 does not exist"
			return err
		},
		want: forge.ErrRetryable,
	}, {
		name: "new rows after no_more are fatal",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv, "ubuntu-latest")
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
			if _, _, err := c.FetchTask(ctx, 0); err != nil {
				return err
			}
			row := []*runnerv1.LogRow{{Content: "x"}}
			if _, err := c.UpdateLog(ctx, id, 0, row, true); err != nil {
				return err
			}
			_, err := c.UpdateLog(ctx, id, 1, row, false)
			return err
		},
	}, {
		name: "wrong instance path is unimplemented",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			return forge.New(forge.Config{Address: srv.URL() + "/not-the-forge"}).Ping(ctx, "x")
		},
		want: forge.ErrUnimplemented,
	}, {
		name: "malformed address is fatal",
		call: func(t *testing.T) error {
			return forge.New(forge.Config{Address: "forge.example"}).Ping(ctx, "x")
		},
	}, {
		name: "cancelled context has no class",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, _, err := c.FetchTask(cctx, 0)
			return err
		},
		also: context.Canceled,
	}}
	classes := []error{forge.ErrUnregistered, forge.ErrBadRegistrationToken, forge.ErrRetryable, forge.ErrUnimplemented}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call(t)
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			for _, class := range classes {
				if got, want := errors.Is(err, class), class == tt.want; got != want {
					t.Errorf("errors.Is(%v, %v) = %t, want %t", err, class, got, want)
				}
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tt.also)
			}
		})
	}
}

// recorder is a RoundTripper that keeps each call's request and reply
// headers.
type recorder struct {
	mu    sync.Mutex
	calls []recorded
}

type recorded struct {
	path     string
	req, rep http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, recorded{path: req.URL.Path, req: req.Header.Clone(), rep: resp.Header.Clone()})
	return resp, nil
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	srv.AddRegistrationToken("tok")
	rec := &recorder{}
	ctx := t.Context()
	anon := forge.New(forge.Config{Address: srv.URL(), HTTPClient: &http.Client{Transport: rec}, Version: "v1"})
	if err := anon.Ping(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	r, err := anon.Register(ctx, &runnerv1.RegisterRequest{Name: "n", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	c := forge.New(forge.Config{Address: srv.URL(), UUID: r.GetUuid(), Token: r.GetToken(), HTTPClient: &http.Client{Transport: rec}, Version: "v1"})
	if err := c.Declare(ctx, "v1", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.FetchTask(ctx, 0); err != nil {
		t.Fatal(err)
	}
	_, _ = c.UpdateTask(ctx, &runnerv1.TaskState{Id: 1}, nil)
	_, _ = c.UpdateLog(ctx, 1, 0, nil, false)

	for _, call := range rec.calls {
		authed := call.req.Get(forge.HeaderUUID) == r.GetUuid() && call.req.Get(forge.HeaderToken) == r.GetToken()
		wantAuth := !slices.Contains([]string{"/api/actions/ping.v1.PingService/Ping", "/api/actions/runner.v1.RunnerService/Register"}, call.path)
		if authed != wantAuth {
			t.Errorf("%s: credentials sent = %t, want %t", call.path, authed, wantAuth)
		}
		if got := call.req.Get("Content-Type"); got != "application/proto" {
			t.Errorf("%s: Content-Type = %q, want application/proto", call.path, got)
		}
		if got := call.req.Get(forge.HeaderVersion); got != "v1" {
			t.Errorf("%s: %s = %q, want v1", call.path, forge.HeaderVersion, got)
		}
	}
	if len(rec.calls) != 6 {
		t.Errorf("recorded %d calls, want 6", len(rec.calls))
	}
}

func TestGzipReplies(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	rec := &recorder{}
	r := srv.AddRunner("r", []string{"ubuntu-latest"})
	c := forge.New(forge.Config{Address: srv.URL(), UUID: r.UUID, Token: r.Token, HTTPClient: &http.Client{Transport: rec}})
	big := workflow + "      - run: echo " + string(slices.Repeat([]byte("x"), 4096)) + "\n"
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: big})
	task, _, err := c.FetchTask(t.Context(), 0)
	if err != nil || task.GetId() != id || string(task.GetWorkflowPayload()) != big {
		t.Fatalf("FetchTask of a large task = %d, %v; want task %d with its payload intact", task.GetId(), err, id)
	}
	if err := c.Ping(t.Context(), "small"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"gzip", ""} {
		call := rec.calls[i]
		if !slices.Contains(call.req.Values("Accept-Encoding"), "gzip") {
			t.Errorf("%s: Accept-Encoding = %q, want gzip", call.path, call.req.Values("Accept-Encoding"))
		}
		if got := call.rep.Get("Content-Encoding"); got != want {
			t.Errorf("%s: reply Content-Encoding = %q, want %q", call.path, got, want)
		}
	}
}
