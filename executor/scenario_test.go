package executor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// jobDirs matches job directories, whose numbers depend on scheduling.
var jobDirs = regexp.MustCompile(`\$WORK/([A-Za-z0-9_.-]+?)-[0-9]+`)

// scenarioConfig is testdata/scenarios/NAME/scenario.json.
type scenarioConfig struct {
	Event   string            `json:"event"`
	Ref     string            `json:"ref"`
	Secrets map[string]string `json:"secrets"`
	Vars    map[string]string `json:"vars"`
	Env     map[string]string `json:"env"`
	Inputs  map[string]any    `json:"inputs"`
	// CancelAfterLine cancels the run when a log line contains this text.
	CancelAfterLine string `json:"cancel_after_line"`
	// Needs lists programs the scenario needs on PATH (e.g. node, python3).
	Needs []string `json:"needs"`
	// Backends lists the backends the scenario runs on ("host",
	// "docker"); empty means both. TestConformance runs each on both.
	Backends []string `json:"backends"`
	// Result is the expected overall result.
	Result string `json:"result"`
}

// runsOn reports whether the scenario runs on backend.
func (c scenarioConfig) runsOn(backend string) bool {
	return len(c.Backends) == 0 || slices.Contains(c.Backends, backend)
}

// recorder keeps events per job, in order.
type recorder struct {
	mu     sync.Mutex
	events []executor.Event
	onLine func(string)
}

func (r *recorder) Emit(e executor.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	if e.Kind == executor.EventLog && r.onLine != nil {
		r.onLine(e.Line)
	}
}

// transcript renders the events as stable text: jobs sorted by key, and
// within a job the events in order, without times and durations.
func (r *recorder) transcript(replace *strings.Replacer) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	byJob := map[string][]executor.Event{}
	var keys []string
	for _, e := range r.events {
		if e.Kind == executor.EventWorkflowStart || e.Kind == executor.EventWorkflowEnd {
			continue
		}
		k := e.Workflow + " " + e.Job
		if _, ok := byJob[k]; !ok {
			keys = append(keys, k)
		}
		byJob[k] = append(byJob[k], e)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, e := range byJob[k] {
			switch e.Kind {
			case executor.EventJobStart:
				fmt.Fprintf(&b, "== job %s (%s)\n", e.Job, e.JobName)
			case executor.EventJobEnd:
				fmt.Fprintf(&b, "== job %s: %s%s%s\n", e.Job, e.Result, kv(" outputs", e.Outputs), errSuffix(e.Error))
			case executor.EventStepStart:
				fmt.Fprintf(&b, "  -- step %d %s: %s\n", e.Step, e.Stage, e.StepName)
			case executor.EventStepEnd:
				fmt.Fprintf(&b, "  -- step %d %s: %s (outcome %s)%s%s\n", e.Step, e.Stage, e.Result, e.Outcome, kv(" outputs", e.Outputs), errSuffix(e.Error))
				if e.Summary != "" {
					for _, l := range strings.Split(strings.TrimRight(e.Summary, "\n"), "\n") {
						fmt.Fprintf(&b, "     summary> %s\n", l)
					}
				}
			case executor.EventLog:
				level := ""
				if e.Level != "" {
					level = "[" + e.Level + "] "
				}
				fmt.Fprintf(&b, "     | %s%s\n", level, e.Line)
			}
		}
	}
	return replace.Replace(b.String())
}

func kv(label string, m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, m[k])
	}
	return label + " " + strings.Join(parts, " ")
}

func errSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " error: " + s
}

// runScenario runs the workflows of a scenario directory and returns the
// transcript and the result.
func runScenario(t *testing.T, dir string, cfg scenarioConfig) (string, *executor.RunResult) {
	t.Helper()
	return runScenarioOn(t, dir, cfg, hostBackends)
}

// hostBackends runs every job on the host backend.
func hostBackends([]string) (executor.Backend, executor.JobSpecHints, error) {
	return host.New(host.Config{Grace: 2 * time.Second}), executor.JobSpecHints{}, nil
}

// runScenarioOn is runScenario with the jobs on the given backends.
func runScenarioOn(t *testing.T, dir string, cfg scenarioConfig, backends executor.BackendFor) (string, *executor.RunResult) {
	t.Helper()
	repo := testkit.GitRepo(t, dir)
	event := cfg.Event
	if event == "" {
		event = "push"
	}
	ref := cfg.Ref
	if ref == "" {
		ref = "refs/heads/main"
	}
	p, err := enginetest.Plan(repo, plan.Event{Name: event, Ref: ref})
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if cfg.CancelAfterLine != "" {
		var once sync.Once
		rec.onLine = func(l string) {
			if strings.Contains(l, cfg.CancelAfterLine) {
				once.Do(cancel)
			}
		}
	}
	payload := map[string]any{"ref": ref}
	if event == "workflow_dispatch" && cfg.Inputs != nil {
		payload["inputs"] = cfg.Inputs
	}
	eng := executor.New(executor.Config{
		Loader:        enginetest.Loader(),
		Backends:      backends,
		Sink:          rec,
		WorkDir:       work,
		SourceDir:     repo,
		LocalCheckout: true,
		Github: map[string]any{
			"event_name": event, "ref": ref, "ref_name": strings.TrimPrefix(ref, "refs/heads/"),
			"sha": "0000000000000000000000000000000000000000", "repository": "anvil/scenario",
			"repository_owner": "anvil", "actor": "tester", "run_id": "1", "run_number": "1",
			"server_url": "http://127.0.0.1:3000", "workflow": "scenario",
			"event": payload,
		},
		Secrets:         cfg.Secrets,
		Vars:            cfg.Vars,
		Env:             cfg.Env,
		Inputs:          cfg.Inputs,
		BaseEnv:         executor.HostEnv(os.Environ()),
		Grace:           2 * time.Second,
		MaxParallelJobs: 4,
	})
	res, err := eng.Run(ctx, p)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	replace := strings.NewReplacer(work, "$WORK", repo, "$REPO")
	return jobDirs.ReplaceAllString(rec.transcript(replace), "$$WORK/$1-N"), res
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "testdata", "scenarios")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		name := ent.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(root, name)
			var cfg scenarioConfig
			data, err := os.ReadFile(filepath.Join(dir, "scenario.json"))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			if len(data) > 0 {
				if err := json.Unmarshal(data, &cfg); err != nil {
					t.Fatalf("scenario.json: %v", err)
				}
			}
			if !cfg.runsOn("host") {
				t.Skipf("scenario runs only on %q; TestConformance runs it", cfg.Backends)
			}
			for _, p := range cfg.Needs {
				if _, err := exec.LookPath(p); err != nil {
					t.Skipf("scenario needs %s on PATH, which this machine lacks", p)
				}
			}
			got, res := runScenario(t, filepath.Join(dir, "repo"), cfg)
			want := cfg.Result
			if want == "" {
				want = "success"
			}
			if string(res.Result) != want {
				t.Errorf("Run result = %s, want %s\n%s", res.Result, want, got)
			}
			golden.Check(t, filepath.Join(dir, "transcript.golden"), []byte(got))
			for _, s := range cfg.Secrets {
				for _, l := range strings.Split(s, "\n") {
					if strings.TrimSpace(l) != "" && strings.Contains(got, l) {
						t.Errorf("secret line %q appears in the transcript", l)
					}
				}
			}
		})
	}
}
