package runner

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// testLabels are the labels of the runners the tests start.
var testLabels = []string{"self-hosted:host", "linux:host", "ubuntu-latest:docker://node:20-bookworm"}

// testRunner is a runner registered on a test forge, with the host
// executor, fast timings and a captured log.
type testRunner struct {
	srv    *forgetest.Server
	rec    forgetest.RunnerRecord
	cfg    Config
	logs   *testkit.LockedBuffer
	cancel context.CancelFunc
	done   chan error
	r      *Runner
}

// newTestRunner registers a runner on srv and returns its config; mod
// changes it before start.
func newTestRunner(t *testing.T, srv *forgetest.Server, mod func(*Config)) *testRunner {
	t.Helper()
	rec := srv.AddRunner("test-runner", forge.LabelNames(testLabels))
	logs := &testkit.LockedBuffer{}
	l := logrus.New()
	l.SetOutput(logs)
	l.SetLevel(logrus.DebugLevel)
	l.SetFormatter(&logrus.TextFormatter{DisableColors: true, DisableTimestamp: true})
	cfg := Config{
		Forge:         forge.New(forge.Config{Address: srv.URL(), UUID: rec.UUID, Token: rec.Token, Version: "test"}),
		Name:          "test-runner",
		Version:       "test",
		Labels:        testLabels,
		StateDir:      t.TempDir(),
		WorkDir:       t.TempDir(),
		Host:          host.New(host.Config{Grace: 2 * time.Second}),
		BaseEnv:       executor.HostEnv(os.Environ()),
		Grace:         2 * time.Second,
		Log:           logrus.NewEntry(l),
		Report:        ReportTiming{Interval: 100 * time.Millisecond, Heartbeat: 500 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, DrainTimeout: 5 * time.Second},
		Pace:          Pace{Fast: 20 * time.Millisecond, Brisk: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond},
		Capacity:      1,
		FetchTimeout:  30 * time.Second, // a fetch that times out after the forge handed out a task loses it
		FetchInterval: 100 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	return &testRunner{srv: srv, rec: rec, cfg: cfg, logs: logs}
}

// start runs the runner until stop or the test's end.
func (tr *testRunner) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tr.cancel = cancel
	tr.done = make(chan error, 1)
	tr.r = New(tr.cfg)
	go func() { tr.done <- tr.r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		tr.r.CancelTasks()
		select {
		case <-tr.done:
		case <-time.After(30 * time.Second):
			t.Errorf("the runner did not stop within 30s of the test's end")
		}
	})
}

// stop ends Run and returns its error.
func (tr *testRunner) stop(t *testing.T) error {
	t.Helper()
	tr.cancel()
	select {
	case err := <-tr.done:
		tr.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("Run did not return within 30s of its context's end")
	}
	return nil
}

// waitResult waits up to a minute for a task's final status.
func waitResult(t *testing.T, srv *forgetest.Server, id int64) forgetest.TaskRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rec, err := srv.WaitResult(ctx, id)
	if err != nil {
		t.Fatalf("WaitResult(%d): %v", id, err)
	}
	return rec
}

// waitLogClosed waits until the task's log is closed (the full report).
func waitLogClosed(t *testing.T, srv *forgetest.Server, id int64) forgetest.TaskRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rec, err := srv.WaitFor(ctx, id, func(r forgetest.TaskRecord) bool {
		return r.LogClosed && r.ReportedResult != 0
	})
	if err != nil {
		t.Fatalf("waiting for task %d's report: %v", id, err)
	}
	return rec
}

// rowsText joins a task's rows, one per line.
func rowsText(rec forgetest.TaskRecord) string {
	var b strings.Builder
	for _, r := range rec.Rows {
		b.WriteString(r.Content)
		b.WriteByte('\n')
	}
	return b.String()
}

// checkReport checks what every well-reported task has: a closed log,
// rows stored once each, no notes from the forge, step log ranges inside
// the log and in order, and no secret in any row.
func checkReport(t *testing.T, rec forgetest.TaskRecord) {
	t.Helper()
	if !rec.LogClosed {
		t.Errorf("task %d: log not closed", rec.ID)
	}
	if len(rec.Notes) > 0 {
		t.Errorf("task %d: the forge noted protocol problems:\n%s", rec.ID, strings.Join(rec.Notes, "\n"))
	}
	// The last state sent (the forge ignores states after a cancel).
	var prevEnd int64
	for _, st := range rec.LastState.GetSteps() {
		if st.GetResult() == 0 {
			t.Errorf("task %d: step %d has no result", rec.ID, st.GetId())
		}
		if st.GetLogIndex() < prevEnd || st.GetLogIndex()+st.GetLogLength() > rec.LogLength {
			t.Errorf("task %d: step %d log range [%d,+%d) overlaps the previous step (ends %d) or leaves the log (%d rows)",
				rec.ID, st.GetId(), st.GetLogIndex(), st.GetLogLength(), prevEnd, rec.LogLength)
		}
		prevEnd = st.GetLogIndex() + st.GetLogLength()
	}
	secrets := []string{rec.Token}
	for _, v := range rec.Secrets {
		secrets = append(secrets, strings.Split(v, "\n")...)
	}
	for i, row := range rec.Rows {
		for _, s := range secrets {
			if len(s) >= 4 && strings.Contains(row.Content, s) {
				t.Errorf("task %d: row %d holds a secret: %q", rec.ID, i, row.Content)
			}
		}
	}
}

// waitPolling waits until the runner has polled the forge once.
func waitPolling(t *testing.T, srv *forgetest.Server) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for srv.Requests(forgetest.MethodFetchTask) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the runner did not poll the forge within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
