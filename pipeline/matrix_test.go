package pipeline

import (
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// TestExpandMatrix expands the matrices of testdata/matrix as the parser
// leaves them.
func TestExpandMatrix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string // testdata/matrix/<name>.yml, golden <name>.golden.json
	}{
		{name: "basic"},
		{name: "expanding-include"},
		{name: "include-only"},
		{name: "exclude"},
		{name: "adding"},
		{name: "objects"},
	}
	type job struct {
		Suffix string         `json:"suffix"`
		Matrix map[string]any `json:"matrix"`
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := "testdata/matrix/" + tt.name
			w := parseFile(t, base+".yml")
			m, ok := w.Jobs[0].Strategy.Matrix.(map[string]any)
			if !ok {
				t.Fatalf("matrix is %T, want a mapping", w.Jobs[0].Strategy.Matrix)
			}
			combos, err := plan.ExpandMatrix(m)
			if err != nil {
				t.Fatalf("plan.ExpandMatrix() error: %v", err)
			}
			jobs := make([]job, len(combos))
			for i, c := range combos {
				jobs[i] = job{Suffix: plan.MatrixSuffix(c), Matrix: c}
			}
			golden.Check(t, base+".golden.json", toJSON(t, jobs))
		})
	}
}
