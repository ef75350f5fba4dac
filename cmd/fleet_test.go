package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/fleet"
)

// fakeGiteaJobs serves GET /api/v1/admin/actions/jobs?status=queued as
// Gitea 1.25 does, with three queued jobs, and counts the requests.
func fakeGiteaJobs(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	created := time.Now().Add(-2 * time.Minute).UTC().Format(time.RFC3339)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/api/v1/admin/actions/jobs" || r.Header.Get("Authorization") != "token admin-token" {
			http.Error(w, "{}", http.StatusNotFound)
			return
		}
		jobs := []map[string]any{
			{"id": 1, "status": "queued", "labels": []string{"ubuntu-latest"}, "created_at": created},
			{"id": 2, "status": "queued", "labels": []string{"ubuntu-latest"}, "created_at": created},
			{"id": 3, "status": "queued", "labels": []string{"self-hosted", "gpu"}, "created_at": created},
		}
		json.NewEncoder(w).Encode(map[string]any{"total_count": len(jobs), "jobs": jobs})
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestFleetQueuePrints(t *testing.T) {
	t.Parallel()
	srv, _ := fakeGiteaJobs(t)
	proc, stdout, stderr := testProcess(map[string]string{forgeTokenEnv: "admin-token"})
	if code := Main(t.Context(), proc, []string{"fleet", "queue", "--instance", srv.URL, "--runner-labels", "ubuntu-latest:docker://node:20"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "QUEUED  OLDEST  RUNS-ON\n2       2m0s    ubuntu-latest\n1       2m0s    gpu,self-hosted\n" +
		"3 jobs queued; the oldest for 2m0s\n2 of them can run on a runner with labels ubuntu-latest:docker://node:20\n"
	if stdout.String() != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout, want)
	}

	proc, stdout, _ = testProcess(map[string]string{forgeTokenEnv: "admin-token"})
	if code := Main(t.Context(), proc, []string{"fleet", "queue", "--instance", srv.URL, "--json"}); code != ExitOK {
		t.Fatalf("--json: exit %d", code)
	}
	var got fleet.Reply
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Queued != 3 || got.Labels["gpu"].Queued != 1 || got.Groups["ubuntu-latest"].Queued != 2 || got.Runner != nil {
		t.Errorf("--json = %+v", got)
	}

	proc, _, stderr = testProcess(map[string]string{})
	if code := Main(t.Context(), proc, []string{"fleet", "queue", "--instance", srv.URL}); code != ExitUsage || !strings.Contains(stderr.String(), forgeTokenEnv) {
		t.Errorf("without a token: exit %d, stderr %s", code, stderr)
	}
}

func TestFleetQueueServes(t *testing.T) {
	t.Parallel()
	srv, requests := fakeGiteaJobs(t)
	proc, _, _ := testProcess(map[string]string{forgeTokenEnv: "admin-token"})
	out, w := io.Pipe()
	proc.Stdout = w
	ctx, cancel := context.WithCancel(t.Context())
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, proc, []string{"fleet", "queue", "--instance", srv.URL, "--serve", "127.0.0.1:0", "--refresh", "1h"})
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("reading the URL: %v (exit %d)", err, <-code)
	}
	url := strings.TrimSpace(line)
	for _, tt := range []struct {
		query      string
		wantRunner int
	}{
		{"?runner_labels=self-hosted,gpu,linux", 1},
		{"?runner_labels=ubuntu-latest", 2},
		{"?runner_labels=gpu", 0},
	} {
		status, body := httpGet(t, url+tt.query)
		var got fleet.Reply
		if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil {
			t.Fatalf("GET %s = %d %s (%v)", tt.query, status, body, err)
		}
		if got.Runner == nil || got.Runner.Queued != tt.wantRunner || got.Queued != 3 {
			t.Errorf("GET %s: runner %+v, queued %d; want runner.queued %d of 3", tt.query, got.Runner, got.Queued, tt.wantRunner)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the forge got %d requests for 3 reads within --refresh, want 1", n)
	}
	cancel()
	if got := <-code; got != ExitOK {
		t.Errorf("exit %d after cancelling", got)
	}
}
