package cmd

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/cache/cachetest"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

var metricsAddrRE = regexp.MustCompile(`serving metrics on /metrics.* addr="?([0-9.:]+)`)

// metricsAddr waits for the daemon to say where it serves metrics.
func metricsAddr(t *testing.T, p *daemon) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := metricsAddrRE.FindStringSubmatch(p.stderr.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the daemon did not say where it serves metrics:\n%s", p.stderr)
	return ""
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestDaemonMetrics(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	d := newDaemonDirConfig(t, srv, "log:\n  level: info\nrunner:\n  fetch_interval: 200ms\n  report_interval: 200ms\n  capacity: 2\n  shutdown_timeout: 30s\nmetrics:\n  addr: 127.0.0.1:0\n")
	ok := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps: [{run: echo hi}]\n"})
	bad := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  b:\n    runs-on: self-hosted\n    steps: [{run: exit 1}]\n"})
	p := startDaemon(t, d)
	base := "http://" + metricsAddr(t, p)
	waitTask(t, srv, ok, "the first job's report", reported)
	waitTask(t, srv, bad, "the second job's report", reported)
	if code, body := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := httpGet(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %q", code, body)
	}
	// The final report goes out after the job's end is counted.
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body = httpGet(t, base+"/metrics")
		if strings.Contains(body, `anvil_jobs_total{label="self-hosted",result="failure"} 1`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{
		`anvil_jobs_total{label="self-hosted",result="success"} 1`,
		`anvil_jobs_total{label="self-hosted",result="failure"} 1`,
		`anvil_job_duration_seconds_count{label="self-hosted"} 2`,
		`anvil_job_start_wait_seconds_count{label="self-hosted"} 2`,
		"anvil_capacity 2",
		"anvil_ready 1",
		`anvil_forge_request_errors_total{call="FetchTask"} 0`,
		`anvil_cache_lookups_total{result="hit"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// Draining: not ready, still serving, then gone.
	long := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  c:\n    runs-on: self-hosted\n    steps: [{run: 'echo started; sleep 2'}]\n"})
	waitTask(t, srv, long, "the long job's start", printed("started\n"))
	p.signal(t, syscall.SIGTERM)
	time.Sleep(300 * time.Millisecond)
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "stopping") {
		t.Errorf("/readyz while draining = %d %q, want 503 saying it is stopping", code, body)
	}
	if _, body := httpGet(t, base+"/metrics"); !strings.Contains(body, "anvil_jobs_running 1\n") {
		t.Errorf("/metrics while draining lacks anvil_jobs_running 1")
	}
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit status %d; log:\n%s", code, p.stderr)
	}
	if rec := srv.Task(long); rec.Status != forgetest.StatusSuccess || !rec.LogClosed {
		t.Errorf("the job running at SIGTERM: %s (log closed %t), want success", rec.Status, rec.LogClosed)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Errorf("the metrics server still answers after the daemon exited")
	}
}

func TestDaemonMetricsAddressInUse(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	first := startDaemon(t, newDaemonDirConfig(t, srv, "runner:\nmetrics:\n  addr: 127.0.0.1:0\n"))
	addr := metricsAddr(t, first)
	d := newDaemonDirConfig(t, srv, "runner:\nmetrics:\n  addr: "+addr+"\n")
	p := startDaemon(t, d)
	if code := p.wait(t, 30*time.Second); code != ExitUsage {
		t.Errorf("exit status %d, want %d (usage)", code, ExitUsage)
	}
	if !strings.Contains(p.stderr.String(), "metrics.addr "+addr) {
		t.Errorf("the error does not name metrics.addr:\n%s", p.stderr)
	}
	if rec, _ := srv.Runner(d.runner.UUID); rec.Declares != 0 || !rec.LastOnline.IsZero() {
		t.Errorf("the daemon talked to the forge before failing: %+v", rec)
	}
	first.signal(t, syscall.SIGTERM)
	first.wait(t, 30*time.Second)
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// anvil cache-server --metrics-addr counts hits, misses and bytes.
func TestCacheServerMetrics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("fleet secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proc, _, _ := testProcess(map[string]string{})
	proc.Stderr = &testkit.LockedBuffer{}
	out, w := io.Pipe()
	proc.Stdout = w
	ctx, cancel := context.WithCancel(t.Context())
	code := make(chan int, 1)
	maddr := freeAddr(t)
	go func() {
		code <- Main(ctx, proc, []string{"cache-server", "--dir", filepath.Join(dir, "cache"), "--addr", "127.0.0.1:0", "--secret-file", secretFile, "--metrics-addr", maddr})
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("reading the URL: %v (exit %d)", err, <-code)
	}
	iss, err := cache.NewIssuer([]byte("fleet secret"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := iss.JobCredentials(strings.TrimSpace(line), cache.Scope{Repository: "o/r", Ref: "refs/heads/main"})
	if err != nil {
		t.Fatal(err)
	}
	c := &cachetest.Client{CacheURL: creds.CacheURL}
	src := filepath.Join(dir, "archive")
	os.WriteFile(src, []byte("twelve bytes"), 0o600)
	if _, err := c.SaveV1(t.Context(), "k", "v", src); err != nil {
		t.Fatalf("SaveV1() = %v", err)
	}
	for _, key := range []string{"k", "absent"} {
		if _, err := c.RestoreV1(t.Context(), []string{key}, "v", filepath.Join(dir, "restored")); err != nil {
			t.Fatalf("RestoreV1(%s) = %v", key, err)
		}
	}
	_, body := httpGet(t, "http://"+maddr+"/metrics")
	for _, want := range []string{
		`anvil_cache_lookups_total{result="hit"} 1`,
		`anvil_cache_lookups_total{result="miss"} 1`,
		`anvil_cache_bytes_total{direction="upload"} 12`,
		`anvil_cache_bytes_total{direction="download"} 12`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	if got := <-code; got != ExitOK {
		t.Errorf("exit status = %d, want %d", got, ExitOK)
	}
}
