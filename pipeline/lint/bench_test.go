package lint

import (
	"os"
	"testing"
)

// BenchmarkLint checks one realistic six-job workflow per iteration,
// with the runner-label rule on: anvil's parser and actionlint's rules
// adapted to Forgejo. The target is at most 1 ms per workflow.
func BenchmarkLint(b *testing.B) {
	data, err := os.ReadFile("../testdata/bench/six-jobs.yml")
	if err != nil {
		b.Fatal(err)
	}
	l := New(Options{Labels: []string{"ubuntu-latest", "macos-latest"}})
	b.ReportAllocs()
	for b.Loop() {
		if fs := l.Check("six-jobs.yml", data); len(fs) != 0 {
			b.Fatalf("Check() = %v, want no findings", fs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/workflow")
}
