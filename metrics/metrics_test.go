package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/metrics"
)

// get returns the status and body of path on h.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestRunnerMetrics(t *testing.T) {
	t.Parallel()
	reg := metrics.NewRegistry()
	load := metrics.Load{Running: 2, Capacity: 4, SpoolRows: 120, SpoolBytes: 4096}
	m := metrics.NewRunner(reg, func() metrics.Load { return load })
	h := metrics.Handler(reg, m.Ready)

	m.ForgeCall("Declare", nil)
	m.ForgeCall("FetchTask", errors.Join(forge.ErrRetryable, errors.New("connection refused")))
	m.ForgeCall("FetchTask", nil)
	m.ForgeCall("UpdateLog", errors.New("refused"))
	m.JobStarted("linux", 30*time.Millisecond)
	m.JobFinished("linux", "success", 90*time.Second)
	m.JobFinished("linux", "failure", 2*time.Second)
	m.JobFinished("gpu", "success", time.Hour)

	code, body := get(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	for _, want := range []string{
		`anvil_jobs_total{label="linux",result="success"} 1`,
		`anvil_jobs_total{label="linux",result="failure"} 1`,
		`anvil_jobs_total{label="gpu",result="success"} 1`,
		`anvil_job_duration_seconds_bucket{label="linux",le="120"} 2`,
		`anvil_job_duration_seconds_bucket{label="linux",le="60"} 1`,
		`anvil_job_duration_seconds_count{label="gpu"} 1`,
		`anvil_job_start_wait_seconds_bucket{label="linux",le="0.05"} 1`,
		`anvil_job_start_wait_seconds_bucket{label="linux",le="0.025"} 0`,
		`anvil_forge_requests_total{call="FetchTask"} 2`,
		`anvil_forge_request_errors_total{call="FetchTask"} 1`,
		`anvil_forge_request_errors_total{call="UpdateLog"} 1`,
		`anvil_forge_request_errors_total{call="UpdateTask"} 0`,
		"anvil_jobs_running 2",
		"anvil_capacity 4",
		"anvil_spool_rows 120",
		"anvil_spool_bytes 4096",
		"anvil_ready 1",
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.HasSuffix(want, " ") {
			want += "\n" // the whole line
		}
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !strings.Contains(body, "anvil_forge_last_successful_fetch_timestamp_seconds 1.") {
		t.Errorf("no last successful fetch time:\n%s", grep(body, "last_successful"))
	}
}

func grep(body, s string) string {
	var out []string
	for l := range strings.Lines(body) {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	unregistered := fmt.Errorf("fetching: %w", forge.ErrUnregistered)
	tests := []struct {
		name  string
		calls []error // FetchTask outcomes, in order
		ready bool
		says  string
	}{
		{name: "before the first poll", ready: false, says: "has not polled"},
		{name: "after a good poll", calls: []error{nil}, ready: true},
		{name: "after a failed poll", calls: []error{nil, forge.ErrRetryable}, ready: false, says: "last poll of the forge for jobs failed"},
		{name: "a failure, then a good poll", calls: []error{forge.ErrRetryable, nil}, ready: true},
		{name: "unregistered stays unready", calls: []error{unregistered, nil}, ready: false, says: "does not know this runner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := metrics.NewRegistry()
			m := metrics.NewRunner(reg, func() metrics.Load { return metrics.Load{} })
			h := metrics.Handler(reg, m.Ready)
			for _, err := range tt.calls {
				m.ForgeCall("FetchTask", err)
			}
			if code, body := get(t, h, "/healthz"); code != http.StatusOK {
				t.Errorf("/healthz = %d %q, want 200", code, body)
			}
			code, body := get(t, h, "/readyz")
			if want := map[bool]int{true: 200, false: 503}[tt.ready]; code != want {
				t.Errorf("/readyz = %d %q, want %d", code, body, want)
			}
			if !strings.Contains(body, tt.says) {
				t.Errorf("/readyz says %q, want it to contain %q", body, tt.says)
			}
			_, metricsBody := get(t, h, "/metrics")
			wantGauge := map[bool]string{true: "anvil_ready 1\n", false: "anvil_ready 0\n"}[tt.ready]
			if !strings.Contains(metricsBody, wantGauge) {
				t.Errorf("/metrics lacks %q", wantGauge)
			}
		})
	}
}

func TestCacheMetrics(t *testing.T) {
	t.Parallel()
	reg := metrics.NewRegistry()
	c := metrics.NewCache(reg)
	c.Lookup(true)
	c.Lookup(false)
	c.Lookup(false)
	c.Transferred("upload", 1000)
	c.Transferred("download", 250)
	c.Transferred("download", 250)
	_, body := get(t, metrics.Handler(reg, nil), "/metrics")
	for _, want := range []string{
		`anvil_cache_lookups_total{result="hit"} 1` + "\n",
		`anvil_cache_lookups_total{result="miss"} 2` + "\n",
		`anvil_cache_bytes_total{direction="upload"} 1000` + "\n",
		`anvil_cache_bytes_total{direction="download"} 500` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, grep(body, "anvil_cache"))
		}
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	_, status, body := testkit.ServeOnce(t, func(ctx context.Context, ln net.Listener) error {
		return metrics.Serve(ctx, ln, metrics.Handler(metrics.NewRegistry(), nil))
	}, "/readyz")
	if status != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz = %d %q", status, body)
	}
}
