package resolve_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

// chainRepo adds acme/chain: reusable workflows ten-N.yml that call
// ten-(N+1).yml down to the tenth level of workflows (the caller being
// the first), and eleven-N.yml that go one level further.
func chainRepo(t *testing.T, srv *gittest.Server) {
	t.Helper()
	files := map[string]string{}
	for _, chain := range []struct {
		name string
		last int
	}{{"ten", 10}, {"eleven", 11}} {
		for level := 2; level <= chain.last; level++ {
			var b strings.Builder
			fmt.Fprintf(&b, "on: workflow_call\njobs:\n  here:\n    runs-on: ubuntu-latest\n    steps:\n")
			fmt.Fprintf(&b, "      - run: echo \"level %[2]d of %[1]s, secret ${{ secrets.DEPLOY_KEY }}\"\n", chain.name, level)
			if level < chain.last {
				fmt.Fprintf(&b, "  deeper:\n    uses: acme/chain/.forgejo/workflows/%s-%d.yml@v1\n    secrets: inherit\n", chain.name, level+1)
			}
			files[fmt.Sprintf(".forgejo/workflows/%s-%d.yml", chain.name, level)] = b.String()
		}
	}
	r := srv.NewRepo(t, "acme/chain", false)
	r.Commit(t, "main", files, "chain")
	r.Tag(t, "v1", "main")
}

// TestEngineRunsRemoteActions runs workflows that use the fixture's
// actions and reusable workflows through the engine and the host backend,
// and compares transcripts with testdata/engine/NAME.golden.
func TestEngineRunsRemoteActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{})
	chainRepo(t, f.srv)
	cache := t.TempDir()
	tests := []struct {
		name       string
		needs      string // a program the case needs on PATH
		wantResult executor.Result
		wantJobs   map[string]executor.Result
	}{
		{name: "composite", wantResult: executor.ResultSuccess},
		{name: "node", needs: "node", wantResult: executor.ResultSuccess},
		{name: "prepost", needs: "node", wantResult: executor.ResultSuccess},
		{name: "reusable", needs: "node", wantResult: executor.ResultSuccess,
			wantJobs: map[string]executor.Result{"explicit / deploy": executor.ResultSuccess, "inherit / deploy": executor.ResultSuccess}},
		{name: "nested", wantResult: executor.ResultFailure, wantJobs: map[string]executor.Result{
			// The tenth level of workflows runs, with the inherited secret.
			"ten" + strings.Repeat(" / deeper", 8) + " / here":    executor.ResultSuccess,
			"eleven" + strings.Repeat(" / deeper", 8) + " / here": executor.ResultSuccess,
			// An eleventh level does not.
			"eleven" + strings.Repeat(" / deeper", 9): executor.ResultFailure,
			"ten":    executor.ResultSuccess,
			"eleven": executor.ResultFailure,
		}},
		{name: "missing", wantResult: executor.ResultFailure, wantJobs: map[string]executor.Result{
			"missing": executor.ResultFailure, "missing-workflow": executor.ResultFailure}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.needs != "" {
				if _, err := exec.LookPath(tt.needs); err != nil {
					t.Skipf("the %s case needs %s on PATH, which this machine lacks", tt.name, tt.needs)
				}
			}
			r := f.resolver(t, resolve.Config{CacheDir: cache})
			got, res := runEngine(t, f.srv.URL, r, filepath.Join("testdata", "engine", tt.name+".yml"))
			got = strings.NewReplacer(cache, "$CACHE", f.srv.URL, "$SERVER").Replace(got)
			if res.Result != tt.wantResult {
				t.Errorf("Run result = %s, want %s\n%s", res.Result, tt.wantResult, got)
			}
			jobs := map[string]executor.Result{}
			for _, j := range res.Jobs {
				jobs[j.Job] = j.Result
			}
			for job, want := range tt.wantJobs {
				if jobs[job] != want {
					t.Errorf("job %q: result %q, want %q (jobs: %v)", job, jobs[job], want, jobs)
				}
			}
			if strings.Contains(got, "k3y-material") {
				t.Errorf("the secret appears in the transcript")
			}
			golden.Check(t, filepath.Join("testdata", "engine", tt.name+".golden"), []byte(got))
		})
	}
}

// runEngine plans the push workflow in file (with ${SERVER} replaced by
// the server's URL) and runs it on the host with r resolving actions.
func runEngine(t *testing.T, serverURL string, r executor.ActionResolver, file string) (string, *executor.RunResult) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.ReplaceAll(string(data), "${SERVER}", serverURL))
	p := enginetest.PushPlan(t, filepath.Base(file), data)
	work := t.TempDir()
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	eng := executor.New(executor.Config{
		Loader: enginetest.Loader(),
		Backends: func([]string) (executor.Backend, executor.JobSpecHints, error) {
			return host.New(host.Config{Grace: 2 * time.Second}), executor.JobSpecHints{}, nil
		},
		Sink:      rec,
		WorkDir:   work,
		SourceDir: t.TempDir(),
		Actions:   r,
		Github: map[string]any{"event_name": "push", "ref": "refs/heads/main", "repository": "acme/app",
			"repository_owner": "acme", "server_url": serverURL, "sha": strings.Repeat("0", 40)},
		Secrets:         map[string]string{"DEPLOY_KEY": "k3y-material", "GITHUB_TOKEN": "job-token"},
		BaseEnv:         executor.HostEnv(os.Environ()),
		Grace:           2 * time.Second,
		MaxParallelJobs: 4,
	})
	res, err := eng.Run(ctx, p)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return jobDirs.ReplaceAllString(strings.ReplaceAll(rec.transcript(), work, "$WORK"), "$$WORK/$1-N"), res
}

// jobDirs matches job directories, whose numbers depend on scheduling.
var jobDirs = regexp.MustCompile(`\$WORK/([A-Za-z0-9_.-]+?)-[0-9]+`)

// recorder keeps the events of each job in order.
type recorder struct {
	mu     sync.Mutex
	events []executor.Event
}

func (r *recorder) Emit(e executor.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// transcript renders the events per job, jobs sorted by key, without
// times and durations.
func (r *recorder) transcript() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	byJob := map[string][]executor.Event{}
	for _, e := range r.events {
		if e.Kind != executor.EventWorkflowStart && e.Kind != executor.EventWorkflowEnd {
			byJob[e.Job] = append(byJob[e.Job], e)
		}
	}
	keys := make([]string, 0, len(byJob))
	for k := range byJob {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, e := range byJob[k] {
			switch e.Kind {
			case executor.EventJobStart:
				fmt.Fprintf(&b, "== job %s\n", e.Job)
			case executor.EventJobEnd:
				fmt.Fprintf(&b, "== job %s: %s%s%s\n", e.Job, e.Result, pairs(e.Outputs), errText(e.Error))
			case executor.EventStepStart:
				fmt.Fprintf(&b, "  -- step %d %s: %s\n", e.Step, e.Stage, e.StepName)
			case executor.EventStepEnd:
				fmt.Fprintf(&b, "  -- step %d %s: %s%s%s\n", e.Step, e.Stage, e.Result, pairs(e.Outputs), errText(e.Error))
			case executor.EventLog:
				if e.Level == "group" || e.Level == "endgroup" || strings.HasPrefix(e.Line, "Runner: ") {
					continue
				}
				level := ""
				if e.Level != "" {
					level = "[" + e.Level + "] "
				}
				fmt.Fprintf(&b, "     | %s%s\n", level, e.Line)
			}
		}
	}
	return b.String()
}

func pairs(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(" outputs")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, m[k])
	}
	return b.String()
}

func errText(s string) string {
	if s == "" {
		return ""
	}
	return " error: " + s
}
