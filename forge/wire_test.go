package forge_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

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
	if err != nil || task.GetId() != id || string(task.GetWorkflowPayload()) != string(srv.Task(id).Payload) {
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
