package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nektos/act/pkg/model"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// benchWorkflow is a realistic six-job workflow with a matrix.
const benchWorkflow = "testdata/bench/six-jobs.yml"

// BenchmarkParsePlan parses, validates and plans one workflow per
// iteration.
func BenchmarkParsePlan(b *testing.B) {
	data, err := os.ReadFile(benchWorkflow)
	if err != nil {
		b.Fatal(err)
	}
	ev := plan.Event{Name: "push", Ref: "refs/heads/main", ChangedFiles: []string{"cmd/app/main.go"}, ChangedFilesKnown: true}
	b.ReportAllocs()
	for b.Loop() {
		w, err := ParseWorkflow(benchWorkflow, data)
		if err != nil {
			b.Fatal(err)
		}
		p, err := plan.New([]*plan.Workflow{w}, ev)
		if err != nil || len(p.Workflows[0].Jobs) != 6 {
			b.Fatalf("New() = %v, %v; want six jobs", p, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/workflow")
}

// BenchmarkParsePlanActReference does the same with upstream act, for
// comparison: model.NewWorkflowPlanner reads the file from a temporary
// directory (act's planner wants a path) with model.ReadWorkflow, and
// PlanEvent plans it.
func BenchmarkParsePlanActReference(b *testing.B) {
	data, err := os.ReadFile(benchWorkflow)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "six-jobs.yml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		planner, err := model.NewWorkflowPlanner(path, true, false)
		if err != nil {
			b.Fatal(err)
		}
		p, err := planner.PlanEvent("push")
		if err != nil || len(p.Stages) == 0 {
			b.Fatalf("PlanEvent() = %v, %v; want stages", p, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/workflow")
}
