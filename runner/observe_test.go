package runner

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// recordingObserver keeps what it is told.
type recordingObserver struct {
	mu       sync.Mutex
	calls    map[string]int
	errs     map[string]int
	started  []string
	finished []string
	waits    []time.Duration
}

func (o *recordingObserver) ForgeCall(call string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[call]++
	if err != nil {
		o.errs[call]++
	}
}

func (o *recordingObserver) JobStarted(label string, wait time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.started = append(o.started, label)
	o.waits = append(o.waits, wait)
}

func (o *recordingObserver) JobFinished(label, result string, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished = append(o.finished, label+" "+result)
}

func TestObserver(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	obs := &recordingObserver{calls: map[string]int{}, errs: map[string]int{}}
	tr := newTestRunner(t, srv, func(c *Config) { c.Observer = obs })
	ok := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  a:\n    runs-on: [linux, self-hosted]\n    steps: [{run: echo hi}]\n"})
	bad := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  b:\n    runs-on: self-hosted\n    steps: [{run: exit 3}]\n"})
	srv.Refuse(forgetest.MethodFetchTask, 1)
	tr.start(t)
	waitLogClosed(t, srv, ok)
	waitLogClosed(t, srv, bad)
	if err := tr.stop(t); err != nil {
		t.Fatal(err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if diff := cmp.Diff(obs.finished, []string{"linux success", "self-hosted failure"}); diff != "" {
		t.Errorf("finished jobs (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(obs.started, []string{"linux", "self-hosted"}); diff != "" {
		t.Errorf("started jobs (-got +want):\n%s", diff)
	}
	for _, w := range obs.waits {
		if w < 0 || w > 10*time.Second {
			t.Errorf("wait %s, want between 0 and 10s", w)
		}
	}
	if obs.errs["FetchTask"] != 1 {
		t.Errorf("FetchTask errors = %d, want 1 (one refused)", obs.errs["FetchTask"])
	}
	for _, call := range []string{"Declare", "FetchTask", "UpdateTask", "UpdateLog"} {
		if obs.calls[call] == 0 {
			t.Errorf("no %s call observed: %v", call, obs.calls)
		}
	}
	if n, want := obs.calls["UpdateLog"]+obs.calls["UpdateTask"], srv.Requests(forgetest.MethodUpdateLog)+srv.Requests(forgetest.MethodUpdateTask); n != want {
		t.Errorf("observed %d report calls, the forge got %d", n, want)
	}
}

// stallingForge holds every UpdateLog until release is closed.
type stallingForge struct {
	Forge
	release chan struct{}
}

func (f stallingForge) UpdateLog(ctx context.Context, taskID, index int64, rows []*runnerv1.LogRow, noMore bool) (int64, error) {
	select {
	case <-f.release:
	case <-ctx.Done():
		return 0, errors.Join(forge.ErrRetryable, ctx.Err())
	}
	return f.Forge.UpdateLog(ctx, taskID, index, rows, noMore)
}

func TestStatsCountsRunningJobsAndSpool(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	release := make(chan struct{})
	tr := newTestRunner(t, srv, func(c *Config) {
		c.Capacity = 3
		c.Forge = stallingForge{Forge: c.Forge, release: release}
		c.Report.RequestTimeout = 100 * time.Millisecond
	})
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps: [{run: 'for i in 1 2 3 4 5; do echo line-$i; done; sleep 30'}]\n"})
	tr.start(t)
	testkit.WaitFor(t, 30*time.Second, "a running job with 5 spooled rows", func() bool {
		s := tr.r.Stats()
		return s.Running == 1 && s.SpoolRows >= 5
	})
	s := tr.r.Stats()
	if s.Capacity != 3 {
		t.Errorf("Capacity = %d, want 3", s.Capacity)
	}
	// Each row takes its content plus a 12-byte header in the spool.
	if min := s.SpoolRows * int64(len("line-1")+12); s.SpoolBytes < min {
		t.Errorf("SpoolBytes = %d for %d rows, want at least %d", s.SpoolBytes, s.SpoolRows, min)
	}
	close(release)
	srv.Cancel(id)
	waitLogClosed(t, srv, id)
	testkit.WaitFor(t, 30*time.Second, "an empty spool and no running job", func() bool {
		s := tr.r.Stats()
		return s.Running == 0 && s.SpoolRows == 0 && s.SpoolBytes == 0
	})
}
