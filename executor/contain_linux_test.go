//go:build linux

package executor_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// TestDetachedProcessesEndWithTheJob is issue 11's item 4 run as anvil exec
// runs it (the engine with the host backend; the daemon runs its jobs
// through the same backend): a step that detaches processes with setsid
// and with a double fork leaves nothing running once the job has ended,
// whether it ended normally or was cancelled (Ctrl-C).
func TestDetachedProcessesEndWithTheJob(t *testing.T) {
	t.Parallel()
	for _, cancelled := range []bool{false, true} {
		t.Run(map[bool]string{false: "job ends", true: "job cancelled"}[cancelled], func(t *testing.T) {
			t.Parallel()
			pids := filepath.Join(t.TempDir(), "pids")
			wait := ""
			if cancelled {
				wait = "sleep 300"
			}
			plan := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: |
          setsid sleep 300 & echo $! >> `+pids+`
          ( (sleep 300 & echo $! >> `+pids+`) & )
          nohup setsid sh -c 'sleep 300' > /dev/null 2>&1 & echo $! >> `+pids+`
          sleep 0.2
          echo detached
          `+wait+`
      - run: echo next step
`)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var once sync.Once
			sink := executor.SinkFunc(func(e executor.Event) {
				if cancelled && e.Kind == executor.EventLog && e.Line == "detached" {
					once.Do(func() { go func() { time.Sleep(100 * time.Millisecond); cancel() }() })
				}
			})
			res, err := hostEngine(t, sink, executor.Config{}).Run(ctx, plan)
			if err != nil {
				t.Fatal(err)
			}
			want := executor.ResultSuccess
			if cancelled {
				want = executor.ResultCancelled
			}
			if res.Result != want {
				t.Errorf("Run result = %s, want %s", res.Result, want)
			}
			testkit.CheckEnded(t, testkit.ReadPids(t, pids, 3), "outlived the job")
		})
	}
}
