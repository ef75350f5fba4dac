package lint

import (
	"os"
	"testing"
)

// BenchmarkLint checks one realistic six-job workflow per iteration,
// with the runner-label rule on: anvil's parser and actionlint's rules
// adapted to Forgejo. The target is at most 1 ms per workflow. It also
// reports the CPU time per workflow, which a busy machine does not
// inflate as it does the wall time.
func BenchmarkLint(b *testing.B) {
	data, err := os.ReadFile("../testdata/bench/six-jobs.yml")
	if err != nil {
		b.Fatal(err)
	}
	l := New(Options{Labels: []string{"ubuntu-latest", "macos-latest"}})
	b.ReportAllocs()
	cpuStart, cpuOK := cpuTime()
	for b.Loop() {
		if fs := l.Check("six-jobs.yml", data); len(fs) != 0 {
			b.Fatalf("Check() = %v, want no findings", fs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/workflow")
	if cpuEnd, ok := cpuTime(); ok && cpuOK {
		b.ReportMetric(float64((cpuEnd-cpuStart).Nanoseconds())/float64(b.N), "cpu-ns/workflow")
	}
}
