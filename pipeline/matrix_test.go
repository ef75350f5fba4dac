package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

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
			combos, err := ExpandMatrix(m)
			if err != nil {
				t.Fatalf("ExpandMatrix() error: %v", err)
			}
			jobs := make([]job, len(combos))
			for i, c := range combos {
				jobs[i] = job{Suffix: MatrixSuffix(c), Matrix: c}
			}
			golden.Check(t, base+".golden.json", toJSON(t, jobs))
		})
	}
}

func TestExpandMatrixErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		matrix map[string]any
		want   string
	}{
		{
			name:   "unevaluated expression",
			matrix: map[string]any{"os": "${{ fromJSON(x) }}"},
			want:   `matrix key "os" must be a list of values, got a string (evaluate expressions before expanding)`,
		},
		{
			name:   "scalar",
			matrix: map[string]any{"os": 3.0},
			want:   `matrix key "os" must be a list of values, got a number`,
		},
		{
			name:   "empty list",
			matrix: map[string]any{"os": []any{}},
			want:   `matrix key "os" has no values; give it at least one`,
		},
		{
			name:   "include not a list",
			matrix: map[string]any{"os": []any{"a"}, "include": map[string]any{"os": "b"}},
			want:   "matrix include must be a list of mappings, got a mapping",
		},
		{
			name:   "exclude entry not a mapping",
			matrix: map[string]any{"os": []any{"a"}, "exclude": []any{"a"}},
			want:   "matrix exclude[0] must be a mapping, got a string (evaluate expressions before expanding)",
		},
		{
			name:   "too many combinations",
			matrix: map[string]any{"a": seq(20), "b": seq(20)},
			want:   "matrix has more than 256 combinations; split the job or use fewer values",
		},
		{
			name:   "too many includes",
			matrix: map[string]any{"include": includes(300)},
			want:   "matrix has 300 combinations, more than 256; split the job or use fewer values",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ExpandMatrix(tt.matrix)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ExpandMatrix() = %v, %v; want error %q", got, err, tt.want)
			}
		})
	}
}

func TestExpandMatrixEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		matrix map[string]any
		want   []map[string]any
	}{
		{name: "nil", matrix: nil, want: []map[string]any{{}}},
		{name: "empty", matrix: map[string]any{}, want: []map[string]any{{}}},
		{
			name:   "everything excluded",
			matrix: map[string]any{"os": []any{"a"}, "exclude": []any{map[string]any{"os": "a"}}},
			want:   []map[string]any{},
		},
		{
			name:   "int and float values are equal",
			matrix: map[string]any{"v": []any{1.0, 2.0}, "exclude": []any{map[string]any{"v": 2}}},
			want:   []map[string]any{{"v": 1.0}},
		},
		{
			name: "added values may be overwritten",
			matrix: map[string]any{
				"os":      []any{"a", "b"},
				"include": []any{map[string]any{"x": 1.0}, map[string]any{"os": "b", "x": 2.0}},
			},
			want: []map[string]any{{"os": "a", "x": 1.0}, {"os": "b", "x": 2.0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ExpandMatrix(tt.matrix)
			if err != nil {
				t.Fatalf("ExpandMatrix() error: %v", err)
			}
			if got == nil {
				got = []map[string]any{}
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ExpandMatrix() (-got +want):\n%s", diff)
			}
		})
	}
}

func TestExpandMatrixDoesNotShare(t *testing.T) {
	t.Parallel()
	inner := map[string]any{"v": 1.0}
	m := map[string]any{"x": []any{inner}, "include": []any{map[string]any{"x": inner, "y": []any{"a"}}}}
	combos, err := ExpandMatrix(m)
	if err != nil {
		t.Fatal(err)
	}
	combos[0]["x"].(map[string]any)["v"] = 2.0
	combos[0]["y"].([]any)[0] = "b"
	if diff := cmp.Diff(m, map[string]any{"x": []any{map[string]any{"v": 1.0}}, "include": []any{map[string]any{"x": map[string]any{"v": 1.0}, "y": []any{"a"}}}}); diff != "" {
		t.Errorf("changing a combination changed the matrix (-got +want):\n%s", diff)
	}
}

func TestMatrixSuffix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		combo map[string]any
		want  string
	}{
		{name: "empty", combo: nil, want: ""},
		{name: "sorted keys", combo: map[string]any{"os": "linux", "go": "1.22"}, want: "(1.22, linux)"},
		{name: "numbers", combo: map[string]any{"a": 1.0, "b": 1.5, "c": 3}, want: "(1, 1.5, 3)"},
		{name: "bool and null", combo: map[string]any{"a": true, "b": nil}, want: "(true, )"},
		{name: "mapping and list", combo: map[string]any{"a": map[string]any{"k": "v"}, "b": []any{"x", 1.0}}, want: `({"k":"v"}, ["x",1])`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := MatrixSuffix(tt.combo); got != tt.want {
				t.Errorf("MatrixSuffix(%v) = %q, want %q", tt.combo, got, tt.want)
			}
		})
	}
}

// seq returns n distinct values.
func seq(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

// includes returns n include entries that each become a combination.
func includes(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"k": strings.Repeat("x", i)}
	}
	return out
}
