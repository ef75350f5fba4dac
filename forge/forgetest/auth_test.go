package forgetest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	pingv1 "code.gitea.io/actions-proto-go/ping/v1"
	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"google.golang.org/protobuf/proto"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// post sends a raw connect call and returns the HTTP status, the reply
// headers and the (decompressed) body.
func post(t *testing.T, url, contentType string, body []byte, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept-Encoding", "gzip")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if r, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

func TestAuthFailuresAreHTTP500WithText(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	r := srv.AddRunner("r", nil)
	gone := srv.AddRunner("gone", nil)
	srv.DeleteRunner(gone.UUID)
	fetch := srv.URL() + "/api/actions/runner.v1.RunnerService/FetchTask"
	tests := []struct {
		name   string
		header map[string]string
	}{
		{name: "no headers"},
		{name: "wrong token", header: map[string]string{"x-runner-uuid": r.UUID, "x-runner-token": "wrong"}},
		{name: "deleted runner", header: map[string]string{"x-runner-uuid": gone.UUID, "x-runner-token": gone.Token}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, _, body := post(t, fetch, "application/json", []byte(`{}`), tt.header)
			var e struct{ Code, Message string }
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body %q: %v", body, err)
			}
			if status != http.StatusInternalServerError || e.Code != "unknown" || !strings.Contains(e.Message, "unregistered runner") {
				t.Errorf("FetchTask = HTTP %d %+v; want 500, code unknown, message with \"unregistered runner\"", status, e)
			}
		})
	}
	status, _, _ := post(t, fetch, "application/json", []byte(`{}`), map[string]string{"x-runner-uuid": r.UUID, "x-runner-token": r.Token})
	if status != http.StatusOK {
		t.Errorf("FetchTask with the right credentials = HTTP %d, want 200", status)
	}
}

func TestRegistrationTokens(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	srv.AddRegistrationToken("good")
	register := srv.URL() + "/api/actions/runner.v1.RunnerService/Register"
	tests := []struct {
		name, body, wantCode, wantText string
	}{
		{name: "unknown token", body: `{"name":"n","token":"bad"}`, wantCode: "unknown", wantText: "runner registration token not found"},
		{name: "no name", body: `{"token":"good"}`, wantCode: "unknown", wantText: "missing runner token, name"},
		{name: "first runner", body: `{"name":"a","token":"good","labels":["x"]}`},
		{name: "second runner, same token", body: `{"name":"b","token":"good","labels":["y"]}`},
	}
	for _, tt := range tests {
		status, _, body := post(t, register, "application/json", []byte(tt.body), nil)
		var e struct{ Code, Message string }
		_ = json.Unmarshal(body, &e)
		if tt.wantCode == "" {
			if status != http.StatusOK {
				t.Errorf("%s: Register = HTTP %d %s, want 200", tt.name, status, body)
			}
			continue
		}
		if status != http.StatusInternalServerError || e.Code != tt.wantCode || e.Message != tt.wantText {
			t.Errorf("%s: Register = HTTP %d %+v; want 500 %s %q", tt.name, status, e, tt.wantCode, tt.wantText)
		}
	}
	if got := len(srv.Runners()); got != 2 {
		t.Errorf("runners registered = %d, want 2", got)
	}
}

func TestGzipFromOneKiB(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	r := srv.AddRunner("r", []string{"ubuntu-latest"})
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow + "      - run: echo " + strings.Repeat("x", 2048) + "\n"})
	big := string(srv.Task(id).Payload)
	auth := map[string]string{"x-runner-uuid": r.UUID, "x-runner-token": r.Token}

	req, _ := proto.Marshal(&pingv1.PingRequest{Data: "small"})
	_, header, body := post(t, srv.URL()+"/api/actions/ping.v1.PingService/Ping", "application/proto", req, nil)
	var pong pingv1.PingResponse
	if err := proto.Unmarshal(body, &pong); err != nil || pong.GetData() != "Hello, small!" || header.Get("Content-Encoding") != "" {
		t.Errorf("Ping = %q (%v), encoding %q; want \"Hello, small!\" uncompressed", pong.GetData(), err, header.Get("Content-Encoding"))
	}

	req, _ = proto.Marshal(&runnerv1.FetchTaskRequest{})
	_, header, body = post(t, srv.URL()+"/api/actions/runner.v1.RunnerService/FetchTask", "application/proto", req, auth)
	var fetched runnerv1.FetchTaskResponse
	if err := proto.Unmarshal(body, &fetched); err != nil || string(fetched.GetTask().GetWorkflowPayload()) != big {
		t.Errorf("FetchTask payload intact = %t (%v), want true", string(fetched.GetTask().GetWorkflowPayload()) == big, err)
	}
	if got := header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("FetchTask reply of %d bytes: Content-Encoding = %q, want gzip", len(body), got)
	}
}

func TestDeclare(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	r := srv.AddRunner("r", []string{"old"})
	auth := map[string]string{"x-runner-uuid": r.UUID, "x-runner-token": r.Token}
	declare := srv.URL() + "/api/actions/runner.v1.RunnerService/Declare"
	if status, _, body := post(t, declare, "application/json", []byte(`{"version":"v2","labels":["new"]}`), auth); status != http.StatusOK {
		t.Fatalf("Declare = HTTP %d %s", status, body)
	}
	got, _ := srv.Runner(r.UUID)
	if got.Version != "v2" || len(got.Labels) != 1 || got.Labels[0] != "new" {
		t.Errorf("runner after Declare = %+v; want version v2, labels [new]", got)
	}

	old := forgetest.New(t, forgetest.WithoutDeclare())
	r = old.AddRunner("r", nil)
	auth = map[string]string{"x-runner-uuid": r.UUID, "x-runner-token": r.Token}
	if status, _, _ := post(t, old.URL()+"/api/actions/runner.v1.RunnerService/Declare", "application/json", []byte(`{}`), auth); status != http.StatusNotFound {
		t.Errorf("Declare on a forge without it = HTTP %d, want 404", status)
	}
}

func TestRunnerOnline(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t, forgetest.WithOfflineAfter(time.Second))
	c, r := runner(t, srv)
	if got, _ := srv.Runner(r.UUID); got.Online {
		t.Errorf("runner online before any call")
	}
	c.fetch(t, 0)
	got, _ := srv.Runner(r.UUID)
	if !got.Online || got.LastOnline.IsZero() || !got.LastActive.IsZero() {
		t.Errorf("after FetchTask: online %t, last online %v, last active %v; want online, seen, not active", got.Online, got.LastOnline, got.LastActive)
	}
	time.Sleep(1100 * time.Millisecond)
	if got, _ := srv.Runner(r.UUID); got.Online {
		t.Errorf("runner still online after the offline time")
	}
}
