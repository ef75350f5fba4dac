package cmd

import (
	"context"
	"errors"
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/metrics"
	"codeberg.org/anvil-ci/anvil/runner"
)

// metricsConfig is the metrics: section of the config file (anvil's own).
type metricsConfig struct {
	// Addr is where /metrics, /healthz and /readyz are served; "" is off.
	Addr string `yaml:"addr"`
}

// daemonMetrics is what metrics.addr turns on: a registry of the
// daemon's own, the runner's and the cache server's metrics on it, and
// the listener they are served on. A nil *daemonMetrics is metrics off.
type daemonMetrics struct {
	reg    *prometheus.Registry
	runner *metrics.Runner
	cache  *metrics.Cache
	ln     net.Listener
	r      *runner.Runner // set by serve, read by the load function
}

// newDaemonMetrics listens on addr (nil, nil when addr is ""), so that a
// port in use stops the daemon before it takes any job.
func newDaemonMetrics(addr string) (*daemonMetrics, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageErrorf("metrics.addr %s: %w (choose a free address, or leave metrics.addr empty to turn metrics off)", addr, err)
	}
	m := &daemonMetrics{reg: metrics.NewRegistry(), ln: ln}
	m.runner = metrics.NewRunner(m.reg, m.load)
	m.cache = metrics.NewCache(m.reg)
	return m, nil
}

// load converts the runner's Stats.
func (m *daemonMetrics) load() metrics.Load {
	if m.r == nil {
		return metrics.Load{}
	}
	s := m.r.Stats()
	return metrics.Load{Running: s.Running, Capacity: s.Capacity, SpoolRows: s.SpoolRows, SpoolBytes: s.SpoolBytes}
}

// observer is the runner's Observer (nil when metrics are off).
func (m *daemonMetrics) observer() runner.Observer {
	if m == nil {
		return nil
	}
	return m.runner
}

// cacheObserver is the Observer of the cache server the daemon starts
// (nil when metrics are off).
func (m *daemonMetrics) cacheObserver() cache.Observer {
	if m == nil {
		return nil
	}
	return m.cache
}

// serve answers on the listener until stop is called (after Run has
// returned, so that the metrics of a drain are seen). /readyz fails once
// running ends: the runner drains and takes no new job.
func (m *daemonMetrics) serve(running context.Context, r *runner.Runner, log *logrus.Logger) (stop func()) {
	if m == nil {
		return func() {}
	}
	m.r = r
	ready := func() error {
		if running.Err() != nil {
			return errors.New("the runner is stopping: it takes no new jobs")
		}
		return m.runner.Ready()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := metrics.Serve(ctx, m.ln, metrics.Handler(m.reg, ready)); err != nil {
			log.WithError(err).Error("the metrics server stopped")
		}
	}()
	log.WithField("addr", m.ln.Addr().String()).Info("serving metrics on /metrics, /healthz and /readyz")
	return func() {
		cancel()
		<-done
	}
}

// serveCacheMetrics serves anvil cache-server's metrics on addr until
// stop; the returned Observer feeds them.
func serveCacheMetrics(ctx context.Context, addr string, log *logrus.Logger) (stop func(), obs cache.Observer, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, usageErrorf("--metrics-addr %s: %w", addr, err)
	}
	reg := metrics.NewRegistry()
	c := metrics.NewCache(reg)
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := metrics.Serve(sctx, ln, metrics.Handler(reg, nil)); err != nil {
			log.WithError(err).Error("the metrics server stopped")
		}
	}()
	log.WithField("addr", ln.Addr().String()).Info("serving metrics on /metrics, /healthz and /readyz")
	return func() { cancel(); <-done }, c, nil
}
