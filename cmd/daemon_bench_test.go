package cmd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// The daemon benchmarks run the real anvil binary (built from ./cmd/anvil)
// with forgejo-runner's default settings against the test forge, and
// report what the runner-protocol issue asks for: idle memory and
// requests, the runner's overhead per job, memory while a job prints
// 200 MB, and a 5-job needs chain.

// defaultDaemonConfig is a config with every default, as a fresh install.
const benchConfig = "log:\n  level: info\nrunner:\n"

// stopDaemon sends SIGTERM and waits for the daemon.
func stopDaemon(b *testing.B, p *daemon) {
	b.Helper()
	p.signal(b, syscall.SIGTERM)
	p.wait(b, time.Minute)
}

// BenchmarkDaemonIdle: resident memory of an idle daemon (forgejo-runner:
// about 21 MB; target at most 12 MB) and its requests per idle minute
// (forgejo-runner: 30). One measurement, whatever b.N.
func BenchmarkDaemonIdle(b *testing.B) {
	for b.Loop() { // one iteration: it takes longer than -benchtime
		srv := forgetest.New(b)
		d := newDaemonDirConfig(b, srv, benchConfig)
		p := startDaemon(b, d)
		time.Sleep(3 * time.Second) // started, declared, polling
		start := time.Now()
		const window = 30 * time.Second
		time.Sleep(window)
		requests := srv.RequestsSince("", start)
		rss, err := procStatus(p.cmd.Process.Pid, "VmRSS")
		if err != nil {
			b.Fatal(err)
		}
		stopDaemon(b, p)
		b.ReportMetric(float64(rss)/1024, "MB-idle-RSS")
		b.ReportMetric(float64(requests)*float64(time.Minute)/float64(window), "requests/idle-min")
	}
}

const trivialJob = "on: push\njobs:\n  t:\n    runs-on: self-hosted\n    steps:\n      - run: echo hi\n"

// BenchmarkDaemonTrivialJob: from the forge handing out a task (FetchTask)
// to it receiving the final result, for a one-step "echo hi" job, and the
// runner's overhead: that time minus the engine's own run of the same job
// in-process (existing runners: about 25-30 ms; target at most 10 ms).
// Medians, as other work on the machine makes single runs noisy.
func BenchmarkDaemonTrivialJob(b *testing.B) {
	srv := forgetest.New(b)
	d := newDaemonDirConfig(b, srv, benchConfig)
	p := startDaemon(b, d)
	defer stopDaemon(b, p)
	engine := engineRunTime(b, trivialJob, 20)
	// A first job warms up the daemon (and waits for its first poll).
	waitReported(b, srv, srv.AddTask(forgetest.TaskSpec{WorkflowYAML: trivialJob}))
	var took []time.Duration
	for b.Loop() {
		id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: trivialJob})
		rec := waitReported(b, srv, id)
		if rec.Status != forgetest.StatusSuccess {
			b.Fatalf("task %d: %s\n%s", id, rec.Status, rowsOf(rec))
		}
		took = append(took, rec.Finished.Sub(rec.Assigned))
	}
	median := medianOf(took)
	b.ReportMetric(ms(median), "ms-received-to-result")
	b.ReportMetric(ms(engine), "ms-engine-run")
	b.ReportMetric(ms(median-engine), "ms-runner-overhead")
}

// engineRunTime is the median time the engine alone takes to run the job,
// in-process with the host backend and the daemon's environment, over n
// runs after a warm-up run.
func engineRunTime(b *testing.B, workflow string, n int) time.Duration {
	b.Helper()
	wf, err := pipeline.ParseTaskWorkflow("ci.yml", []byte(workflow))
	if err != nil {
		b.Fatal(err)
	}
	p := &plan.Plan{Event: "push", Workflows: []*plan.Workflow{wf}}
	dir := b.TempDir()
	var took []time.Duration
	for i := range n + 1 {
		e := executor.New(executor.Config{
			Loader: pipeline.Loader{},
			Backends: func([]string) (executor.Backend, executor.JobSpecHints, error) {
				return host.New(host.Config{}), executor.JobSpecHints{}, nil
			},
			WorkDir: dir,
			BaseEnv: map[string]string{"PATH": os.Getenv("PATH"), "HOME": dir, "LANG": "C.UTF-8"},
			Github:  map[string]any{"repository": "forgetest/repo"},
		})
		start := time.Now()
		res, err := e.Run(context.Background(), p)
		if i > 0 {
			took = append(took, time.Since(start))
		}
		if err != nil || res.Result != executor.ResultSuccess {
			b.Fatalf("engine run: %v %v", res, err)
		}
	}
	return medianOf(took)
}

// medianOf returns the median of ds (which it sorts).
func medianOf(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func waitReported(b *testing.B, srv *forgetest.Server, id int64) forgetest.TaskRecord {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rec, err := srv.WaitFor(ctx, id, func(r forgetest.TaskRecord) bool { return r.LogClosed && r.Status.Done() })
	if err != nil {
		b.Fatal(err)
	}
	return rec
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkDaemonLoudJob: the daemon's peak resident memory while a job
// prints 200 MB of output (2 million 100-byte lines), all of which reach
// the forge (target at most 64 MB). One measurement, whatever b.N.
func BenchmarkDaemonLoudJob(b *testing.B) {
	const lines = 2_000_000
	job := fmt.Sprintf("on: push\njobs:\n  loud:\n    runs-on: self-hosted\n    steps:\n      - run: yes %s | head -n %d\n",
		"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno", lines)
	for b.Loop() { // one iteration: it takes longer than -benchtime
		srv := forgetest.New(b, forgetest.WithoutLogContent())
		d := newDaemonDirConfig(b, srv, benchConfig)
		p := startDaemon(b, d)
		start := time.Now()
		id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: job})
		rec := waitReported(b, srv, id)
		took := time.Since(start)
		if rec.Status != forgetest.StatusSuccess || rec.LogLength < lines {
			b.Fatalf("task: %s with %d rows, want success with %d", rec.Status, rec.LogLength, lines)
		}
		peak, err := procStatus(p.cmd.Process.Pid, "VmHWM")
		if err != nil {
			b.Fatal(err)
		}
		stopDaemon(b, p)
		b.ReportMetric(float64(peak)/1024, "MB-peak-RSS")
		b.ReportMetric(took.Seconds(), "s-to-report-200MB")
	}
}

// BenchmarkDaemonNeedsChain: five trivial jobs, each needing the one
// before, end to end on the test forge; the gap is from the forge
// receiving one job's result to handing out the next.
func BenchmarkDaemonNeedsChain(b *testing.B) {
	srv := forgetest.New(b)
	d := newDaemonDirConfig(b, srv, benchConfig)
	p := startDaemon(b, d)
	defer stopDaemon(b, p)
	const chain = "on: push\njobs:\n  j1:\n    runs-on: self-hosted\n    steps: [{run: echo 1}]\n" +
		"  j2:\n    needs: j1\n    runs-on: self-hosted\n    steps: [{run: echo 2}]\n" +
		"  j3:\n    needs: j2\n    runs-on: self-hosted\n    steps: [{run: echo 3}]\n" +
		"  j4:\n    needs: j3\n    runs-on: self-hosted\n    steps: [{run: echo 4}]\n" +
		"  j5:\n    needs: j4\n    runs-on: self-hosted\n    steps: [{run: echo 5}]\n"
	var total time.Duration
	var gaps []time.Duration
	n := 0
	for b.Loop() {
		var ids []int64
		for i := 1; i <= 5; i++ {
			spec := forgetest.TaskSpec{WorkflowYAML: chain, JobID: fmt.Sprintf("j%d", i)}
			if i > 1 {
				spec.Needs = map[string]forgetest.Need{fmt.Sprintf("j%d", i-1): {Task: ids[i-2]}}
			}
			ids = append(ids, srv.AddTask(spec))
		}
		first := srv.Task(ids[0]).Created
		var prev forgetest.TaskRecord
		for i, id := range ids {
			rec := waitReported(b, srv, id)
			if rec.Status != forgetest.StatusSuccess {
				b.Fatalf("chain job %d: %s", i+1, rec.Status)
			}
			if i > 0 {
				gaps = append(gaps, rec.Assigned.Sub(prev.Finished))
			}
			prev = rec
		}
		total += prev.Finished.Sub(first)
		n++
	}
	var sum time.Duration
	for _, g := range gaps {
		sum += g
	}
	b.ReportMetric(ms(total/time.Duration(n)), "ms-chain-end-to-end")
	b.ReportMetric(ms(sum/time.Duration(len(gaps))), "ms-mean-gap")
	b.ReportMetric(ms(slices.Max(gaps)), "ms-max-gap")
}
