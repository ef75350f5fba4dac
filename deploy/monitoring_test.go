package deploy_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"codeberg.org/anvil-ci/anvil/metrics"
)

// servedMetrics are the names of the metrics anvil serves (histograms
// with their _bucket, _sum and _count series).
func servedMetrics(t *testing.T) []string {
	t.Helper()
	reg := metrics.NewRegistry()
	m := metrics.NewRunner(reg, func() metrics.Load { return metrics.Load{} })
	metrics.NewCache(reg)
	m.JobStarted("x", time.Second)
	m.JobFinished("x", "success", time.Second)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		n := f.GetName()
		names = append(names, n)
		if f.GetType().String() == "HISTOGRAM" {
			names = append(names, n+"_bucket", n+"_sum", n+"_count")
		}
	}
	return names
}

var metricName = regexp.MustCompile(`\b(anvil_[a-z_]+|process_[a-z_]+)\b`)

// checkExpr checks that every anvil_ and process_ metric expr names is
// served, and that its brackets balance.
func checkExpr(t *testing.T, where, expr string, served []string) {
	t.Helper()
	if strings.TrimSpace(expr) == "" {
		t.Errorf("%s: empty expression", where)
	}
	for _, n := range metricName.FindAllString(expr, -1) {
		if !slices.Contains(served, n) {
			t.Errorf("%s: %s is not a metric anvil serves", where, n)
		}
	}
	for _, pair := range []string{"()", "[]", "{}"} {
		if strings.Count(expr, pair[:1]) != strings.Count(expr, pair[1:]) {
			t.Errorf("%s: unbalanced %s in %q", where, pair, expr)
		}
	}
}

func TestGrafanaDashboard(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("grafana/anvil-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string `json:"uid"`
		Title  string `json:"title"`
		Panels []struct {
			ID      int                      `json:"id"`
			Title   string                   `json:"title"`
			Type    string                   `json:"type"`
			GridPos struct{ X, Y, W, H int } `json:"gridPos"`
			Targets []struct {
				RefID string `json:"refId"`
				Expr  string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("uid %q, title %q, %d panels", d.UID, d.Title, len(d.Panels))
	}
	served := servedMetrics(t)
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] || len(p.Targets) == 0 || p.GridPos.W <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %d %q: duplicate id, no query, or outside the 24-column grid", p.ID, p.Title)
		}
		ids[p.ID] = true
		for _, tg := range p.Targets {
			checkExpr(t, "panel "+p.Title, tg.Expr, served)
			for _, n := range metricName.FindAllString(tg.Expr, -1) {
				used[strings.TrimSuffix(n, "_bucket")] = true
			}
		}
	}
	// Every anvil metric is on the dashboard.
	for _, n := range served {
		if strings.HasPrefix(n, "anvil_") && !strings.HasSuffix(n, "_bucket") && !strings.HasSuffix(n, "_sum") && !strings.HasSuffix(n, "_count") &&
			!used[n] && !used[n+"_bucket"] && n != "anvil_job_duration_seconds" && n != "anvil_job_start_wait_seconds" && n != "anvil_forge_last_successful_fetch_timestamp_seconds" {
			t.Errorf("%s is on no panel", n)
		}
	}
}

// ruleFile is Prometheus's rule file format (what promtool check rules
// reads), strictly: an unknown key is an error.
type ruleFile struct {
	Groups []struct {
		Name     string `json:"name"`
		Interval string `json:"interval,omitempty"`
		Rules    []struct {
			Alert       string            `json:"alert,omitempty"`
			Record      string            `json:"record,omitempty"`
			Expr        string            `json:"expr"`
			For         string            `json:"for,omitempty"`
			Labels      map[string]string `json:"labels,omitempty"`
			Annotations map[string]string `json:"annotations,omitempty"`
		} `json:"rules"`
	} `json:"groups"`
}

func TestAlertRules(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("prometheus/anvil-alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := strict(string(data), &f); err != nil {
		t.Fatalf("the rule file does not parse as Prometheus rules: %v", err)
	}
	served := append(servedMetrics(t), "process_resident_memory_bytes")
	groups, alerts := map[string]bool{}, map[string]bool{}
	for _, g := range f.Groups {
		if g.Name == "" || groups[g.Name] || len(g.Rules) == 0 {
			t.Errorf("group %q: unnamed, duplicate or empty", g.Name)
		}
		groups[g.Name] = true
		for _, r := range g.Rules {
			if (r.Alert == "") == (r.Record == "") {
				t.Errorf("group %s: a rule must have exactly one of alert and record: %+v", g.Name, r)
			}
			if alerts[r.Alert] {
				t.Errorf("alert %s twice", r.Alert)
			}
			alerts[r.Alert] = true
			if !model.LegacyValidation.IsValidMetricName(r.Alert) {
				t.Errorf("alert name %q is not a valid metric name", r.Alert)
			}
			if r.For != "" {
				if _, err := model.ParseDuration(r.For); err != nil {
					t.Errorf("alert %s: for %q: %v", r.Alert, r.For, err)
				}
			}
			for k := range r.Labels {
				if !model.LegacyValidation.IsValidLabelName(k) {
					t.Errorf("alert %s: label %q is not a valid label name", r.Alert, k)
				}
			}
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s: no severity label or summary", r.Alert)
			}
			checkExpr(t, "alert "+r.Alert, r.Expr, served)
		}
	}
}
