package policy

import (
	"os"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// benchJob is the first job of testdata/build.yml: a matrix job with a
// container, a service and six steps of every kind of uses:.
func benchJob(b *testing.B) (*plan.Workflow, *plan.Job, Task) {
	data, err := os.ReadFile("testdata/build.yml")
	if err != nil {
		b.Fatal(err)
	}
	wf, err := pipeline.ParseWorkflow("build.yml", data)
	if err != nil {
		b.Fatal(err)
	}
	return wf, wf.Jobs[0], Task{Repository: "acme/app", Ref: "refs/heads/main", Event: "push", ServerURL: "https://forge.example"}
}

// BenchmarkEvaluate is the policy evaluation of one job with all the
// shipped policies (9 rules), compiled once: the figure docs/policy.md
// gives (target: under 1 ms per job).
func BenchmarkEvaluate(b *testing.B) {
	p := loadShipped(b)
	wf, job, task := benchJob(b)
	in := Build(wf, job, "test", task)
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(in)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/job")
}

// BenchmarkAdmit is what the engine's hook costs per job with the
// shipped policies: building the Input from the plan and evaluating
// (no commits to resolve).
func BenchmarkAdmit(b *testing.B) {
	p := loadShipped(b)
	wf, job, task := benchJob(b)
	g := &Gate{Policy: p, Task: task}
	b.ReportAllocs()
	for b.Loop() {
		g.Admit(b.Context(), wf, job, "test")
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/job")
}

// BenchmarkLoad is compiling the shipped policies, done once per file.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(shippedDir); err != nil {
			b.Fatal(err)
		}
	}
}
