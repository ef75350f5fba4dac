package executor_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// planFor parses one workflow text into a push plan.
func planFor(t *testing.T, text string) *plan.Plan {
	t.Helper()
	return enginetest.PushPlan(t, "ci.yml", []byte(text))
}

func hostEngine(t *testing.T, sink executor.Sink, cfg executor.Config) *executor.Engine {
	t.Helper()
	cfg.Backends = func([]string) (executor.Backend, executor.JobSpecHints, error) {
		return host.New(host.Config{Grace: time.Second}), executor.JobSpecHints{}, nil
	}
	cfg.Sink = sink
	if cfg.Loader == nil {
		cfg.Loader = enginetest.Loader()
	}
	if cfg.WorkDir == "" {
		cfg.WorkDir = t.TempDir()
	}
	if cfg.BaseEnv == nil {
		cfg.BaseEnv = executor.HostEnv(os.Environ())
	}
	cfg.Grace = time.Second
	return executor.New(cfg)
}

// TestCancelLeavesNoProcess cancels a job whose step started a process
// tree that ignores SIGINT, and checks that every process is gone, the
// always() and post-style steps ran, and the job is cancelled.
func TestCancelLeavesNoProcess(t *testing.T) {
	t.Parallel()
	pids := filepath.Join(t.TempDir(), "pids")
	p := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: |
          (trap '' INT; sleep 300) &
          echo $! >> `+pids+`
          sh -c 'trap "" INT; echo $$ >> `+pids+`; sleep 300' &
          trap '' INT
          echo $$ >> `+pids+`
          echo started
          wait
      - if: always()
        run: echo always ran
`)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var lines []string
	rec := executor.SinkFunc(func(e executor.Event) {
		if e.Kind == executor.EventLog {
			lines = append(lines, e.Line)
			if e.Line == "started" {
				go func() { time.Sleep(200 * time.Millisecond); cancel() }()
			}
		}
	})
	start := time.Now()
	res, err := hostEngine(t, rec, executor.Config{}).Run(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != executor.ResultCancelled {
		t.Errorf("Run result = %s, want cancelled\n%s", res.Result, strings.Join(lines, "\n"))
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("cancellation took %s; the grace period is 1s", d)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "always ran") {
		t.Errorf("the always() step did not run:\n%s", strings.Join(lines, "\n"))
	}
	testkit.CheckEnded(t, testkit.ReadPids(t, pids, 3), "survived the cancellation")
}

// TestKillStopsAlwaysSteps checks that Kill (a second Ctrl-C) stops even the
// steps that run after a cancellation.
func TestKillStopsAlwaysSteps(t *testing.T) {
	t.Parallel()
	p := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo first && sleep 300
      - if: always()
        run: echo cleanup && sleep 300
`)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var eng *executor.Engine
	rec := executor.SinkFunc(func(e executor.Event) {
		switch {
		case e.Kind == executor.EventLog && e.Line == "first":
			cancel()
		case e.Kind == executor.EventLog && e.Line == "cleanup":
			eng.Kill()
		}
	})
	eng = hostEngine(t, rec, executor.Config{})
	start := time.Now()
	res, err := eng.Run(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != executor.ResultCancelled {
		t.Errorf("Run result = %s, want cancelled", res.Result)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Kill took %s to stop the run", d)
	}
}

// TestJobEnvironmentIsClean checks that a job sees only allow-listed
// variables of anvil's environment.
func TestJobEnvironmentIsClean(t *testing.T) {
	t.Parallel()
	p := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo "token=${ANVIL_TEST_TOKEN:-unset} path=${PATH:+set} home=${HOME:+set}"
`)
	var got []string
	rec := executor.SinkFunc(func(e executor.Event) {
		if e.Kind == executor.EventLog && strings.HasPrefix(e.Line, "token=") {
			got = append(got, e.Line)
		}
	})
	base := executor.HostEnv([]string{"ANVIL_TEST_TOKEN=leak", "PATH=" + os.Getenv("PATH"), "HOME=/root", "LC_ALL=C"})
	if _, ok := base["ANVIL_TEST_TOKEN"]; ok {
		t.Fatalf("HostEnv kept ANVIL_TEST_TOKEN: %v", base)
	}
	if base["LC_ALL"] != "C" {
		t.Errorf("HostEnv dropped LC_ALL: %v", base)
	}
	res, err := hostEngine(t, rec, executor.Config{BaseEnv: base}).Run(t.Context(), p)
	if err != nil || res.Result != executor.ResultSuccess {
		t.Fatalf("Run = %v, %v", res, err)
	}
	if want := "token=unset path=set home=set"; len(got) != 1 || got[0] != want {
		t.Errorf("job saw %q, want %q", got, want)
	}
}
