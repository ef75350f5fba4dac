//go:build linux

package host

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// detachScript starts a process in its own session (setsid) and one behind
// a double fork, writes their pids to $PIDFILE and, with "wait", waits.
const detachScript = `setsid sleep 300 & echo $! >> "$PIDFILE"
( (sleep 300 & echo $! >> "$PIDFILE") & )
echo started
if [ "$1" = wait ]; then sleep 300; fi`

// TestCloseKillsDetachedProcesses is issue 11's item 4 for the host
// backend: processes a step detaches with setsid or a double fork, which
// leave its process group, are gone after Close, once the step ended
// normally and once it was cancelled, and none is left as a zombie.
func TestCloseKillsDetachedProcesses(t *testing.T) {
	t.Parallel()
	for _, cancelled := range []bool{false, true} {
		t.Run(map[bool]string{false: "after the job", true: "after a cancel"}[cancelled], func(t *testing.T) {
			t.Parallel()
			env, root := testEnv(t, 200*time.Millisecond)
			pidFile := filepath.Join(root, "pids")
			arg := ""
			if cancelled {
				arg = "wait"
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var out testkit.LockedBuffer
			res := execAsync(ctx, env, executor.Command{
				Args: []string{"sh", "-c", detachScript, "sh", arg},
				Env:  append(shEnv(), "PIDFILE="+pidFile),
			}, &out)
			pids := readPids(t, pidFile, 2)
			if cancelled {
				testkit.WaitFor(t, 10*time.Second, "the step to start", func() bool { return out.String() == "started\n" })
				cancel()
			}
			if r := <-res; r.err != nil {
				t.Fatalf("Exec = %d, %v", r.code, r.err)
			}
			// A cancel kills the step's process group, which holds the
			// double-forked process; the one in its own session survives
			// until Close.
			alivePids := pids
			if cancelled {
				alivePids = pids[:1]
			}
			for _, pid := range alivePids {
				if !testkit.Running(pid) {
					t.Fatalf("process %d ended with its step; the test needs it alive until Close", pid)
				}
			}
			if err := env.Close(t.Context()); err != nil {
				t.Fatalf("Close: %v", err)
			}
			testkit.CheckEnded(t, pids, "outlived Close")
			testkit.WaitFor(t, 10*time.Second, "the killed processes to be reaped", func() bool {
				for _, pid := range pids {
					if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
						return false
					}
				}
				return true
			})
		})
	}
}

// TestCloseSparesOtherJobs checks that Close of one job leaves the
// detached processes of another job alone: the mark tells them apart.
func TestCloseSparesOtherJobs(t *testing.T) {
	t.Parallel()
	mine, _ := testEnv(t, time.Second)
	other, root := testEnv(t, time.Second)
	pidFile := filepath.Join(root, "pids")
	if _, err := other.Exec(t.Context(), executor.Command{
		Args: []string{"sh", "-c", detachScript}, Env: append(shEnv(), "PIDFILE="+pidFile),
	}, &testkit.LockedBuffer{}); err != nil {
		t.Fatal(err)
	}
	pids := readPids(t, pidFile, 2)
	if err := mine.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if !testkit.Running(pid) {
			t.Errorf("closing one job killed process %d of another", pid)
		}
	}
	if err := other.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	testkit.CheckEnded(t, pids, "outlived Close")
}
