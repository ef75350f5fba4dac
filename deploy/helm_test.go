package deploy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// scaledJob is KEDA's ScaledJob (keda.sh/v1alpha1), the fields the chart
// sets; its Job is checked as a batch/v1 JobSpec.
type scaledJob struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		PollingInterval            int `json:"pollingInterval"`
		MaxReplicaCount            int `json:"maxReplicaCount"`
		SuccessfulJobsHistoryLimit int `json:"successfulJobsHistoryLimit"`
		FailedJobsHistoryLimit     int `json:"failedJobsHistoryLimit"`
		ScalingStrategy            struct {
			Strategy string `json:"strategy"`
		} `json:"scalingStrategy"`
		Triggers []struct {
			Type     string            `json:"type"`
			Metadata map[string]string `json:"metadata"`
		} `json:"triggers"`
		JobTargetRef batchv1.JobSpec `json:"jobTargetRef"`
	} `json:"spec"`
}

// rendered is the chart's output: every object, strictly decoded.
type rendered struct {
	objects      map[string]any // by kind/name
	statefulSets []*appsv1.StatefulSet
	deployments  []*appsv1.Deployment
	scaledJobs   []*scaledJob
	configMaps   []*corev1.ConfigMap
	services     []*corev1.Service
	pdbs         []*policyv1.PodDisruptionBudget
}

// render renders the chart with values over its defaults, as helm
// install would in namespace runners.
func render(t *testing.T, values map[string]any) (*rendered, error) {
	t.Helper()
	chart, err := loader.Load(filepath.Join("helm", "anvil"))
	if err != nil {
		t.Fatalf("loading the chart: %v", err)
	}
	if err := chart.Validate(); err != nil {
		t.Fatalf("the chart is not valid: %v", err)
	}
	vals, err := chartutil.ToRenderValues(chart, values, chartutil.ReleaseOptions{Name: "ci", Namespace: "runners", IsInstall: true, Revision: 1}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatalf("values: %v", err)
	}
	files, err := engine.Render(chart, vals)
	if err != nil {
		return nil, err
	}
	out := &rendered{objects: map[string]any{}}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for i, doc := range strings.Split(files[name], "\n---") {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			if err := out.decode(doc); err != nil {
				t.Errorf("%s, document %d: %v\n%s", name, i+1, err, doc)
			}
		}
	}
	return out, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for l := range strings.Lines(doc) {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// strict decodes YAML into v, refusing unknown and duplicate fields.
func strict(doc string, v any) error {
	j, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (r *rendered) decode(doc string) error {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
		return err
	}
	var obj any
	switch head.APIVersion + "/" + head.Kind {
	case "apps/v1/StatefulSet":
		o := &appsv1.StatefulSet{}
		r.statefulSets, obj = append(r.statefulSets, o), o
	case "apps/v1/Deployment":
		o := &appsv1.Deployment{}
		r.deployments, obj = append(r.deployments, o), o
	case "v1/ConfigMap":
		o := &corev1.ConfigMap{}
		r.configMaps, obj = append(r.configMaps, o), o
	case "v1/Service":
		o := &corev1.Service{}
		r.services, obj = append(r.services, o), o
	case "policy/v1/PodDisruptionBudget":
		o := &policyv1.PodDisruptionBudget{}
		r.pdbs, obj = append(r.pdbs, o), o
	case "keda.sh/v1alpha1/ScaledJob":
		o := &scaledJob{}
		r.scaledJobs, obj = append(r.scaledJobs, o), o
	default:
		return fmt.Errorf("%s %s of apiVersion %s: not a kind this test knows", head.Kind, head.Metadata.Name, head.APIVersion)
	}
	if err := strict(doc, obj); err != nil {
		return fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
	}
	if errs := validation.IsDNS1123Subdomain(head.Metadata.Name); len(errs) > 0 {
		return fmt.Errorf("%s name %q: %s", head.Kind, head.Metadata.Name, strings.Join(errs, "; "))
	}
	key := head.Kind + "/" + head.Metadata.Name
	if _, dup := r.objects[key]; dup {
		return fmt.Errorf("%s rendered twice", key)
	}
	r.objects[key] = obj
	return nil
}

// checkPod checks what the API server would not: that mounts, config maps,
// probe ports and the drain hook refer to what exists. claims are volume
// names a StatefulSet's volumeClaimTemplates add.
func checkPod(t *testing.T, where string, spec corev1.PodSpec, r *rendered, claims ...string) {
	t.Helper()
	volumes := slices.Clone(claims)
	for _, v := range spec.Volumes {
		volumes = append(volumes, v.Name)
		if v.ConfigMap != nil {
			if _, ok := r.objects["ConfigMap/"+v.ConfigMap.Name]; !ok {
				t.Errorf("%s: volume %s uses ConfigMap %s, which the chart does not render", where, v.Name, v.ConfigMap.Name)
			}
		}
	}
	seen := map[string]bool{}
	all := append(slices.Clone(spec.InitContainers), spec.Containers...)
	for _, c := range all {
		if seen[c.Name] {
			t.Errorf("%s: two containers named %s", where, c.Name)
		}
		seen[c.Name] = true
		if errs := validation.IsDNS1123Label(c.Name); len(errs) > 0 || c.Image == "" {
			t.Errorf("%s: container %q: bad name or no image (%v)", where, c.Name, errs)
		}
		for _, m := range c.VolumeMounts {
			if !slices.Contains(volumes, m.Name) {
				t.Errorf("%s: container %s mounts volume %s, which the pod does not have", where, c.Name, m.Name)
			}
		}
		ports := map[string]bool{}
		for _, p := range c.Ports {
			ports[p.Name] = true
		}
		for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
			if p != nil && p.HTTPGet != nil && !ports[p.HTTPGet.Port.String()] {
				t.Errorf("%s: container %s probes port %s, which it does not declare", where, c.Name, p.HTTPGet.Port.String())
			}
		}
	}
	runner := slices.IndexFunc(spec.Containers, func(c corev1.Container) bool { return c.Name == "anvil" })
	if runner < 0 {
		t.Fatalf("%s: no anvil container", where)
	}
	c := spec.Containers[runner]
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Exec == nil ||
		!slices.Equal(c.Lifecycle.PreStop.Exec.Command[:4], []string{"/anvil", "drain", "--pid", "1"}) {
		t.Errorf("%s: the runner has no preStop hook that drains: %+v", where, c.Lifecycle)
	}
	if spec.TerminationGracePeriodSeconds == nil || *spec.TerminationGracePeriodSeconds <= 600 {
		t.Errorf("%s: terminationGracePeriodSeconds %v, want more than the 600s shutdown timeout", where, spec.TerminationGracePeriodSeconds)
	}
	if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: the runner container is not hardened: %+v", where, sc)
	}
	for _, ic := range spec.InitContainers {
		if ic.Name == "docker" && (ic.RestartPolicy == nil || *ic.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
			t.Errorf("%s: the docker sidecar is not a native sidecar (restartPolicy: Always)", where)
		}
	}
}

// selects reports whether selector matches labels.
func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}

// configOf returns the daemon config the chart renders.
func configOf(t *testing.T, r *rendered) map[string]map[string]any {
	t.Helper()
	if len(r.configMaps) != 1 {
		t.Fatalf("%d ConfigMaps, want 1", len(r.configMaps))
	}
	var cfg map[string]map[string]any
	if err := strict(r.configMaps[0].Data["config.yaml"], &cfg); err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	return cfg
}

func TestHelmChart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values map[string]any
		check  func(t *testing.T, r *rendered)
	}{
		{name: "defaults: daemons with a Docker-in-Docker sidecar", check: func(t *testing.T, r *rendered) {
			if len(r.statefulSets) != 1 || len(r.pdbs) != 1 || len(r.scaledJobs) != 0 || len(r.services) != 1 {
				t.Fatalf("objects %v", keys(r.objects))
			}
			ss := r.statefulSets[0]
			checkPod(t, "StatefulSet", ss.Spec.Template.Spec, r, "data")
			if !selects(ss.Spec.Selector.MatchLabels, ss.Spec.Template.Labels) || !selects(r.pdbs[0].Spec.Selector.MatchLabels, ss.Spec.Template.Labels) ||
				!selects(r.services[0].Spec.Selector, ss.Spec.Template.Labels) {
				t.Errorf("the selectors do not select the runners")
			}
			if ss.Spec.ServiceName != r.services[0].Name {
				t.Errorf("serviceName %s, the Service is %s", ss.Spec.ServiceName, r.services[0].Name)
			}
			if *ss.Spec.Replicas != 2 || r.pdbs[0].Spec.MaxUnavailable.IntValue() != 1 {
				t.Errorf("replicas %d, maxUnavailable %v", *ss.Spec.Replicas, r.pdbs[0].Spec.MaxUnavailable)
			}
			init := ss.Spec.Template.Spec.InitContainers
			if init[0].Name != "register" || !slices.Contains(init[0].Command, "--skip-if-registered") || !slices.Contains(init[0].Command, "/var/run/secrets/anvil/token") {
				t.Errorf("the first init container does not register from the Secret: %v", init[0].Command)
			}
			if init[1].Name != "docker" || init[1].SecurityContext == nil || !*init[1].SecurityContext.Privileged {
				t.Errorf("no privileged dind sidecar: %+v", init[1])
			}
			cfg := configOf(t, r)
			if cfg["metrics"]["addr"] != ":9101" || cfg["runner"]["shutdown_timeout"] != "600s" || cfg["container"]["docker_host"] != "unix:///run/docker/docker.sock" {
				t.Errorf("config.yaml: %v", cfg)
			}
		}},
		{name: "host labels, no Docker, no metrics, no volume", values: map[string]any{
			"docker": map[string]any{"mode": "none"}, "metrics": map[string]any{"enabled": false},
			"persistence": map[string]any{"enabled": false}, "runner": map[string]any{"labels": []any{"self-hosted:host"}},
		}, check: func(t *testing.T, r *rendered) {
			spec := r.statefulSets[0].Spec.Template.Spec
			checkPod(t, "StatefulSet", spec, r)
			if len(spec.InitContainers) != 1 || len(r.services) != 0 || len(r.statefulSets[0].Spec.VolumeClaimTemplates) != 0 {
				t.Errorf("init containers %d, services %d, claims %d; want 1, 0, 0", len(spec.InitContainers), len(r.services), len(r.statefulSets[0].Spec.VolumeClaimTemplates))
			}
			if spec.Containers[0].ReadinessProbe != nil {
				t.Errorf("a readiness probe without the metrics server")
			}
			if _, ok := configOf(t, r)["metrics"]; ok {
				t.Errorf("metrics.addr set with metrics off")
			}
		}},
		{name: "rootless Docker", values: map[string]any{"docker": map[string]any{"mode": "rootless"}}, check: func(t *testing.T, r *rendered) {
			spec := r.statefulSets[0].Spec.Template.Spec
			checkPod(t, "StatefulSet", spec, r, "data")
			d := spec.InitContainers[1]
			if d.Image != "docker:28-dind-rootless" || d.SecurityContext.Privileged != nil || *spec.SecurityContext.RunAsUser != 1000 {
				t.Errorf("rootless sidecar %s privileged %v, runner uid %d", d.Image, d.SecurityContext.Privileged, *spec.SecurityContext.RunAsUser)
			}
		}},
		{name: "ephemeral Jobs scaled by KEDA on the queue", values: map[string]any{
			"mode": "ephemeral", "queue": map[string]any{"enabled": true, "org": "acme"},
		}, check: func(t *testing.T, r *rendered) {
			if len(r.statefulSets) != 0 || len(r.pdbs) != 0 || len(r.scaledJobs) != 1 || len(r.deployments) != 1 {
				t.Fatalf("objects %v", keys(r.objects))
			}
			sj := r.scaledJobs[0]
			job := sj.Spec.JobTargetRef
			checkPod(t, "ScaledJob", job.Template.Spec, r)
			if job.Template.Spec.RestartPolicy != corev1.RestartPolicyNever || *job.BackoffLimit != 0 {
				t.Errorf("restartPolicy %s, backoffLimit %d; want Never, 0", job.Template.Spec.RestartPolicy, *job.BackoffLimit)
			}
			reg := job.Template.Spec.InitContainers[0].Command
			run := job.Template.Spec.Containers[0].Command
			if !slices.Contains(reg, "--ephemeral") || !slices.Contains(run, "--once") {
				t.Errorf("the Job does not register an ephemeral runner and run once: %v / %v", reg, run)
			}
			tr := sj.Spec.Triggers[0]
			if tr.Type != "metrics-api" || tr.Metadata["valueLocation"] != "runner.queued" ||
				tr.Metadata["url"] != "http://ci-anvil-queue.runners.svc:9102/queue" {
				t.Errorf("trigger %+v", tr)
			}
			q := r.deployments[0]
			checkQueue(t, q, r)
			if !slices.Contains(q.Spec.Template.Spec.Containers[0].Command, "acme") {
				t.Errorf("the queue does not read organization acme: %v", q.Spec.Template.Spec.Containers[0].Command)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := render(t, tt.values)
			if err != nil {
				t.Fatalf("rendering: %v", err)
			}
			tt.check(t, r)
		})
	}
}

// checkQueue checks the queue Deployment and its Service.
func checkQueue(t *testing.T, d *appsv1.Deployment, r *rendered) {
	t.Helper()
	spec := d.Spec.Template.Spec
	if !selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("the queue Deployment's selector does not select its pods")
	}
	svc, ok := r.objects["Service/"+d.Name].(*corev1.Service)
	if !ok || !selects(svc.Spec.Selector, d.Spec.Template.Labels) || svc.Spec.Ports[0].TargetPort.String() != "queue" {
		t.Errorf("no Service selecting the queue on its port")
	}
	c := spec.Containers[0]
	if !slices.Equal(c.Command[:4], []string{"/anvil", "fleet", "queue", "--instance"}) || !slices.Contains(c.Command, "--serve") {
		t.Errorf("queue command %v", c.Command)
	}
	if spec.Volumes[0].Secret == nil || spec.Volumes[0].Secret.SecretName != "anvil-forge-token" {
		t.Errorf("the token does not come from the Secret")
	}
}

func TestHelmChartRefuses(t *testing.T) {
	t.Parallel()
	_, err := render(t, map[string]any{"mode": "ephemeral"})
	if err == nil || !strings.Contains(err.Error(), "set queue.enabled") {
		t.Errorf("ephemeral without the queue: error %v, want one saying to set queue.enabled", err)
	}
}

func keys(m map[string]any) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
}
