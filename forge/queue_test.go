package forge

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeJobsAPI serves Gitea 1.25's actions jobs listing for path with the
// given queued jobs, at most two per page, and counts the requests.
func fakeJobsAPI(t *testing.T, path string, jobs []map[string]any) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	requests := new(atomic.Int64) // the client may send requests concurrently
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "token s3cret" {
			http.Error(w, `{"message":"token is required"}`, http.StatusUnauthorized)
			return
		}
		if got := r.URL.Query().Get("status"); got != "queued" {
			t.Errorf("status=%q, want queued", got)
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		lo, hi := min((page-1)*2, len(jobs)), min(page*2, len(jobs))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"total_count": len(jobs), "jobs": jobs[lo:hi]})
	}))
	t.Cleanup(srv.Close)
	return srv, requests
}

func TestQueuedJobs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	job := func(id int, labels []string, age time.Duration) map[string]any {
		return map[string]any{"id": id, "run_id": 100 + id, "name": "build", "status": "queued", "labels": labels,
			"created_at": now.Add(-age).Format(time.RFC3339)}
	}
	jobs := []map[string]any{
		job(1, []string{"ubuntu-latest"}, time.Minute),
		job(2, []string{"ubuntu-latest"}, 3*time.Minute),
		job(3, []string{"self-hosted", "gpu"}, 10*time.Second),
		job(4, []string{"gpu", "self-hosted"}, 20*time.Second),
		job(5, []string{"windows"}, 0),
	}
	tests := []struct {
		name string
		cfg  QueueConfig
		path string
	}{
		{name: "instance", cfg: QueueConfig{}, path: "/api/v1/admin/actions/jobs"},
		{name: "organization", cfg: QueueConfig{Org: "acme"}, path: "/api/v1/orgs/acme/actions/jobs"},
		{name: "repository", cfg: QueueConfig{Repo: "acme/app"}, path: "/api/v1/repos/acme/app/actions/jobs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, requests := fakeJobsAPI(t, tt.path, jobs)
			cfg := tt.cfg
			cfg.Address, cfg.Token = srv.URL+"/", "s3cret"
			got, err := QueuedJobs(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 5 || requests.Load() != 3 {
				t.Fatalf("got %d jobs in %d requests, want 5 in 3 pages", len(got), requests.Load())
			}
			q := SummarizeQueue(got, now)
			want := Queue{
				LabelQueue: LabelQueue{Queued: 5, OldestSeconds: 180},
				Labels: map[string]LabelQueue{
					"ubuntu-latest": {Queued: 2, OldestSeconds: 180},
					"self-hosted":   {Queued: 2, OldestSeconds: 20},
					"gpu":           {Queued: 2, OldestSeconds: 20},
					"windows":       {Queued: 1},
				},
				Groups: map[string]LabelQueue{
					"ubuntu-latest":   {Queued: 2, OldestSeconds: 180},
					"gpu,self-hosted": {Queued: 2, OldestSeconds: 20},
					"windows":         {Queued: 1},
				},
			}
			if diff := cmp.Diff(q, want); diff != "" {
				t.Errorf("SummarizeQueue() (-got +want):\n%s", diff)
			}
			for _, fr := range []struct {
				labels []string
				want   int
			}{
				{[]string{"ubuntu-latest:docker://node:20"}, 2},
				{[]string{"self-hosted:host"}, 0}, // the gpu jobs need gpu too
				{[]string{"self-hosted:host", "gpu:host", "windows:host"}, 3},
			} {
				if got := ForRunner(got, fr.labels, now).Queued; got != fr.want {
					t.Errorf("ForRunner(%v) = %d, want %d", fr.labels, got, fr.want)
				}
			}
		})
	}
}

func TestQueuedJobsErrors(t *testing.T) {
	t.Parallel()
	srv, _ := fakeJobsAPI(t, "/api/v1/admin/actions/jobs", nil)
	tests := []struct {
		name string
		cfg  QueueConfig
		want string
	}{
		{name: "bad token", cfg: QueueConfig{Address: srv.URL, Token: "wrong"}, want: "the token is refused (HTTP 401)"},
		{name: "no such API", cfg: QueueConfig{Address: srv.URL, Token: "s3cret", Org: "acme"}, want: "Gitea 1.25 or later"},
		{name: "bad repository", cfg: QueueConfig{Address: srv.URL, Token: "s3cret", Repo: "acme"}, want: "owner/name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := QueuedJobs(t.Context(), tt.cfg)
			if err == nil || !contains(err.Error(), tt.want) {
				t.Errorf("QueuedJobs() error = %v, want it to say %q", err, tt.want)
			}
			if err != nil && contains(err.Error(), "s3cret") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
