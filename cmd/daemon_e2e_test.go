package cmd

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// The daemon tests run the real anvil binary (built from ./cmd/anvil) as
// a child process against the test forge, with the host executor.

func waitTask(t *testing.T, srv *forgetest.Server, id int64, what string, cond func(forgetest.TaskRecord) bool) forgetest.TaskRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rec, err := srv.WaitFor(ctx, id, cond)
	if err != nil {
		t.Fatalf("waiting for task %d (%s): %v\nrows:\n%s", id, what, err, rowsOf(rec))
	}
	return rec
}

func reported(r forgetest.TaskRecord) bool { return r.LogClosed && r.ReportedResult != 0 }

func printed(s string) func(forgetest.TaskRecord) bool {
	return func(r forgetest.TaskRecord) bool { return strings.Contains(rowsOf(r), s) }
}

func TestDaemonSignals(t *testing.T) {
	t.Parallel()
	const job = `on: push
jobs:
  j:
    runs-on: self-hosted
    steps:
      - run: echo started; sleep %s; echo slept
      - if: cancelled()
        run: echo cleanup
`
	tests := []struct {
		name     string
		shutdown string
		sleep    string
		signals  int
		want     runnerv1.Result
		wantRows []string
	}{
		{name: "SIGTERM lets the running job finish", shutdown: "30s", sleep: "2", signals: 1,
			want: runnerv1.Result_RESULT_SUCCESS, wantRows: []string{"slept", "Job succeeded"}},
		{name: "shutdown_timeout passes, job cancelled", shutdown: "1s", sleep: "60", signals: 1,
			want: runnerv1.Result_RESULT_CANCELLED, wantRows: []string{"cleanup", "The runner is shutting down", "Job cancelled"}},
		{name: "second SIGTERM cancels at once", shutdown: "1h", sleep: "60", signals: 2,
			want: runnerv1.Result_RESULT_CANCELLED, wantRows: []string{"cleanup", "The runner is shutting down", "Job cancelled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			d := newDaemonDir(t, srv, "  shutdown_timeout: "+tt.shutdown+"\n")
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: strings.ReplaceAll(job, "%s", tt.sleep)})
			next := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  k:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
			p := startDaemon(t, d)
			waitTask(t, srv, id, "the job's start", printed("started\n"))
			start := time.Now()
			p.signal(t, syscall.SIGTERM)
			if tt.signals == 2 {
				time.Sleep(300 * time.Millisecond)
				p.signal(t, syscall.SIGTERM)
			}
			if code := p.wait(t, 30*time.Second); code != 0 {
				t.Errorf("exit status %d, want 0; log:\n%s", code, p.stderr)
			}
			took := time.Since(start)
			rec := srv.Task(id)
			if rec.ReportedResult != tt.want || !reported(rec) {
				t.Errorf("task reported %s (log closed %t), want %s; rows:\n%s", rec.ReportedResult, rec.LogClosed, tt.want, rowsOf(rec))
			}
			for _, w := range tt.wantRows {
				if !strings.Contains(rowsOf(rec), w) {
					t.Errorf("rows lack %q:\n%s", w, rowsOf(rec))
				}
			}
			if st := srv.Task(next).Status; st != forgetest.StatusWaiting {
				t.Errorf("a task was taken after SIGTERM: %s", st)
			}
			if tt.sleep == "60" && took > 15*time.Second {
				t.Errorf("stopping took %s", took)
			}
			if !strings.Contains(p.stderr.String(), "stopping: taking no new jobs") {
				t.Errorf("the daemon did not say it stops:\n%s", p.stderr)
			}
		})
	}
}

var lineRE = regexp.MustCompile(`^line (\d+)$`)

func TestDaemonKilledAndRestarted(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	d := newDaemonDir(t, srv, "")
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: `on: push
jobs:
  long:
    runs-on: self-hosted
    steps:
      - run: for i in $(seq 1 100); do echo "line $i"; sleep 0.05; done
      - run: echo never-reached
`})
	p := startDaemon(t, d)
	waitTask(t, srv, id, "line 10 on the forge", printed("line 10\n"))
	p.signal(t, syscall.SIGKILL)
	p.wait(t, 10*time.Second)
	if st := srv.Task(id).Status; st != forgetest.StatusRunning {
		t.Fatalf("after SIGKILL the task is %s on the forge, want still running", st)
	}

	p2 := startDaemon(t, d)
	rec := waitTask(t, srv, id, "the report after the restart", reported)
	if rec.ReportedResult != runnerv1.Result_RESULT_FAILURE {
		t.Errorf("reported %s, want FAILURE", rec.ReportedResult)
	}
	text := rowsOf(rec)
	if !strings.Contains(text, "The runner was restarted while this job was running") || !strings.HasSuffix(text, "Job failed\n") {
		t.Errorf("rows do not end with the restart line and Job failed:\n%s", text)
	}
	// Every line printed before the kill, once, in order.
	next := 1
	for _, row := range rec.Rows {
		if m := lineRE.FindStringSubmatch(row.Content); m != nil {
			if got, _ := strconv.Atoi(m[1]); got != next {
				t.Fatalf("row %q, want line %d", row.Content, next)
			}
			next++
		}
	}
	if next <= 10 {
		t.Errorf("only lines up to %d, but line 10 had reached the forge before the kill", next-1)
	}
	if len(rec.Notes) > 0 {
		t.Errorf("the forge noted: %v", rec.Notes)
	}
	// The restarted daemon goes on taking jobs.
	later := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  k:\n    runs-on: self-hosted\n    steps: [{run: echo after-restart}]\n"})
	if rec := waitTask(t, srv, later, "a job after the restart", reported); rec.Status != forgetest.StatusSuccess {
		t.Errorf("job after the restart: %s", rec.Status)
	}
	p2.signal(t, syscall.SIGTERM)
	p2.wait(t, 30*time.Second)
}

func TestDaemonUnregistered(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	d := newDaemonDir(t, srv, "")
	p := startDaemon(t, d)
	deadline := time.Now().Add(10 * time.Second)
	for srv.Requests(forgetest.MethodFetchTask) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	srv.DeleteRunner(d.runner.UUID)
	if code := p.wait(t, 30*time.Second); code != ExitFailed {
		t.Errorf("exit status %d, want %d", code, ExitFailed)
	}
	if !strings.Contains(p.stderr.String(), "register it again with anvil register") {
		t.Errorf("the daemon does not say to register again:\n%s", p.stderr)
	}
}

func TestDaemonOnce(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	d := newDaemonDir(t, srv, "")
	first := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps: [{run: 'sleep 0.5'}]\n"})
	second := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  b:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	p := startDaemon(t, d, "--once")
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit %d; log:\n%s", code, p.stderr)
	}
	if rec := srv.Task(first); rec.Status != forgetest.StatusSuccess || !rec.LogClosed {
		t.Errorf("first task %s (log closed %t), want success", rec.Status, rec.LogClosed)
	}
	if st := srv.Task(second).Status; st != forgetest.StatusWaiting {
		t.Errorf("second task %s, want waiting", st)
	}
	if !strings.Contains(p.stderr.String(), "task.id=1") {
		t.Errorf("the daemon's log lacks the task.id field:\n%s", p.stderr)
	}
}

// TestDaemonDetachedProcessesEndWithTheJob is issue 11's item 4 under the
// daemon: processes a step detached with setsid or a double fork are gone
// once the job is reported, instead of running on into later jobs.
func TestDaemonDetachedProcessesEndWithTheJob(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	d := newDaemonDir(t, srv, "")
	pids := filepath.Join(d.dir, "pids")
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: `on: push
jobs:
  j:
    runs-on: self-hosted
    steps:
      - run: |
          setsid sleep 300 & echo $! >> ` + pids + `
          ( (sleep 300 & echo $! >> ` + pids + `) & )
          sleep 0.2
`})
	p := startDaemon(t, d)
	if rec := waitTask(t, srv, id, "reported", reported); rec.Status != forgetest.StatusSuccess {
		t.Fatalf("task %s, want success; log:\n%s", rec.Status, p.stderr)
	}
	testkit.CheckEnded(t, testkit.ReadPids(t, pids, 2), "outlived its job under the daemon")
}
