package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// The end-to-end tests run the real runner with the host executor against
// the test forge over HTTP on loopback.

const chainWorkflow = `name: chain
on: push
jobs:
  build:
    runs-on: self-hosted
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1.2-$FLAVOUR" >> "$GITHUB_OUTPUT"
        env:
          FLAVOUR: ${{ vars.FLAVOUR }}
  deploy:
    needs: build
    runs-on: [self-hosted, linux]
    outputs:
      where: ${{ steps.d.outputs.where }}
      leak: ${{ secrets.PASSWORD }}
    steps:
      - name: Show needs
        run: echo "deploying ${{ needs.build.outputs.version }} after ${{ needs.build.result }}"
      - name: Use the secret ${{ secrets.PASSWORD }}
        run: |
          echo "password: $PASSWORD"
          echo "token: ${{ secrets.GITHUB_TOKEN }} / ${{ github.token }}"
          printf '%s\n' "$MULTI"
        env:
          PASSWORD: ${{ secrets.PASSWORD }}
          MULTI: ${{ secrets.MULTI }}
      - id: d
        run: echo "where=prod" >> "$GITHUB_OUTPUT"
`

func TestTaskWithNeedsSecretsVarsOutputs(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	secrets := map[string]string{"PASSWORD": "hunter2-very-secret", "MULTI": "line-one-secret\nline-two-secret"}
	build := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: chainWorkflow, JobID: "build", Vars: map[string]string{"FLAVOUR": "lts"}})
	deploy := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: chainWorkflow, JobID: "deploy", Secrets: secrets,
		Needs: map[string]forgetest.Need{"build": {Task: build}}})
	tr := newTestRunner(t, srv, nil)
	tr.start(t)

	b := waitLogClosed(t, srv, build)
	d := waitLogClosed(t, srv, deploy)
	for _, rec := range []forgetest.TaskRecord{b, d} {
		checkReport(t, rec)
		if rec.Status != forgetest.StatusSuccess {
			t.Errorf("task %d (%s): status %s, want success; rows:\n%s", rec.ID, rec.JobID, rec.Status, rowsText(rec))
		}
	}
	if diff := cmp.Diff(b.Outputs, map[string]string{"version": "1.2-lts"}); diff != "" {
		t.Errorf("build outputs (-got +want):\n%s", diff)
	}
	// The output holding a secret is dropped, as GitHub does.
	if diff := cmp.Diff(d.Outputs, map[string]string{"where": "prod"}); diff != "" {
		t.Errorf("deploy outputs (-got +want):\n%s", diff)
	}
	text := rowsText(d)
	for _, want := range []string{"deploying 1.2-lts after success", "password: ***", "token: *** / ***", "Job succeeded"} {
		if !strings.Contains(text, want) {
			t.Errorf("deploy rows lack %q:\n%s", want, text)
		}
	}
	if len(d.Steps) != 3 {
		t.Fatalf("deploy has %d steps, want 3", len(d.Steps))
	}
	step0 := rowsIn(d, d.Steps[0])
	if !strings.Contains(step0, "deploying 1.2-lts") || strings.Contains(step0, "password") {
		t.Errorf("step 0's rows are not its own: %q", step0)
	}
	if first := d.Steps[0].LogIndex; first == 0 || !strings.Contains(rowsText(forgetest.TaskRecord{Rows: d.Rows[:first]}), "Runner: test-runner") {
		t.Errorf("\"Set up job\" (rows before step 0) should hold the runner line; step 0 starts at row %d", first)
	}
	if last := d.Steps[2]; last.LogIndex+last.LogLength >= d.LogLength || d.Rows[len(d.Rows)-1].Content != "Job succeeded" {
		t.Errorf("\"Complete job\" (rows after the last step) should end with \"Job succeeded\"")
	}
	if !strings.Contains(tr.logs.String(), "task.id="+strconv.FormatInt(deploy, 10)) || !strings.Contains(tr.logs.String(), "repo=forgetest/repo") {
		t.Errorf("the runner's log lacks task.id and repo fields:\n%s", tr.logs.String())
	}
	for _, s := range secrets {
		if strings.Contains(tr.logs.String(), s) {
			t.Errorf("the runner's log holds a secret")
		}
	}
}

// rowsIn returns the rows of one step's log range.
func rowsIn(rec forgetest.TaskRecord, st forgetest.StepRecord) string {
	end := min(st.LogIndex+st.LogLength, int64(len(rec.Rows)))
	return rowsText(forgetest.TaskRecord{Rows: rec.Rows[st.LogIndex:end]})
}

func TestCancelledOnTheForge(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: `on: push
jobs:
  slow:
    runs-on: self-hosted
    steps:
      - run: echo started; sleep 60; echo not-"reached"
      - run: echo never-"run"
      - if: cancelled()
        run: echo cleanup-ran
`})
	tr := newTestRunner(t, srv, nil)
	tr.start(t)
	ctx := t.Context()
	if _, err := srv.WaitFor(ctx, id, func(r forgetest.TaskRecord) bool { return strings.Contains(rowsText(r), "started") }); err != nil {
		t.Fatal(err)
	}
	// The state goes out at the start and with each heartbeat (0.5s):
	// wait for two updates rather than for a time a busy machine may
	// not keep.
	beat, cancelBeat := context.WithTimeout(ctx, time.Minute)
	defer cancelBeat()
	if _, err := srv.WaitFor(beat, id, func(r forgetest.TaskRecord) bool { return r.Updates >= 2 }); err != nil {
		t.Fatalf("no heartbeat while the job runs: %v", err)
	}
	start := time.Now()
	srv.Cancel(id)
	rec := waitLogClosed(t, srv, id)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("cancelling took %s, want the job stopped within the grace time", took)
	}
	checkReport(t, rec)
	if rec.ReportedResult != runnerv1.Result_RESULT_CANCELLED {
		t.Errorf("reported result %s, want CANCELLED", rec.ReportedResult)
	}
	text := rowsText(rec)
	for _, want := range []string{"cleanup-ran", "The job was cancelled on the forge."} {
		if !strings.Contains(text, want) {
			t.Errorf("rows lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "not-reached") || strings.Contains(text, "never-run") {
		t.Errorf("steps went on after the cancel:\n%s", text)
	}
}

func TestForgeUnavailableMidJob(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: `on: push
jobs:
  chatty:
    runs-on: self-hosted
    steps:
      - run: for i in $(seq 1 70); do echo "line $i"; sleep 0.2; done
      - run: echo second step
`})
	tr := newTestRunner(t, srv, nil)
	tr.start(t)
	if _, err := srv.WaitFor(t.Context(), id, func(r forgetest.TaskRecord) bool { return strings.Contains(rowsText(r), "line 3\n") }); err != nil {
		t.Fatal(err)
	}
	srv.Unavailable(10 * time.Second)
	rec := waitLogClosed(t, srv, id)
	checkReport(t, rec)
	if rec.Status != forgetest.StatusSuccess {
		t.Errorf("status %s, want success", rec.Status)
	}
	checkLines(t, rec, 70)
}

// checkLines checks that rows "line 1".."line n" are there once each, in
// order, and each was sent once.
func checkLines(t *testing.T, rec forgetest.TaskRecord, n int) {
	t.Helper()
	next := 1
	for i, row := range rec.Rows {
		if row.Sent != 1 {
			t.Errorf("row %d %q was sent %d times, want once", i, row.Content, row.Sent)
		}
		if m := lineRE.FindStringSubmatch(row.Content); m != nil {
			if got, _ := strconv.Atoi(m[1]); got != next {
				t.Fatalf("row %d is %q, want line %d", i, row.Content, next)
			}
			next++
		}
	}
	if next != n+1 {
		t.Errorf("got lines up to %d, want %d", next-1, n)
	}
}

var lineRE = regexp.MustCompile(`^line (\d+)$`)

func TestRepliesDropped(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: `on: push
jobs:
  lines:
    runs-on: self-hosted
    outputs:
      o: ${{ steps.s.outputs.o }}
    steps:
      - run: for i in $(seq 1 30); do echo "line $i"; sleep 0.05; done
      - id: s
        run: echo "o=x" >> "$GITHUB_OUTPUT"
`})
	tr := newTestRunner(t, srv, nil)
	// The forge stores these, but the runner does not hear back.
	srv.DropReply(forgetest.MethodUpdateLog, 2)
	srv.DropReply(forgetest.MethodUpdateTask, 2)
	tr.start(t)
	rec := waitLogClosed(t, srv, id)
	if rec.Status != forgetest.StatusSuccess || rec.Outputs["o"] != "x" {
		t.Errorf("status %s outputs %v, want success with o=x", rec.Status, rec.Outputs)
	}
	if len(rec.Notes) > 0 {
		t.Errorf("the forge noted: %v", rec.Notes)
	}
	// Rows of a dropped reply are resent (and stored once).
	next := 1
	for _, row := range rec.Rows {
		if m := lineRE.FindStringSubmatch(row.Content); m != nil {
			if got, _ := strconv.Atoi(m[1]); got != next {
				t.Fatalf("row %q out of order, want line %d", row.Content, next)
			}
			next++
		}
	}
	if next != 31 {
		t.Errorf("got lines up to %d, want 30", next-1)
	}
}

func TestCapacity(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	var ids []int64
	for i := range 10 {
		ids = append(ids, srv.AddTask(forgetest.TaskSpec{WorkflowYAML: fmt.Sprintf(`on: push
jobs:
  job%d:
    runs-on: self-hosted
    steps:
      - run: sleep 0.4
`, i)}))
	}
	tr := newTestRunner(t, srv, func(c *Config) { c.Capacity = 3 })
	tr.start(t)
	for _, id := range ids {
		if rec := waitLogClosed(t, srv, id); rec.Status != forgetest.StatusSuccess {
			t.Errorf("task %d: %s", id, rec.Status)
		}
	}
	r, _ := srv.Runner(tr.rec.UUID)
	if r.MaxRunning != 3 {
		t.Errorf("at most %d tasks ran at once, want 3 (capacity)", r.MaxRunning)
	}
}

func TestMalformedPayloadThenGoesOn(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	bad := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  broken:\n    runs-on: self-hosted\n    steps: {run: 1}\n", RunsOn: []string{"self-hosted"}})
	garbage := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "\x00not yaml: [", RunsOn: []string{"self-hosted"}})
	docker := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  c:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n"})
	good := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  ok:\n    runs-on: self-hosted\n    steps: [{run: echo fine}]\n"})
	unlinted := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  lint:\n    runs-on: self-hosted\n    steps:\n      - run: echo first\n      - run: echo ${{ matrixx.os }}\n", RunsOn: []string{"self-hosted"}})
	tr := newTestRunner(t, srv, nil)
	tr.start(t)
	tests := []struct {
		id     int64
		status forgetest.Status
		want   string
	}{
		{bad, forgetest.StatusFailure, `ci.yml: job "broken": jobs.broken.steps must be a list of steps`},
		{garbage, forgetest.StatusFailure, "invalid YAML"},
		{docker, forgetest.StatusFailure, "this runner has no Docker executor"},
		{good, forgetest.StatusSuccess, "fine"},
		// Linted before running: an undefined name is an error, and the
		// first step never runs.
		{unlinted, forgetest.StatusFailure, `"matrixx"`},
	}
	for _, tt := range tests {
		rec := waitLogClosed(t, srv, tt.id)
		checkReport(t, rec)
		if rec.Status != tt.status || !strings.Contains(rowsText(rec), tt.want) {
			t.Errorf("task %d: status %s, want %s with a row containing %q; rows:\n%s", tt.id, rec.Status, tt.status, tt.want, rowsText(rec))
		}
		if tt.id == unlinted && strings.Contains(rowsText(rec), "\nfirst\n") {
			t.Errorf("task %d: a step ran although the workflow has an error; rows:\n%s", tt.id, rowsText(rec))
		}
	}
}

func TestRunnerTimeout(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  slow:\n    runs-on: self-hosted\n    steps: [{run: sleep 30}]\n"})
	tr := newTestRunner(t, srv, func(c *Config) { c.Timeout = time.Second })
	tr.start(t)
	rec := waitLogClosed(t, srv, id)
	checkReport(t, rec)
	if rec.ReportedResult != runnerv1.Result_RESULT_FAILURE || !strings.Contains(rowsText(rec), "maximum execution time of 1s (runner.timeout") {
		t.Errorf("reported %s, want FAILURE with the timeout line; rows:\n%s", rec.ReportedResult, rowsText(rec))
	}
}

func TestUnregisteredStops(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	tr := newTestRunner(t, srv, nil)
	tr.start(t)
	waitPolling(t, srv)
	srv.DeleteRunner(tr.rec.UUID)
	select {
	case err := <-tr.done:
		tr.done <- err
		if !errors.Is(err, ErrUnregistered) || !strings.Contains(err.Error(), "register it again") {
			t.Errorf("Run() = %v, want ErrUnregistered saying to register again", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop after the runner was deleted on the forge")
	}
}

func TestShutdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		timeout time.Duration
		want    runnerv1.Result
		row     string
	}{
		{name: "job finishes within shutdown_timeout", timeout: 30 * time.Second, want: runnerv1.Result_RESULT_SUCCESS, row: "slept"},
		{name: "job cancelled after shutdown_timeout", timeout: 300 * time.Millisecond, want: runnerv1.Result_RESULT_CANCELLED, row: "The runner is shutting down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps: [{run: 'echo started; sleep 2; echo slept'}]\n"})
			later := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  k:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
			tr := newTestRunner(t, srv, func(c *Config) { c.ShutdownTimeout = tt.timeout })
			tr.start(t)
			if _, err := srv.WaitFor(t.Context(), id, func(r forgetest.TaskRecord) bool { return strings.Contains(rowsText(r), "started") }); err != nil {
				t.Fatal(err)
			}
			if err := tr.stop(t); err != nil {
				t.Fatalf("Run() = %v", err)
			}
			// Run returned: the report is complete, and no new task was taken.
			rec := srv.Task(id)
			checkReport(t, rec)
			if rec.ReportedResult != tt.want || !strings.Contains(rowsText(rec), tt.row) {
				t.Errorf("reported %s, want %s with row %q; rows:\n%s", rec.ReportedResult, tt.want, tt.row, rowsText(rec))
			}
			if st := srv.Task(later).Status; st != forgetest.StatusWaiting {
				t.Errorf("a task was taken during shutdown: status %s", st)
			}
		})
	}
}

func TestOnce(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	first := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	second := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  k:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	tr := newTestRunner(t, srv, func(c *Config) { c.Once = true })
	tr.start(t)
	select {
	case err := <-tr.done:
		tr.done <- err
		if err != nil {
			t.Fatalf("Run() = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run with Once did not return after one task")
	}
	if rec := srv.Task(first); rec.Status != forgetest.StatusSuccess || !rec.LogClosed {
		t.Errorf("first task: %s, log closed %t; want success, reported", rec.Status, rec.LogClosed)
	}
	if st := srv.Task(second).Status; st != forgetest.StatusWaiting {
		t.Errorf("second task: %s, want waiting (Once takes one task)", st)
	}
}

func TestOnIdle(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	idle := make(chan time.Time, 10)
	tr := newTestRunner(t, srv, func(c *Config) {
		c.OnIdle = func() { idle <- time.Now() }
		c.Pace.IdleAfter, c.Pace.IdleInterval = 500*time.Millisecond, 100*time.Millisecond
	})
	tr.start(t)
	select {
	case <-idle:
	case <-time.After(10 * time.Second):
		t.Fatal("OnIdle was not called once polling worked")
	}
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	rec := waitLogClosed(t, srv, id)
	select {
	case at := <-idle:
		if at.Before(rec.Finished.Add(400 * time.Millisecond)) {
			t.Errorf("OnIdle came %s after the task, want IdleAfter (500ms)", at.Sub(rec.Finished))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnIdle was not called after IdleAfter without tasks")
	}
	select {
	case <-idle:
		t.Error("OnIdle was called again without work in between")
	case <-time.After(time.Second):
	}
}

func TestOldForgeWithoutDeclare(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t, forgetest.WithoutDeclare())
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	tr := newTestRunner(t, srv, nil)
	tr.start(t)
	if rec := waitLogClosed(t, srv, id); rec.Status != forgetest.StatusSuccess {
		t.Errorf("status %s, want success", rec.Status)
	}
	if !strings.Contains(tr.logs.String(), "does not know Declare") {
		t.Errorf("no warning about Declare:\n%s", tr.logs.String())
	}
}

// With the default timings, a running job's state reaches the forge at
// least every 5 s (the forge fails tasks silent for 10 minutes).
func TestHeartbeat(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps: [{run: 'echo go; sleep 8'}]\n"})
	tr := newTestRunner(t, srv, func(c *Config) { c.Report = ReportTiming{} })
	tr.start(t)
	rec, err := srv.WaitFor(t.Context(), id, func(r forgetest.TaskRecord) bool { return strings.Contains(rowsText(r), "go") })
	if err != nil {
		t.Fatal(err)
	}
	last, worst := rec.LastUpdate, time.Duration(0)
	for !rec.Status.Done() {
		time.Sleep(100 * time.Millisecond)
		rec = srv.Task(id)
		if !rec.Status.Done() {
			worst = max(worst, time.Since(last))
		}
		last = rec.LastUpdate
	}
	if worst > 5*time.Second {
		t.Errorf("the job ran %s without a state update, want at most 5s", worst)
	}
}

// A FetchTask reply lost on the way: the forge has assigned the task, the
// runner never hears of it (FetchTask is not idempotent), goes on with the
// next one, and the forge fails the lost one as a zombie.
func TestFetchReplyDropped(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t, forgetest.WithZombieTimeout(2*time.Second))
	lost := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	next := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  b:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	srv.DropReply(forgetest.MethodFetchTask, 1)
	tr := newTestRunner(t, srv, nil)
	tr.start(t)
	if rec := waitLogClosed(t, srv, next); rec.Status != forgetest.StatusSuccess {
		t.Errorf("the next task: %s, want success", rec.Status)
	}
	if rec := waitResult(t, srv, lost); rec.Status != forgetest.StatusFailure || rec.Updates != 0 {
		t.Errorf("the lost task: %s with %d updates, want failed as a zombie, never reported", rec.Status, rec.Updates)
	}
	if !strings.Contains(tr.logs.String(), "polling the forge for jobs failed") {
		t.Errorf("the runner did not warn about the failed poll:\n%s", tr.logs.String())
	}
}

// Many short jobs one after the other: every log is closed (the closing
// row never goes out without no_more, however the sender's rounds fall)
// and every result arrives.
func TestManyTrivialTasks(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	tr := newTestRunner(t, srv, func(c *Config) { c.Report.Interval = time.Millisecond })
	tr.start(t)
	for range 60 {
		id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  t:\n    runs-on: self-hosted\n    steps: [{run: echo hi}]\n"})
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		rec, err := srv.WaitFor(ctx, id, func(r forgetest.TaskRecord) bool { return r.LogClosed && r.Status.Done() })
		cancel()
		if err != nil {
			t.Fatalf("task %d: %v; rows:\n%s", id, err, rowsText(rec))
		}
		checkReport(t, rec)
	}
}

func TestStateDirUnusable(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps: [{run: 'true'}]\n"})
	tr := newTestRunner(t, srv, func(c *Config) { c.StateDir = notDir })
	tr.start(t)
	rec := waitLogClosed(t, srv, id)
	if rec.Status != forgetest.StatusFailure || !strings.Contains(rowsText(rec), "cannot write this job's log to its state directory") {
		t.Errorf("status %s, want failure with the reason; rows:\n%s", rec.Status, rowsText(rec))
	}
}
