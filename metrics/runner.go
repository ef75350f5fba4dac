package metrics

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"codeberg.org/anvil-ci/anvil/forge"
)

// Load is a snapshot of a runner's load (runner.Stats, converted by cmd).
type Load struct {
	Running, Capacity     int
	SpoolRows, SpoolBytes int64
}

// Runner holds a daemon's metrics. It implements runner.Observer, and
// Ready tells /readyz whether the runner can take jobs.
type Runner struct {
	jobs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	wait        *prometheus.HistogramVec
	requests    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	lastFetchOK prometheus.Gauge

	mu           sync.Mutex
	fetched      bool  // a FetchTask has been answered
	fetchErr     error // the last FetchTask's error
	unregistered error
}

// NewRunner registers a runner's metrics on reg; load is called at every
// scrape for running jobs, capacity and the log spool.
func NewRunner(reg prometheus.Registerer, load func() Load) *Runner {
	m := &Runner{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anvil_jobs_total",
			Help: "Jobs run to their end, by the runner label they ran on and their result (success, failure, cancelled, skipped).",
		}, []string{"label", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "anvil_job_duration_seconds",
			Help:    "Time from a job's start to its end, by runner label.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 10800},
		}, []string{"label"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "anvil_job_start_wait_seconds",
			Help: "Time from the forge handing a task to this runner to its job starting, by runner label. " +
				"The task carries no creation time, so the time it waited queued on the forge is not included: " +
				"anvil fleet queue reports that (oldest_queued_seconds).",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"label"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anvil_forge_requests_total",
			Help: "Requests to the forge's runner API, by call (Declare, FetchTask, UpdateTask, UpdateLog).",
		}, []string{"call"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anvil_forge_request_errors_total",
			Help: "Requests to the forge's runner API that failed, by call.",
		}, []string{"call"}),
		lastFetchOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "anvil_forge_last_successful_fetch_timestamp_seconds",
			Help: "When a poll for jobs (FetchTask) last worked, in seconds since the epoch.",
		}),
	}
	for _, call := range []string{"Declare", "FetchTask", "UpdateTask", "UpdateLog"} {
		m.requests.WithLabelValues(call)
		m.errors.WithLabelValues(call)
	}
	reg.MustRegister(m.jobs, m.duration, m.wait, m.requests, m.errors, m.lastFetchOK, loadCollector(load), readyCollector{m})
	return m
}

// ForgeCall counts a request and its error; a FetchTask's outcome and an
// unregistered runner decide Ready.
func (m *Runner) ForgeCall(call string, err error) {
	m.requests.WithLabelValues(call).Inc()
	if err != nil {
		m.errors.WithLabelValues(call).Inc()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if errors.Is(err, forge.ErrUnregistered) {
		m.unregistered = err
	}
	if call == "FetchTask" {
		m.fetched, m.fetchErr = true, err
		if err == nil {
			m.lastFetchOK.Set(float64(time.Now().UnixNano()) / 1e9)
		}
	}
}

// JobStarted observes the wait before a job started.
func (m *Runner) JobStarted(label string, wait time.Duration) {
	m.wait.WithLabelValues(label).Observe(wait.Seconds())
}

// JobFinished counts a job and observes its duration.
func (m *Runner) JobFinished(label, result string, took time.Duration) {
	m.jobs.WithLabelValues(label, result).Inc()
	m.duration.WithLabelValues(label).Observe(took.Seconds())
}

// Ready returns nil when the runner is registered and its last poll for
// jobs worked, else what keeps it from being ready.
func (m *Runner) Ready() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.unregistered != nil:
		return fmt.Errorf("the forge does not know this runner any more: %w", m.unregistered)
	case !m.fetched:
		return errors.New("the runner has not polled the forge for jobs yet")
	case m.fetchErr != nil:
		return fmt.Errorf("the last poll of the forge for jobs failed: %w", m.fetchErr)
	}
	return nil
}

var (
	descRunning = prometheus.NewDesc("anvil_jobs_running", "Jobs running now (capacity in use).", nil, nil)
	descCap     = prometheus.NewDesc("anvil_capacity", "How many jobs the runner may run at once (runner.capacity).", nil, nil)
	descRows    = prometheus.NewDesc("anvil_spool_rows", "Log rows spooled on disk that the forge has not acknowledged yet.", nil, nil)
	descBytes   = prometheus.NewDesc("anvil_spool_bytes", "Bytes of the log rows spooled on disk that the forge has not acknowledged yet.", nil, nil)
	descReady   = prometheus.NewDesc("anvil_ready", "1 when the runner is registered and its last poll for jobs worked (/readyz), else 0.", nil, nil)
)

// loadCollector reads the load once per scrape.
type loadCollector func() Load

func (loadCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descRunning
	ch <- descCap
	ch <- descRows
	ch <- descBytes
}

func (f loadCollector) Collect(ch chan<- prometheus.Metric) {
	l := f()
	ch <- prometheus.MustNewConstMetric(descRunning, prometheus.GaugeValue, float64(l.Running))
	ch <- prometheus.MustNewConstMetric(descCap, prometheus.GaugeValue, float64(l.Capacity))
	ch <- prometheus.MustNewConstMetric(descRows, prometheus.GaugeValue, float64(l.SpoolRows))
	ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(l.SpoolBytes))
}

// readyCollector shows Ready as a gauge.
type readyCollector struct{ m *Runner }

func (readyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descReady }

func (c readyCollector) Collect(ch chan<- prometheus.Metric) {
	v := 0.0
	if c.m.Ready() == nil {
		v = 1
	}
	ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, v)
}
