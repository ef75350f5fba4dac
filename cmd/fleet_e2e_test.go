package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// fleetRunner is one daemon of a fleet: its labels and capacity.
type fleetRunner struct {
	labels   []string
	capacity int
	dir      daemonDir
	proc     *daemon
}

// newFleetDir registers a runner with labels on srv and writes its files;
// config is the runner: section's extra keys.
func newFleetDir(tb testing.TB, srv *forgetest.Server, name string, labels []string, config string) daemonDir {
	tb.Helper()
	dir := tb.TempDir()
	rec := srv.AddRunner(name, forge.LabelNames(labels))
	if err := forge.WriteRunnerFile(filepath.Join(dir, ".runner"), forge.RunnerFile{
		ID: rec.ID, UUID: rec.UUID, Name: rec.Name, Token: rec.Token, Address: srv.URL(), Labels: labels,
	}); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	body := "log:\n  level: info\nrunner:\n  file: " + filepath.Join(dir, ".runner") + "\n" + config +
		"host:\n  workdir_parent: " + filepath.Join(dir, "work") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return daemonDir{dir: dir, config: path, runner: rec}
}

// The fleet's runners: 20 daemons in three label groups, capacities 1 to
// 3. Every job can run on some runner that is not stopped mid-run.
func fleetRunners() []*fleetRunner {
	var rs []*fleetRunner
	for i := range 20 {
		var labels []string
		switch {
		case i < 10:
			labels = []string{"linux:host", "self-hosted:host"}
		case i < 15:
			labels = []string{"linux:host", "gpu:host"}
		default:
			labels = []string{"linux:host", "arm:host", "self-hosted:host"}
		}
		rs = append(rs, &fleetRunner{labels: labels, capacity: i%3 + 1})
	}
	return rs
}

// fleetJobs are the runs-on of the queued jobs, in turn.
var fleetJobs = []string{"linux", "self-hosted", "[linux, gpu]", "arm", "[self-hosted, linux]"}

func fleetWorkflow(n int) string {
	return fmt.Sprintf("on: push\njobs:\n  j%d:\n    runs-on: %s\n    steps:\n      - run: echo fleet-job-%d; sleep 0.2\n", n, fleetJobs[n%len(fleetJobs)], n)
}

// 20 anvil daemons take 300 queued jobs of mixed labels; half of them get
// SIGTERM mid-run. Every job runs exactly once and succeeds, no runner
// ever holds more jobs than its capacity, the stopped ones finish what
// they hold, take nothing more and exit 0, and the others finish the
// queue.
func TestFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 daemons: not in -short")
	}
	t.Parallel()
	start := time.Now()
	srv := forgetest.New(t)
	runners := fleetRunners()
	const jobs = 300
	ids := make([]int64, jobs)
	for i := range jobs {
		ids[i] = srv.AddTask(forgetest.TaskSpec{WorkflowYAML: fleetWorkflow(i)})
	}
	for i, r := range runners {
		r.dir = newFleetDir(t, srv, fmt.Sprintf("fleet-%02d", i), r.labels,
			fmt.Sprintf("  capacity: %d\n  fetch_interval: 500ms\n  report_interval: 300ms\n  shutdown_timeout: 60s\n", r.capacity))
		r.proc = startDaemon(t, r.dir)
	}

	// Mid-run: SIGTERM to every other runner (5 of each group but gpu's,
	// which keeps 3 of 5).
	done := func() int {
		n := 0
		for _, rec := range srv.Tasks() {
			if rec.Status.Done() {
				n++
			}
		}
		return n
	}
	testkit.WaitFor(t, 90*time.Second, "a third of the jobs done", func() bool { return done() >= jobs/3 })
	var stopped []*fleetRunner
	signalled := map[string]time.Time{}
	for i, r := range runners {
		if i%2 == 1 {
			r.proc.signal(t, syscall.SIGTERM)
			signalled[r.dir.runner.UUID] = time.Now()
			stopped = append(stopped, r)
		}
	}
	var wg sync.WaitGroup
	for _, r := range stopped {
		wg.Go(func() {
			select {
			case <-r.proc.done:
				if code := r.proc.cmd.ProcessState.ExitCode(); code != 0 {
					t.Errorf("runner %s exited %d after SIGTERM:\n%s", r.dir.runner.Name, code, r.proc.stderr)
				}
			case <-time.After(60 * time.Second):
				t.Errorf("runner %s did not exit within 60s of SIGTERM", r.dir.runner.Name)
			}
		})
	}
	wg.Wait()

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	for _, id := range ids {
		if _, err := srv.WaitFor(ctx, id, func(r forgetest.TaskRecord) bool { return r.Status.Done() && r.LogClosed }); err != nil {
			t.Fatalf("task %d: %v (%d of %d done)", id, err, done(), jobs)
		}
	}
	perRunner, late := map[string]int{}, map[string]int{}
	for i, id := range ids {
		rec := srv.Task(id)
		marker := fmt.Sprintf("fleet-job-%d\n", i)
		if rec.Status != forgetest.StatusSuccess || strings.Count(rowsOf(rec), marker) != 1 || len(rec.Notes) > 0 {
			t.Errorf("task %d: %s, %d runs of its step, notes %v; want success, once", id, rec.Status, strings.Count(rowsOf(rec), marker), rec.Notes)
		}
		perRunner[rec.RunnerUUID]++
		if at, ok := signalled[rec.RunnerUUID]; ok && rec.Assigned.After(at) {
			late[rec.RunnerUUID]++
		}
	}
	// A FetchTask in flight at the signal is never abandoned (its task
	// would be lost), so it may still bring one task; no new one starts.
	for uuid, n := range late {
		if n > 1 {
			t.Errorf("runner %s took %d tasks after its SIGTERM, want at most the one of a poll in flight", uuid, n)
		}
	}
	for _, r := range runners {
		rec, _ := srv.Runner(r.dir.runner.UUID)
		if rec.MaxRunning > r.capacity {
			t.Errorf("runner %s ran %d jobs at once, capacity %d", rec.Name, rec.MaxRunning, r.capacity)
		}
		if perRunner[rec.UUID] == 0 {
			t.Errorf("runner %s ran no job", rec.Name)
		}
	}
	for _, r := range runners {
		if _, ok := signalled[r.dir.runner.UUID]; !ok {
			r.proc.signal(t, syscall.SIGTERM)
			if code := r.proc.wait(t, 60*time.Second); code != 0 {
				t.Errorf("runner %s exited %d", r.dir.runner.Name, code)
			}
		}
	}
	nLate := 0
	for _, n := range late {
		nLate += n
	}
	t.Logf("300 jobs on 20 runners (10 stopped mid-run, %d tasks from polls in flight at the signal) in %s", nLate, time.Since(start).Round(time.Millisecond))
	if took := time.Since(start); took > 2*time.Minute {
		t.Errorf("the fleet took %s, want under 2 minutes", took)
	}
}
