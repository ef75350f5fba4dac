package policy

import (
	"encoding/json"
	"os"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// loadShipped loads every shipped policy, for fuzzing and benchmarks.
func loadShipped(tb testing.TB) *Policy {
	tb.Helper()
	p, err := Load(shippedDir)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// checkDecisions fails on a decision that is not one per rule with a
// known outcome.
func checkDecisions(t *testing.T, p *Policy, ds []Decision) {
	if len(ds) != len(p.Rules()) {
		t.Fatalf("%d decisions for %d rules", len(ds), len(p.Rules()))
	}
	for _, d := range ds {
		switch d.Outcome {
		case OutcomeAllow, OutcomeDeny, OutcomeWarn:
		default:
			t.Fatalf("decision %+v has no known outcome", d)
		}
		_ = d.Line()
	}
}

// FuzzInputJSON evaluates the shipped policies on arbitrary inputs given
// as JSON (nulls, missing fields, huge lists): no panic, one decision per
// rule. Run: go test ./pipeline/policy -fuzz FuzzInputJSON
func FuzzInputJSON(f *testing.F) {
	p := loadShipped(f)
	data, err := os.ReadFile("testdata/build.golden.json")
	if err != nil {
		f.Fatal(err)
	}
	var seeds []json.RawMessage
	if err := json.Unmarshal(data, &seeds); err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"job":{"uses":null,"containers":[{"volumes":null}],"services":{"x":{}}},"task":{}}`))
	f.Add([]byte(`{"job":{"timeout_minutes":-1e308,"images":["@",":","/:"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeInput(data)
		if err != nil {
			return
		}
		checkDecisions(t, p, p.Evaluate(in))
	})
}

// FuzzPlannedJob builds the Input of a job from arbitrary uses:, image,
// label, options, volume and timeout values, as Build does for the
// engine, and evaluates the shipped policies on it.
// Run: go test ./pipeline/policy -fuzz FuzzPlannedJob
func FuzzPlannedJob(f *testing.F) {
	p := loadShipped(f)
	f.Add("actions/checkout@v4", "node:20", "self-hosted", "--privileged", "/:/host", "30", "refs/heads/main")
	f.Add("https://h/o/r/p@"+pin, "docker://x", "", "", "", "", "")
	f.Add("./a", "r.example:5000/x@sha256:00", "${{ matrix.x }}", "-v /x:/y", "v:/z", "1e400", "push")
	f.Add("@", ":@:", "\x00", "--network=host", "~", "NaN", "")
	f.Fuzz(func(t *testing.T, uses, image, label, options, volume, timeout, ref string) {
		job := &plan.Job{ID: "j", RunsOn: []string{label}, TimeoutMinutes: timeout, Uses: uses,
			Container: &plan.Container{Image: image, Options: options, Volumes: []string{volume}},
			Services:  map[string]*plan.Container{"s": {Image: image, Ports: []string{volume}}},
			Steps:     []*plan.Step{{Uses: uses}, {Uses: "docker://" + image}, {Run: options}}}
		in := Build(&plan.Workflow{File: "f.yml"}, job, "", Task{Ref: ref, Repository: uses, ServerURL: image})
		checkDecisions(t, p, p.Evaluate(in))
	})
}
