package expr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

func TestInterpolate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"no expression", "plain text with } and {{ and $", "plain text with } and {{ and $"},
		{"closing braces alone", "}} stays", "}} stays"},
		{"several expressions", "a ${{ 'x' }} b ${{ 1 }} c", "a x b 1 c"},
		{"adjacent expressions", "${{ 'a' }}${{ 'b' }}", "ab"},
		{"closing braces in a string", "${{ 'a}}b' }}!", "a}}b!"},
		{"format escapes", "${{ format('{0}}}', 'x') }}", "x}"},
		{"scalars", "${{ true }}/${{ null }}/${{ 3.0 }}/${{ 1.5 }}/${{ 12345678901 }}", "true//3/1.5/12345678901"},
		{"number from json", "${{ inputs.count }}x", "3x"},
		{"array as JSON", "${{ matrix.flags }}", "[\n  \"a\",\n  \"b\"\n]"},
		{"alias", "${{ forgejo.sha }}", "4f3c2b1a0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"},
		{"dollar before", "$${{ 1 }}", "$1"},
		{"no space", "${{1}}", "1"},
		{"multi-line expression", "x=${{\n  github.actor\n}}", "x=alice"},
		{"text like an alias", "forgejo ${{ 'gitea' }} github", "forgejo gitea github"},
	}
	c := testContexts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Interpolate(tt.in)
			if err != nil {
				t.Fatalf("Interpolate(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Interpolate(%q) mismatch (-got +want):\n%s", tt.in, diff)
			}
		})
	}
}

func TestInterpolateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"unclosed", "a ${{ 1", "evaluating ${{ 1 }}: unexpected EOF while lexing expression"},
		{"unclosed string", "${{ 'a }}", "evaluating ${{ 'a }} }}: got unexpected EOF while lexing end of string literal, expecting '''"},
		{"second expression fails", "${{ 1 }} ${{ fromJSON('{') }} ${{ 2 }}", "evaluating ${{ fromJSON('{') }}: invalid JSON: unexpected end of JSON input"},
		{"unknown context", "x ${{ nope.x }} y", `evaluating ${{ nope.x }}: unknown context "nope": use one of github (or forgejo, gitea), env, vars, secrets, inputs, job, jobs, steps, runner, strategy, matrix, needs`},
	}
	c := testContexts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Interpolate(tt.in)
			if err == nil {
				t.Fatalf("Interpolate(%q) = %q, want error %q", tt.in, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Interpolate(%q) error = %q, want %q", tt.in, err, tt.want)
			}
		})
	}
}

// TestInterpolateWithoutExpressionDoesNotAllocate is not parallel:
// testing.AllocsPerRun refuses to run in a parallel test.
func TestInterpolateWithoutExpressionDoesNotAllocate(t *testing.T) {
	c := testContexts(t)
	s := strings.Repeat("echo hello } { $ world\n", 20)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Interpolate(s); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Interpolate without ${{ allocated %v times per run, want 0", allocs)
	}
}

// TestInterpolateGolden interpolates the templates in testdata/interpolate
// and compares them with their .golden files (go test -update rewrites
// them).
func TestInterpolateGolden(t *testing.T) {
	t.Parallel()
	templates, err := filepath.Glob(filepath.Join("testdata", "interpolate", "*.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(templates) == 0 {
		t.Fatal("no templates in testdata/interpolate")
	}
	c := testContexts(t)
	for _, tmpl := range templates {
		t.Run(filepath.Base(tmpl), func(t *testing.T) {
			t.Parallel()
			in, err := os.ReadFile(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Interpolate(string(in))
			if err != nil {
				t.Fatalf("Interpolate(%s) error: %v", tmpl, err)
			}
			golden.Check(t, strings.TrimSuffix(tmpl, ".tmpl")+".golden", []byte(got))
		})
	}
}

func TestInterpolateValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"whole expression keeps a list", "${{ fromJSON('[1, \"two\"]') }}", []any{1.0, "two"}},
		{"whole expression keeps a map", "${{ fromJSON('{\"os\": [\"linux\"]}') }}", map[string]any{"os": []any{"linux"}}},
		{"whole expression keeps a number", "${{ inputs.count }}", 3.0},
		{"whole expression keeps a bool", "${{ inputs.debug }}", true},
		{"whole expression keeps null", "${{ env.MISSING }}", nil},
		{"whole expression with closing braces in a string", "${{ 'a}}b' }}", "a}}b"},
		{"text around makes a string", "n=${{ inputs.count }}", "n=3"},
		{"two expressions make a string", "${{ 1 }}${{ 2 }}", "12"},
		{"plain string", "plain", "plain"},
		{"non-string unchanged", 5, 5},
		{"nil", nil, nil},
		{
			"nested map and list",
			map[string]any{
				"os":     "${{ fromJSON('[\"linux\", \"windows\"]') }}",
				"n":      1,
				"nested": []any{"${{ matrix.os }}", true, "v${{ steps.build.outputs.version }}"},
			},
			map[string]any{
				"os":     []any{"linux", "windows"},
				"n":      1,
				"nested": []any{"ubuntu", true, "v1.2.3"},
			},
		},
		{"string map stays strings", map[string]string{"A": "${{ inputs.count }}", "B": "b"}, map[string]string{"A": "3", "B": "b"}},
		{"string list stays strings", []string{"${{ inputs.debug }}", "x"}, []string{"true", "x"}},
	}
	c := testContexts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.InterpolateValue(tt.in)
			if err != nil {
				t.Fatalf("InterpolateValue(%#v) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("InterpolateValue(%#v) mismatch (-got +want):\n%s", tt.in, diff)
			}
		})
	}
}

func TestInterpolateValueDoesNotChangeItsInput(t *testing.T) {
	t.Parallel()
	c := testContexts(t)
	in := map[string]any{"a": []any{"${{ 1 }}"}, "b": map[string]string{"c": "${{ 2 }}"}}
	want := map[string]any{"a": []any{"${{ 1 }}"}, "b": map[string]string{"c": "${{ 2 }}"}}
	if _, err := c.InterpolateValue(in); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, want); diff != "" {
		t.Errorf("InterpolateValue changed its input (-got +want):\n%s", diff)
	}
}

func TestInterpolateValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"whole expression", "${{ fromJSON('x') }}", "evaluating ${{ fromJSON('x') }}: invalid JSON: invalid character 'x' looking for beginning of value"},
		{"inside a list", []any{"ok", "${{ nope }}"}, `evaluating ${{ nope }}: unknown context "nope": use one of github (or forgejo, gitea), env, vars, secrets, inputs, job, jobs, steps, runner, strategy, matrix, needs`},
		{"inside a map", map[string]any{"k": "v=${{ 1 == }}"}, "evaluating ${{ 1 == }}: failed to parse: unexpected end of input while parsing variable access, function call, null, bool, int, float or string. expecting \"IDENT\", \"(\", \"INTEGER\", \"FLOAT\", \"STRING\""},
		{"inside a string map", map[string]string{"k": "${{ toJSON() }}"}, "evaluating ${{ toJSON() }}: toJSON() takes 1 argument(s), got 0"},
	}
	c := testContexts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.InterpolateValue(tt.in)
			if err == nil {
				t.Fatalf("InterpolateValue(%#v) = %#v, want error %q", tt.in, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("InterpolateValue(%#v) error = %q, want %q", tt.in, err, tt.want)
			}
		})
	}
}
