package expr

import (
	"math"
	"testing"
)

func TestToString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, ""},
		{"string", "s", "s"},
		{"true", true, "true"},
		{"false", false, "false"},
		{"int", 3, "3"},
		{"negative int64", int64(-7), "-7"},
		{"uint", uint(7), "7"},
		{"integral float", 3.0, "3"},
		{"negative zero", math.Copysign(0, -1), "0"},
		{"fraction", 1.5, "1.5"},
		{"fifteen significant digits", 0.1 + 0.2, "0.3"},
		{"large integer without exponent", 12345678901.0, "12345678901"},
		{"very large integer without exponent", 1e20, "100000000000000000000"},
		{"huge number", 1e300, "1E+300"},
		{"tiny number", 1.5e-7, "1.5E-07"},
		{"float32", float32(0.5), "0.5"},
		{"nan", math.NaN(), "NaN"},
		{"infinity", math.Inf(1), "Infinity"},
		{"minus infinity", math.Inf(-1), "-Infinity"},
		{"array", []any{"a", 1.0, nil}, "[\n  \"a\",\n  1,\n  null\n]"},
		{"empty array", []any{}, "[]"},
		{"object", map[string]any{"b": "<&>", "a": map[string]any{}}, "{\n  \"a\": {},\n  \"b\": \"<&>\"\n}"},
		{"nil map", map[string]any(nil), ""},
		{"step result", StepResult{Outcome: "success"}, "{\n  \"outputs\": null,\n  \"conclusion\": \"\",\n  \"outcome\": \"success\"\n}"},
		{"named int type", Level(1), "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ToString(tt.in); got != tt.want {
				t.Errorf("ToString(%#v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
