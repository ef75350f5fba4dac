package cmd

import (
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// BenchmarkDaemonCacheHit10MiB: through anvil daemon (defaults, host
// executor) against the test forge, how long a job whose one step
// restores a 10 MiB entry with the v1 client takes: from the forge
// handing out the task to it receiving the result, and the restoring
// step alone (node's start included). Medians.
func BenchmarkDaemonCacheHit10MiB(b *testing.B) {
	const size = 10 << 20
	srv := forgetest.New(b)
	d := newDaemonDirConfig(b, srv, benchConfig)
	p := startDaemon(b, d)
	defer stopDaemon(b, p)
	save := waitReported(b, srv, srv.AddTask(forgetest.TaskSpec{WorkflowYAML: cacheJob(b, "self-hosted", "save", "bench", size)}))
	if save.Status != forgetest.StatusSuccess {
		b.Fatalf("saving: %s\n%s", save.Status, rowsOf(save))
	}
	restore := cacheJob(b, "self-hosted", "restore", "bench", 0)
	var jobs, steps []time.Duration
	for b.Loop() {
		rec := waitReported(b, srv, srv.AddTask(forgetest.TaskSpec{WorkflowYAML: restore}))
		if rec.Status != forgetest.StatusSuccess || !strings.Contains(rowsOf(rec), "restored sha256 "+cacheBlobSum(size)) || len(rec.Steps) == 0 {
			b.Fatalf("restoring: %s, want a hit\n%s", rec.Status, rowsOf(rec))
		}
		jobs = append(jobs, rec.Finished.Sub(rec.Assigned))
		steps = append(steps, rec.Steps[0].Stopped.Sub(rec.Steps[0].Started))
	}
	b.ReportMetric(ms(medianOf(jobs)), "ms-received-to-result")
	b.ReportMetric(ms(medianOf(steps)), "ms-restore-step")
}
