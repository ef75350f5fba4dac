package cmd

import (
	"context"
	"errors"

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

// daemonMetrics is what metrics.addr turns on: the daemon's own, the
// runner's and the cache server's metrics on one metrics.Server. A nil
// *daemonMetrics is metrics off.
type daemonMetrics struct {
	srv    *metrics.Server
	runner *metrics.Runner
	cache  *metrics.Cache
	r      *runner.Runner // set by serve, read by the load function
}

// newDaemonMetrics listens on addr (nil, nil when addr is ""), so that a
// port in use stops the daemon before it takes any job.
func newDaemonMetrics(addr string) (*daemonMetrics, error) {
	if addr == "" {
		return nil, nil
	}
	srv, err := metrics.Listen(addr)
	if err != nil {
		return nil, usageErrorf("metrics.addr %s: %w (choose a free address, or leave metrics.addr empty to turn metrics off)", addr, err)
	}
	m := &daemonMetrics{srv: srv, cache: metrics.NewCache(srv.Registry)}
	m.runner = metrics.NewRunner(srv.Registry, func() metrics.Load {
		if m.r == nil {
			return metrics.Load{}
		}
		s := m.r.Stats()
		return metrics.Load{Running: s.Running, Capacity: s.Capacity, SpoolRows: s.SpoolRows, SpoolBytes: s.SpoolBytes}
	})
	return m, nil
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
	return startMetrics(m.srv, func() error {
		if running.Err() != nil {
			return errors.New("the runner is stopping: it takes no new jobs")
		}
		return m.runner.Ready()
	}, log)
}

// startMetrics serves srv until stop, logging where and why it stopped.
func startMetrics(srv *metrics.Server, ready func() error, log *logrus.Logger) (stop func()) {
	stop = srv.Start(ready, func(err error) { log.WithError(err).Error("the metrics server stopped") })
	log.WithField("addr", srv.Addr()).Info("serving metrics on /metrics, /healthz and /readyz")
	return stop
}

// serveCacheMetrics serves anvil cache-server's metrics on addr until
// stop; the returned Observer feeds them.
func serveCacheMetrics(addr string, log *logrus.Logger) (stop func(), obs cache.Observer, err error) {
	srv, err := metrics.Listen(addr)
	if err != nil {
		return nil, nil, usageErrorf("--metrics-addr %s: %w", addr, err)
	}
	obs = metrics.NewCache(srv.Registry)
	return startMetrics(srv, nil, log), obs, nil
}
