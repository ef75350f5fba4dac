package executor_test

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// TestProblems runs workflows that carry lint problems, and jobs whose
// runs-on no backend maps: errors fail every job of their workflow before
// its first step, warnings are logged at each job's start and change
// nothing else, and unmapped labels skip the job with a hint.
func TestProblems(t *testing.T) {
	t.Parallel()
	pos := func(line int) plan.Position {
		return plan.Position{File: ".forgejo/workflows/w.yml", Line: line, Column: 3}
	}
	step := &plan.Step{Run: "echo ran"}
	errProblem := plan.Problem{Pos: pos(4), Message: `undefined variable "shaa" [expression]`}
	warnProblem := plan.Problem{Pos: pos(9), Message: `"github.event.head_commit.message" is potentially untrusted [expression]`, Severity: plan.SeverityWarning}
	secretProblem := plan.Problem{Pos: pos(2), Message: "password s3cret in the file [credentials]", Severity: plan.SeverityError}
	whereProblem := plan.Problem{Pos: plan.Position{File: "task.yml"}, Where: `job "build", step 2 "Test"`, Message: "bad", Severity: plan.SeverityWarning}
	failed := ".forgejo/workflows/w.yml has %s (see above), so none of its jobs ran; fix the file and run again"
	tests := []struct {
		name     string
		wf       *plan.Workflow
		backends executor.BackendFor
		want     []string
		result   executor.Result
	}{
		{
			name: "errors fail every job with every problem, masked",
			wf: &plan.Workflow{File: ".forgejo/workflows/w.yml", Name: "W",
				Jobs: []*plan.Job{
					{ID: "build", Name: "Build ${{ matrix.os }}", RunsOn: []string{"x"}, Steps: []*plan.Step{step},
						Strategy: &plan.Strategy{Matrix: map[string]any{"os": []any{"a", "b"}}}},
					{ID: "test", Needs: []string{"build"}, RunsOn: []string{"x"}, Steps: []*plan.Step{step}},
				},
				Problems: []plan.Problem{secretProblem, errProblem, warnProblem},
			},
			want: []string{
				"workflow_start W",
				"job_start build (build)",
				"log build error: .forgejo/workflows/w.yml:2:3: password *** in the file [credentials]",
				`log build error: .forgejo/workflows/w.yml:4:3: undefined variable "shaa" [expression]`,
				`log build warning: .forgejo/workflows/w.yml:9:3: "github.event.head_commit.message" is potentially untrusted [expression]`,
				"job_end build failure: " + fmt.Sprintf(failed, "2 errors and 1 warning"),
				"job_start test (test)",
				"log test error: .forgejo/workflows/w.yml:2:3: password *** in the file [credentials]",
				`log test error: .forgejo/workflows/w.yml:4:3: undefined variable "shaa" [expression]`,
				`log test warning: .forgejo/workflows/w.yml:9:3: "github.event.head_commit.message" is potentially untrusted [expression]`,
				"job_end test failure: " + fmt.Sprintf(failed, "2 errors and 1 warning"),
				"workflow_end failure",
			},
			result: executor.ResultFailure,
		},
		{
			name: "a file without a readable job fails as one job named after it",
			wf:   &plan.Workflow{File: ".forgejo/workflows/w.yml", Problems: []plan.Problem{errProblem}},
			want: []string{
				"workflow_start ",
				"job_start  (.forgejo/workflows/w.yml)",
				`log  error: .forgejo/workflows/w.yml:4:3: undefined variable "shaa" [expression]`,
				"job_end  failure: " + fmt.Sprintf(failed, "1 error"),
				"workflow_end failure",
			},
			result: executor.ResultFailure,
		},
		{
			name: "warnings alone are logged by each job, which runs",
			wf: &plan.Workflow{File: ".forgejo/workflows/w.yml", Name: "W",
				Jobs:     []*plan.Job{{ID: "build", RunsOn: []string{"x"}, Steps: []*plan.Step{step}}},
				Problems: []plan.Problem{warnProblem, whereProblem},
			},
			want: []string{
				"workflow_start W",
				"job_start build (build)",
				`log build warning: .forgejo/workflows/w.yml:9:3: "github.event.head_commit.message" is potentially untrusted [expression]`,
				`log build warning: task.yml: job "build", step 2 "Test": bad`,
				"step_end build success",
				"job_end build success",
				"workflow_end success",
			},
			result: executor.ResultSuccess,
		},
		{
			name: "a job whose labels no backend maps is skipped with the hint, and so is what needs it",
			wf: &plan.Workflow{File: ".forgejo/workflows/w.yml", Name: "W",
				Jobs: []*plan.Job{
					{ID: "gpu", RunsOn: []string{"gpu"}, Steps: []*plan.Step{step}},
					{ID: "after", Needs: []string{"gpu"}, RunsOn: []string{"linux"}, Steps: []*plan.Step{step}},
					{ID: "linux", RunsOn: []string{"linux"}, Steps: []*plan.Step{step}},
				},
			},
			backends: func(runsOn []string) (executor.Backend, executor.JobSpecHints, error) {
				if runsOn[0] != "linux" {
					return nil, executor.JobSpecHints{}, fmt.Errorf("%w: add -P %s=host", executor.ErrNoPlatform, runsOn[0])
				}
				return host.New(host.Config{Grace: time.Second}), executor.JobSpecHints{}, nil
			},
			want: []string{
				"workflow_start W",
				"job_start after (after)",
				"job_end after skipped",
				"job_start gpu (gpu)",
				"log gpu warning: no runs-on label of the job is mapped, so it is skipped: add -P gpu=host",
				"job_end gpu skipped",
				"job_start linux (linux)",
				"step_end linux success",
				"job_end linux success",
				"workflow_end success",
			},
			result: executor.ResultSuccess,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			backends := tt.backends
			if backends == nil {
				backends = hostBackends
			}
			eng := executor.New(executor.Config{Loader: enginetest.Loader(), Backends: backends, Sink: rec, WorkDir: t.TempDir(),
				Secrets: map[string]string{"PASSWORD": "s3cret"}, BaseEnv: executor.HostEnv(os.Environ())})
			res, err := eng.Run(t.Context(), &plan.Plan{Event: "push", Workflows: []*plan.Workflow{tt.wf}})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Result != tt.result {
				t.Errorf("Run result = %s, want %s", res.Result, tt.result)
			}
			if diff := cmp.Diff(problemEvents(rec), tt.want); diff != "" {
				t.Errorf("events (-got +want):\n%s", diff)
			}
		})
	}
}

// problemEvents renders the events the problem path is about, grouped by
// job (jobs sorted, events in order): job and workflow start and end, step
// ends, and job-level log lines with a level; the workflow's start first
// and its end last.
func problemEvents(r *recorder) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var first, last string
	byJob := map[string][]string{}
	var jobs []string
	for _, e := range r.events {
		var s string
		switch {
		case e.Kind == executor.EventWorkflowStart:
			first = "workflow_start " + e.JobName
			continue
		case e.Kind == executor.EventWorkflowEnd:
			last = "workflow_end " + string(e.Result)
			continue
		case e.Kind == executor.EventJobStart:
			s = fmt.Sprintf("job_start %s (%s)", e.Job, e.JobName)
		case e.Kind == executor.EventJobEnd:
			s = fmt.Sprintf("job_end %s %s", e.Job, e.Result)
			if e.Error != "" {
				s += ": " + e.Error
			}
		case e.Kind == executor.EventStepEnd:
			s = fmt.Sprintf("step_end %s %s", e.Job, e.Result)
		case e.Kind == executor.EventLog && e.Step < 0 && e.Level != "":
			s = fmt.Sprintf("log %s %s: %s", e.Job, e.Level, e.Line)
		default:
			continue
		}
		if _, ok := byJob[e.Job]; !ok {
			jobs = append(jobs, e.Job)
		}
		byJob[e.Job] = append(byJob[e.Job], s)
	}
	out := []string{first}
	slices.Sort(jobs)
	for _, j := range jobs {
		out = append(out, byJob[j]...)
	}
	return append(out, last)
}
