package cache_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSaveRestore256MiB saves a 256 MiB archive through a cache
// server in another process over loopback (v1: 32 MiB chunks, 4 at a
// time, as @actions/cache does) and restores it to a file. It reports
// MB/s each way and the server's peak resident memory, absolute and
// above its idle level (targets: 300 MB/s, under 64 MiB).
func BenchmarkSaveRestore256MiB(b *testing.B) {
	const size = 256 << 20
	p := startServerProcess(b)
	c := p.client(b, mainA)
	src := archive(b, size, 1)
	dst := filepath.Join(b.TempDir(), "restored")
	idle, _ := p.memory(b)
	var saving, restoring time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key := fmt.Sprintf("bench-%d", i)
		t0 := time.Now()
		if _, err := c.SaveV1(b.Context(), key, "v1", src); err != nil {
			b.Fatalf("SaveV1() = %v", err)
		}
		t1 := time.Now()
		if got, err := c.RestoreV1(b.Context(), []string{key}, "v1", dst); err != nil || got != key {
			b.Fatalf("RestoreV1() = %q, %v", got, err)
		}
		saving += t1.Sub(t0)
		restoring += time.Since(t1)
		os.Remove(dst)
	}
	b.StopTimer()
	_, peak := p.memory(b)
	n := float64(b.N) * size / 1e6
	b.ReportMetric(n/saving.Seconds(), "save-MB/s")
	b.ReportMetric(n/restoring.Seconds(), "restore-MB/s")
	b.ReportMetric(float64(peak)/(1<<20), "server-peak-RSS-MiB")
	b.ReportMetric(float64(peak-idle)/(1<<20), "server-RSS-growth-MiB")
}

// BenchmarkRestoreHit10MiB is the time a job takes from asking for its
// key to having the 10 MiB archive on disk (lookup, then download).
func BenchmarkRestoreHit10MiB(b *testing.B) {
	p := startServerProcess(b)
	c := p.client(b, mainA)
	if _, err := c.SaveV1(b.Context(), "hit", "v1", archive(b, 10<<20, 2)); err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "restored")
	b.ResetTimer()
	for b.Loop() {
		if got, err := c.RestoreV1(b.Context(), []string{"hit"}, "v1", dst); err != nil || got != "hit" {
			b.Fatalf("RestoreV1() = %q, %v", got, err)
		}
	}
}
