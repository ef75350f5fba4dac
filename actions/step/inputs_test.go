package step_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

func TestInputsSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flags map[string]string
		env   map[string]string
		want  string
	}{
		{"the flag wins", map[string]string{"dry-run": "flag"}, map[string]string{"INPUT_DRY_RUN": "underscore"}, "flag"},
		{"underscores before hyphens", nil, map[string]string{"INPUT_DRY_RUN": "underscore", "INPUT_DRY-RUN": "hyphen"}, "underscore"},
		{"hyphens as GitHub names them", nil, map[string]string{"INPUT_DRY-RUN": "hyphen"}, "hyphen"},
		{"an empty INPUT_ with underscores is set", nil, map[string]string{"INPUT_DRY_RUN": "", "INPUT_DRY-RUN": "hyphen"}, ""},
		{"unset", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := step.NewInputs(lookup(tt.flags), lookup(tt.env))
			if got := in.Raw("dry-run"); got != tt.want {
				t.Errorf("Raw(dry-run) = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInputsCollectEveryProblem(t *testing.T) {
	t.Parallel()
	in := step.MapInputs(map[string]string{"a": "maybe", "b": "soon", "c": "x", "ok": " yes "})
	if !in.Bool("ok", false) {
		t.Errorf("Bool(ok) = false, want true")
	}
	in.Bool("a", false)
	in.Duration("b", 0)
	in.Int("c", 0)
	in.Problem(nil)
	err := in.Err()
	want := "input a is \"maybe\"; write true or false (yes/no and 1/0 also work)\n" +
		"input b is \"soon\"; write a duration such as 90s or 5m, or whole seconds\n" +
		"input c is \"x\"; write a whole number such as 3"
	if err == nil || err.Error() != want {
		t.Errorf("Err() = %v, want\n%s", err, want)
	}
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestWithTimeoutCause(t *testing.T) {
	t.Parallel()
	ctx, cancel := step.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	cause := context.Cause(ctx)
	if !errors.Is(cause, context.DeadlineExceeded) || !strings.Contains(cause.Error(), "timeout of 1ms ran out (raise input timeout)") {
		t.Errorf("the cause is %v, want the action's timeout, telling to raise it", cause)
	}
}
