package executor_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// TestAdmit runs jobs past an Admit hook: an error problem fails the job
// before anything of it runs, with the message in its log (masked); a
// warning is logged and the job runs; a job calling a reusable workflow
// is asked before the workflow is read; the hook sees the job evaluated.
func TestAdmit(t *testing.T) {
	t.Parallel()
	denied := "the policy denied this job (see above), so none of its steps ran"
	marker := func(dir string) *plan.Step {
		return &plan.Step{Run: "echo ran > " + filepath.Join(dir, "ran")}
	}
	tests := []struct {
		name   string
		jobs   func(dir string) []*plan.Job
		decide func(job *plan.Job) []plan.Problem
		want   []string
		ran    bool
		result executor.Result
	}{
		{
			name: "deny fails each matrix job before its first step",
			jobs: func(dir string) []*plan.Job {
				return []*plan.Job{{ID: "build", RunsOn: []string{"x"}, Steps: []*plan.Step{marker(dir)},
					Strategy: &plan.Strategy{Matrix: map[string]any{"os": []any{"a"}}}}}
			},
			decide: func(*plan.Job) []plan.Problem {
				return []plan.Problem{
					{Message: `policy rule "r" warns: w`, Severity: plan.SeverityWarning},
					{Message: `policy rule "images" denies this job: no (value: "s3cret:latest")`, Severity: plan.SeverityError},
				}
			},
			want: []string{
				"workflow_start W",
				"job_start build (a) (build (a))",
				`log build (a) warning: policy rule "r" warns: w`,
				`log build (a) error: policy rule "images" denies this job: no (value: "***:latest")`,
				"log build (a) error: " + denied,
				"job_end build (a) failure: " + denied,
				"workflow_end failure",
			},
			result: executor.ResultFailure,
		},
		{
			name: "warn lets the job run",
			jobs: func(dir string) []*plan.Job {
				return []*plan.Job{{ID: "build", RunsOn: []string{"x"}, Steps: []*plan.Step{marker(dir)}}}
			},
			decide: func(*plan.Job) []plan.Problem {
				return []plan.Problem{{Message: `policy rule "r" warns: w`, Severity: plan.SeverityWarning}}
			},
			want: []string{
				"workflow_start W",
				"job_start build (build)",
				`log build warning: policy rule "r" warns: w`,
				"step_end build success",
				"job_end build success",
				"workflow_end success",
			},
			ran:    true,
			result: executor.ResultSuccess,
		},
		{
			name: "a denied call reads no workflow",
			jobs: func(string) []*plan.Job {
				return []*plan.Job{{ID: "call", Uses: "./.forgejo/workflows/missing.yml", Pos: plan.Position{File: "w.yml", Line: 3, Column: 3}}}
			},
			decide: func(j *plan.Job) []plan.Problem {
				return []plan.Problem{{Message: "no calls to " + j.Uses, Severity: plan.SeverityError}}
			},
			want: []string{
				"workflow_start W",
				"job_start call (call)",
				"log call error: no calls to ./.forgejo/workflows/missing.yml",
				`log call error: w.yml:3:3: job "call": ` + denied,
				`job_end call failure: w.yml:3:3: job "call": ` + denied,
				"workflow_end failure",
			},
			result: executor.ResultFailure,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			rec := &recorder{}
			admit := func(_ context.Context, wf *plan.Workflow, job *plan.Job, key string) []plan.Problem {
				return tt.decide(job)
			}
			eng := executor.New(executor.Config{Loader: enginetest.Loader(), Backends: hostBackends, Sink: rec, WorkDir: t.TempDir(), SourceDir: dir,
				Secrets: map[string]string{"PASSWORD": "s3cret"}, BaseEnv: executor.HostEnv(os.Environ()), Admit: admit})
			wf := &plan.Workflow{File: "w.yml", Name: "W", Jobs: tt.jobs(dir)}
			res, err := eng.Run(t.Context(), &plan.Plan{Event: "push", Workflows: []*plan.Workflow{wf}})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Result != tt.result {
				t.Errorf("Run result = %s, want %s", res.Result, tt.result)
			}
			if diff := cmp.Diff(problemEvents(rec), tt.want); diff != "" {
				t.Errorf("events (-got +want):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(dir, "ran")); (err == nil) != tt.ran {
				t.Errorf("the step ran = %v, want %v", err == nil, tt.ran)
			}
		})
	}
}

// TestAdmitSeesEvaluatedJob checks what the hook is given: the job's
// name, runs-on, container, services and timeout evaluated with the
// matrix, registry credentials reduced to their keys, and the job's key.
func TestAdmitSeesEvaluatedJob(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []*plan.Job
	var keys []string
	admit := func(_ context.Context, wf *plan.Workflow, job *plan.Job, key string) []plan.Problem {
		mu.Lock()
		defer mu.Unlock()
		seen, keys = append(seen, job), append(keys, wf.File+" "+key)
		return []plan.Problem{{Message: "stop", Severity: plan.SeverityError}}
	}
	job := &plan.Job{ID: "b", Name: "B ${{ matrix.v }}", RunsOn: []string{"${{ matrix.os }}"}, TimeoutMinutes: "${{ matrix.t }}",
		Strategy:  &plan.Strategy{Matrix: map[string]any{"v": []any{"20"}, "os": []any{"linux"}, "t": []any{1.5}}},
		Container: &plan.Container{Image: "node:${{ matrix.v }}", Options: "--cpus ${{ matrix.v }}", Credentials: map[string]string{"username": "u", "password": "${{ secrets.PASSWORD }}"}},
		Services:  map[string]*plan.Container{"db": {Image: "pg:${{ matrix.v }}", Ports: []string{"${{ matrix.v }}:1"}}},
		Steps:     []*plan.Step{{Run: "true"}}}
	eng := executor.New(executor.Config{Loader: enginetest.Loader(), Backends: hostBackends, WorkDir: t.TempDir(), Admit: admit,
		Secrets: map[string]string{"PASSWORD": "s3cret"}, BaseEnv: executor.HostEnv(os.Environ())})
	wf := &plan.Workflow{File: "w.yml", Jobs: []*plan.Job{job}}
	if _, err := eng.Run(t.Context(), &plan.Plan{Event: "push", Workflows: []*plan.Workflow{wf}}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(seen) != 1 {
		t.Fatalf("the hook was called %d times, want 1", len(seen))
	}
	got := seen[0]
	want := &plan.Job{ID: "b", Name: "B 20", RunsOn: []string{"linux"}, TimeoutMinutes: "1.5", Strategy: job.Strategy, Steps: job.Steps,
		Container: &plan.Container{Image: "node:20", Options: "--cpus 20", Env: map[string]string{}, Credentials: map[string]string{"username": "", "password": ""}},
		Services:  map[string]*plan.Container{"db": {Image: "pg:20", Ports: []string{"20:1"}, Env: map[string]string{}}}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("the hook saw (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(keys, []string{"w.yml b (linux, 1.5, 20)"}); diff != "" {
		t.Errorf("keys (-got +want):\n%s", diff)
	}
	if job.Name != "B ${{ matrix.v }}" || job.Container.Image != "node:${{ matrix.v }}" {
		t.Errorf("the plan's job was changed: %+v", job)
	}
}
