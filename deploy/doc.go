// Package deploy holds what runs anvil in production, as files, not code:
// the systemd unit (systemd/), the Helm chart (helm/anvil), the Grafana
// dashboard (grafana/) and the Prometheus alert rules (prometheus/).
// docs/fleet.md explains them. Its tests render and validate them offline:
// the unit with systemd-analyze verify, the chart with Helm's own engine
// against the Kubernetes API types (strict decoding), and the dashboard's
// and rules' queries against the metrics anvil serves.
package deploy
