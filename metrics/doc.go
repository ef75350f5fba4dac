// Package metrics is what anvil shows Prometheus and an orchestrator: the
// runner's and the cache server's metrics on a registry of their own
// (never the global one), and an HTTP handler with /metrics, /healthz
// (the process is alive) and /readyz (registered, and the last poll of
// the forge worked).
//
// Runner implements runner.Observer and Cache implements cache.Observer
// without importing either package; when metrics.addr (or anvil
// cache-server --metrics-addr) is set, cmd Listens there, creates them on
// the Server's Registry and Starts it, which serves Handler until stop. Every metric is named
// anvil_*; deploy/ has a Grafana dashboard and alert rules built on them.
package metrics
