//go:build linux

package executor_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
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
			data, err := os.ReadFile(pids)
			if err != nil {
				t.Fatal(err)
			}
			fields := strings.Fields(string(data))
			if len(fields) != 3 {
				t.Fatalf("pid file = %q, want 3 pids", data)
			}
			deadline := time.Now().Add(5 * time.Second)
			for _, f := range fields {
				pid, _ := strconv.Atoi(f)
				for running(pid) && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				if running(pid) {
					t.Errorf("process %d outlived the job", pid)
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		})
	}
}

// running reports whether pid is a process that has not ended: a zombie
// has ended.
func running(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}
