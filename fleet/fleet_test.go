package fleet

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
)

func TestPrint(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	jobs := []forge.QueuedJob{
		{ID: 1, Labels: []string{"ubuntu-latest"}, Created: now.Add(-2 * time.Minute)},
		{ID: 2, Labels: []string{"ubuntu-latest"}, Created: now.Add(-time.Minute)},
		{ID: 3, Labels: []string{"gpu", "self-hosted"}, Created: now.Add(-30 * time.Second)},
	}
	tests := []struct {
		name   string
		jobs   []forge.QueuedJob
		labels []string
		want   []string
	}{
		{name: "empty", want: []string{"QUEUED  OLDEST  RUNS-ON", "0 jobs queued"}},
		{name: "most queued first", jobs: jobs, want: []string{
			"QUEUED  OLDEST  RUNS-ON",
			"2       2m0s    ubuntu-latest",
			"1       30s     gpu,self-hosted",
			"3 jobs queued; the oldest for 2m0s",
		}},
		{name: "with runner labels", jobs: jobs, labels: []string{"ubuntu-latest"}, want: []string{
			"QUEUED  OLDEST  RUNS-ON",
			"2       2m0s    ubuntu-latest",
			"1       30s     gpu,self-hosted",
			"3 jobs queued; the oldest for 2m0s",
			"2 of them can run on a runner with labels ubuntu-latest",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if err := Print(&b, NewReply(tt.jobs, tt.labels, now)); err != nil {
				t.Fatal(err)
			}
			if got := strings.Split(strings.TrimSpace(b.String()), "\n"); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Print wrote\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestHandlerForgeDown: a forge that cannot be read is a 502 with the
// reason in JSON, and /healthz still answers.
func TestHandlerForgeDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	srv := httptest.NewServer(Handler(ServeConfig{
		Forge: forge.QueueConfig{Address: down, Token: "t"}, Refresh: time.Minute,
		Now: time.Now,
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/queue")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusBadGateway || body["error"] == "" {
		t.Errorf("/queue with the forge down: %d %v, want 502 with an error", res.StatusCode, body)
	}
	h, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	h.Body.Close()
	if h.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", h.StatusCode)
	}
}
