package cmd

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/osproc"
)

// anvil drain (the chart's preStop hook) lets the running job finish,
// returns once the daemon has exited, and no job is taken meanwhile.
func TestDrain(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	d := newDaemonDir(t, srv, "  shutdown_timeout: 30s\n")
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps: [{run: 'echo started; sleep 1; echo slept'}]\n"})
	p := startDaemon(t, d)
	waitTask(t, srv, id, "the job's start", printed("started\n"))
	next := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  k:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	proc, _, stderr := testProcess(map[string]string{})
	start := time.Now()
	if code := Main(t.Context(), proc, []string{"drain", "--pid", strconv.Itoa(p.cmd.Process.Pid), "--timeout", "30s"}); code != ExitOK {
		t.Fatalf("drain exit %d: %s", code, stderr)
	}
	// When drain returns, the daemon has exited: reaped by the test's
	// Wait, or a zombie that Wait is about to reap.
	select {
	case <-p.done:
	default:
		if _, err := os.Stat("/proc/" + strconv.Itoa(p.cmd.Process.Pid)); err == nil && !osproc.IsZombie(p.cmd.Process.Pid) {
			t.Fatalf("drain returned after %s while the daemon still runs", time.Since(start))
		}
		<-p.done
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("daemon exit %d, want 0:\n%s", code, p.stderr)
	}
	if rec := srv.Task(id); rec.Status != forgetest.StatusSuccess || !strings.Contains(rowsOf(rec), "slept") || !rec.LogClosed {
		t.Errorf("the running job: %s, log closed %t; want it finished and reported", rec.Status, rec.LogClosed)
	}
	if st := srv.Task(next).Status; st != forgetest.StatusWaiting {
		t.Errorf("a job was taken while draining: %s", st)
	}
	// Draining a process that is gone is no error.
	proc, _, stderr = testProcess(map[string]string{})
	if code := Main(t.Context(), proc, []string{"drain", "--pid", strconv.Itoa(p.cmd.Process.Pid)}); code != ExitOK || !strings.Contains(stderr.String(), "not running") {
		t.Errorf("drain of an exited process: exit %d, %s", code, stderr)
	}
}
