package cmd

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// BenchmarkFleet: 20 anvil daemons with a fresh install's settings
// (forgejo-runner's defaults: one job at a time, polls every 2 s) on the
// test forge. It reports what issue 13 asks: the forge requests per
// minute of each idle runner, the fleet's total idle resident memory,
// and the median and 99th percentile of the time from a job being queued
// on the forge to the runner reporting it started, for 200 jobs queued
// 100 ms apart (below the fleet's capacity, so the figure is the
// runners' reaction, not a backlog). One measurement, whatever b.N.
func BenchmarkFleet(b *testing.B) {
	for b.Loop() { // one iteration: it takes longer than -benchtime
		srv := forgetest.New(b)
		const size = 20
		procs := make([]*daemon, size)
		byUUID := map[string]*daemon{}
		for i := range procs {
			d := newFleetDir(b, srv, fmt.Sprintf("bench-%02d", i), []string{"self-hosted:host"}, "")
			procs[i] = startDaemon(b, d)
			byUUID[d.runner.UUID] = procs[i]
		}
		time.Sleep(5 * time.Second) // started, declared, polling
		start := time.Now()
		const window = 30 * time.Second
		time.Sleep(window)
		requests := srv.RequestsSince("", start)
		var rss int64
		for _, p := range procs {
			kb, err := procStatus(p.cmd.Process.Pid, "VmRSS")
			if err != nil {
				b.Fatal(err)
			}
			rss += kb
		}

		const jobs = 200
		ids := make([]int64, jobs)
		for i := range ids {
			ids[i] = srv.AddTask(forgetest.TaskSpec{WorkflowYAML: trivialJob})
			time.Sleep(100 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		var waits []time.Duration
		for _, id := range ids {
			rec, err := srv.WaitFor(ctx, id, func(r forgetest.TaskRecord) bool { return r.Status.Done() && r.LogClosed })
			if err != nil || rec.Status != forgetest.StatusSuccess {
				cancel()
				log := ""
				if p := byUUID[rec.RunnerUUID]; p != nil {
					log = p.stderr.String()
				}
				b.Fatalf("task %d: %s %v; updates %d, last state %v; its runner's log:\n%s", id, rec.Status, err, rec.Updates, rec.LastState, log)
			}
			waits = append(waits, rec.LastState.GetStartedAt().AsTime().Sub(rec.Created))
		}
		cancel()
		for _, p := range procs {
			p.signal(b, syscall.SIGTERM)
		}
		for _, p := range procs {
			p.wait(b, time.Minute)
		}
		slices.Sort(waits)
		b.ReportMetric(float64(requests)*float64(time.Minute)/float64(window)/size, "requests/idle-min/runner")
		b.ReportMetric(float64(rss)/1024, "MB-fleet-idle-RSS")
		b.ReportMetric(ms(waits[len(waits)/2]), "ms-p50-queued-to-started")
		b.ReportMetric(ms(waits[len(waits)*99/100]), "ms-p99-queued-to-started")
	}
}
