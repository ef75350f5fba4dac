package executor_test

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/executortest"
	"codeberg.org/anvil-ci/anvil/executor/host"
)

// TestPanicFailsOnlyItsJob runs a workflow whose job "boom" runs on a
// backend that panics: that job fails with the reason and the stack in
// its log, its environment is closed, and the job beside it and the
// job that needs it run as they would after any failure.
func TestPanicFailsOnlyItsJob(t *testing.T) {
	t.Parallel()
	p := planFor(t, `on: push
jobs:
  boom:
    runs-on: boom
    steps: [{run: echo not-reached}]
  fine:
    runs-on: host
    steps: [{run: echo fine-ran}]
  after:
    needs: boom
    if: always()
    runs-on: host
    steps: [{run: echo after-ran}]
`)
	hostBackend := host.New(host.Config{Grace: 2 * time.Second})
	// boom runs on the host through a fake whose Exec (a step) panics.
	boom := executortest.New(t, executortest.Config{Inner: hostBackend,
		Exec: func(context.Context, executor.Environment, executor.Command, io.Writer) (int, error) {
			panic("injected panic in Exec")
		}})
	backends := func(labels []string) (executor.Backend, executor.JobSpecHints, error) {
		if labels[0] == "boom" {
			return boom, executor.JobSpecHints{}, nil
		}
		return hostBackend, executor.JobSpecHints{}, nil
	}
	rec := &recorder{}
	eng := executor.New(executor.Config{Backends: backends, Sink: rec, WorkDir: t.TempDir(), BaseEnv: executor.HostEnv(os.Environ())})
	res, err := eng.Run(t.Context(), p)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	results := map[string]executor.Result{}
	for _, j := range res.Jobs {
		results[j.Job] = j.Result
		if j.Job == "boom" && !strings.Contains(j.Error, "anvil failed while running this job (panic: injected panic in Exec)") {
			t.Errorf("boom's error = %q, want the panic", j.Error)
		}
	}
	want := map[string]executor.Result{"boom": executor.ResultFailure, "fine": executor.ResultSuccess, "after": executor.ResultSuccess}
	for job, r := range want {
		if results[job] != r {
			t.Errorf("job %s: %s, want %s", job, results[job], r)
		}
	}
	if boom.Count(executortest.OpClose) == 0 {
		t.Error("boom's environment was not closed")
	}
	var log strings.Builder
	for _, e := range rec.events {
		if e.Kind == executor.EventLog {
			log.WriteString(e.Job + ": " + e.Line + "\n")
		}
	}
	for _, line := range []string{"boom: anvil failed while running this job", "boom: Stack of the failure", "job_recover.go", "fine: fine-ran", "after: after-ran"} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("log lacks %q:\n%s", line, log.String())
		}
	}
	if strings.Contains(log.String(), "not-reached") && !strings.Contains(log.String(), "echo not-reached") {
		t.Errorf("boom's step ran:\n%s", log.String())
	}
}
